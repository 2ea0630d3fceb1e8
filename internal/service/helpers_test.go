package service

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// node is a service running in the test process, on a loopback port.
type node struct {
	t       testing.TB
	url     string
	in      string // the input root
	out     string // the output root
	cancel  context.CancelFunc
	done    chan error
	client  *http.Client
	token   string
	dataDir string
}

// startNode runs a service with cfg (its roots and data directory made
// in the test's temporary directory unless set) and waits until it
// serves.
func startNode(t testing.TB, cfg Config) *node {
	t.Helper()
	return startNodeLog(t, cfg, zaptest.NewLogger(t))
}

// startNodeLog is startNode with the service's logger given.
func startNodeLog(t testing.TB, cfg Config, log *zap.Logger) *node {
	t.Helper()
	base := t.TempDir()
	n := &node{t: t, in: filepath.Join(base, "in"), out: filepath.Join(base, "out"),
		done: make(chan error, 1), client: &http.Client{Timeout: 10 * time.Second}, token: cfg.Token}
	for _, d := range []string{n.in, n.out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if cfg.DataDir == "" {
		cfg.DataDir = filepath.Join(base, "data")
	}
	n.dataDir = cfg.DataDir
	if cfg.InputRoots == nil {
		cfg.InputRoots = []string{n.in}
	} else {
		n.in = cfg.InputRoots[0]
	}
	if cfg.OutputRoot == "" {
		cfg.OutputRoot = n.out
	} else {
		n.out = cfg.OutputRoot
	}
	cfg.Listen = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	ready := make(chan string, 1)
	go func() { n.done <- Run(ctx, cfg, log, func(a string) { ready <- a }) }()
	select {
	case addr := <-ready:
		n.url = "http://" + addr
	case err := <-n.done:
		t.Fatalf("service did not start: %v", err)
	case <-time.After(5 * time.Second):
		t.Fatal("service not ready after 5 s")
	}
	t.Cleanup(n.stop)
	return n
}

func (n *node) stop() {
	if n.cancel == nil {
		return
	}
	n.cancel()
	n.cancel = nil
	if err := <-n.done; err != nil {
		n.t.Errorf("service: %v", err)
	}
}

// do sends a request and decodes the JSON answer into a map.
func (n *node) do(method, path string, body any, header ...string) (int, map[string]any, http.Header) {
	n.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			n.t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, n.url+path, rd)
	if err != nil {
		n.t.Fatal(err)
	}
	if n.token != "" {
		req.Header.Set("Authorization", "Bearer "+n.token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := n.client.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		n.t.Fatal(err)
	}
	var out map[string]any
	if len(data) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, &out); err != nil {
			n.t.Fatalf("%s %s: answer %q: %v", method, path, data, err)
		}
	} else {
		out = map[string]any{"raw": string(data)}
	}
	return resp.StatusCode, out, resp.Header
}

// submit posts an export request and returns the status code and task.
func (n *node) submit(body map[string]any, header ...string) (int, map[string]any) {
	n.t.Helper()
	code, out, _ := n.do("POST", "/api/export-task", body, header...)
	return code, out
}

// task reads a task's status.
func (n *node) task(id string) *task.Task {
	n.t.Helper()
	req, _ := http.NewRequest("GET", n.url+"/api/task-status/"+id, nil)
	if n.token != "" {
		req.Header.Set("Authorization", "Bearer "+n.token)
	}
	resp, err := n.client.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		n.t.Fatalf("status of %s: %d %s", id, resp.StatusCode, b)
	}
	var tk task.Task
	if err := json.NewDecoder(resp.Body).Decode(&tk); err != nil {
		n.t.Fatal(err)
	}
	return &tk
}

// waitFor polls a task until cond holds or the time is up.
func (n *node) waitFor(id string, within time.Duration, cond func(*task.Task) bool) *task.Task {
	n.t.Helper()
	end := time.Now().Add(within)
	for {
		tk := n.task(id)
		if cond(tk) {
			return tk
		}
		if time.Now().After(end) {
			n.t.Fatalf("task %s: still %s after %s (%+v)", id, tk.Status, within, tk)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func final(t *task.Task) bool { return !t.Status.Live() }

// capture writes a synthetic capture into the node's input root.
func (n *node) capture(name string, cfg synth.Config) string {
	n.t.Helper()
	path := filepath.Join(n.in, name)
	f, err := os.Create(path)
	if err != nil {
		n.t.Fatal(err)
	}
	if _, err := synth.Write(f, cfg); err != nil {
		n.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		n.t.Fatal(err)
	}
	return path
}

func (n *node) outPath(name string) string { return filepath.Join(n.out, name) }

// body is the original system's request body.
func body(inputs []string, out string, extra ...any) map[string]any {
	b := map[string]any{"pcap_files": inputs, "output_path": out, "DPI": false,
		"analysis_list": []string{"tcp", "udp"}}
	for i := 0; i+1 < len(extra); i += 2 {
		b[extra[i].(string)] = extra[i+1]
	}
	return b
}

// tempFiles lists the temporary output files under dir.
func tempFiles(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".tmp") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

func str(v any) string { return fmt.Sprint(v) }
