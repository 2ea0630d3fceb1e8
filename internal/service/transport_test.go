package service

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// raw sends bytes on a new connection to the node and returns the
// status line of the answer, or the error that ended the connection.
func (n *node) raw(req string) (string, error) {
	n.t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(n.url, "http://"))
	if err != nil {
		n.t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}

// The bearer token shows in no log line, even at debug level and even
// when a request that carries it cannot be read.
func TestTokenNeverLogged(t *testing.T) {
	const token = "tok-9f2c-SECRET"
	core, logs := observer.New(zapcore.DebugLevel)
	n := startNodeLog(t, Config{Token: token}, zap.New(core))
	head := "Host: x\r\nAuthorization: Bearer " + token + "\r\n"
	for _, req := range []string{
		"GET /api/tasks HTTP/1.1\r\n" + head + "Bad Header Line\r\n\r\n",
		"GET /api/tasks HTTP/1.1\r\n" + head + "Content-Length: abc\r\n\r\n",
		"POST /api/export-task HTTP/1.1\r\n" + head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
		"GET /api/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-" + token + "\r\n\r\n",
		"GET /api/tasks HTTP/1.1\r\nHost: x\r\nX-Token: " + token + "\r\nBad\r\n\r\n",
	} {
		if line, err := n.raw(req); err == nil && strings.Contains(line, " 200 ") {
			t.Errorf("%q: %s", req, line)
		}
	}
	if code, _, _ := n.do("GET", "/api/tasks", nil); code != 200 {
		t.Errorf("right token: %d", code)
	}
	n.stop()
	if logs.Len() == 0 {
		t.Fatal("no log lines at all: the test would prove nothing")
	}
	debug := 0
	for _, e := range logs.All() {
		line := fmt.Sprint(e.Message, e.ContextMap())
		if strings.Contains(line, token) {
			t.Errorf("the token is in a log line: %s", line)
		}
		if e.Level == zapcore.DebugLevel && strings.Contains(line, "Authorization: [redacted]") {
			debug++
		}
	}
	if debug == 0 {
		t.Errorf("no debug line about the unreadable requests: redaction untested")
	}
}

// Wrong tokens of every length get 401; only the exact token passes.
func TestTokenVariants(t *testing.T) {
	n := startNode(t, Config{Token: "s3cret-token"})
	n.token = ""
	for _, h := range []string{"Bearer s3cret", "Bearer s3cret-token-and-more", "Bearer S3CRET-TOKEN",
		"Bearers3cret-token", "Bearer", "Basic czNjcmV0LXRva2Vu", "s3cret-token"} {
		if code, _, _ := n.do("GET", "/api/tasks", nil, "Authorization", h); code != 401 {
			t.Errorf("%q: %d", h, code)
		}
	}
	// The scheme's name is case-insensitive (RFC 7235); the token is not.
	for _, h := range []string{"Bearer s3cret-token", "bearer s3cret-token", "BEARER s3cret-token",
		"Bearer  s3cret-token"} {
		if code, _, _ := n.do("GET", "/api/tasks", nil, "Authorization", h); code != 200 {
			t.Errorf("%q: %d", h, code)
		}
	}
}

// Clients that send slowly, or hold every connection the server may
// serve, are cut off by the read timeout; the server then serves others.
func TestSlowClients(t *testing.T) {
	const conns = 8
	n := startNode(t, Config{MaxConns: conns, ReadTimeout: 300 * time.Millisecond})
	addr := strings.TrimPrefix(n.url, "http://")
	held := make([]net.Conn, 0, conns)
	for range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// A request head that never ends.
		if _, err := io.WriteString(c, "POST /api/export-task HTTP/1.1\r\nHost: x\r\n"); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	// The cap is reached: a new client is turned away, not queued forever.
	time.Sleep(50 * time.Millisecond)
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(n.url + "/healthz")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != 503 {
			t.Errorf("past the connection cap: %d", resp.StatusCode)
		}
	}
	// Every held connection is closed by the server within its timeout.
	for i, c := range held {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(c)
		if len(b) > 0 && !strings.Contains(string(b), " 408 ") {
			t.Errorf("connection %d: %q", i, b)
		}
	}
	if code, _, _ := n.do("GET", "/healthz", nil); code != 200 {
		t.Errorf("after the slow clients: %d", code)
	}
	// A client that does not read its answer cannot hold the server
	// either: the request is served and the next client too.
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, strings.Repeat("GET /api/tasks?limit=1000 HTTP/1.1\r\nHost: x\r\n\r\n", 200)); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := n.do("GET", "/healthz", nil); code != 200 {
		t.Errorf("beside a client that does not read: %d", code)
	}
}
