// Package etcdtest starts a real etcd server for tests: Debian's
// etcd-server, one member on free loopback ports with its data in a
// temporary directory, killed by its own process id when the test ends.
// A test on a machine without etcd is skipped with a message naming the
// package to install.
package etcdtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// Server is a running etcd. Its methods are for the test goroutine.
type Server struct {
	// Endpoint is the client URL, e.g. http://127.0.0.1:41234.
	Endpoint string

	tb      testing.TB
	bin     string
	dir     string
	client  int
	peer    int
	cmd     *exec.Cmd
	exited  chan struct{}
	waitErr error // how the process ended, once exited is closed
	logFile string
}

// Start runs an etcd for tb and waits until it answers. It is stopped
// (SIGKILL to its own pid) when tb ends.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("etcd")
	if err != nil {
		tb.Skip("etcd is not installed (apt-get install etcd-server)")
	}
	s := &Server{tb: tb, bin: bin, dir: tb.TempDir()}
	s.client, s.peer = freePort(tb), freePort(tb)
	s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(s.client)
	s.logFile = filepath.Join(s.dir, "etcd.log")
	tb.Cleanup(s.kill)
	s.run()
	return s
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort(tb testing.TB) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func (s *Server) run() {
	s.tb.Helper()
	peer := "http://127.0.0.1:" + strconv.Itoa(s.peer)
	log, err := os.OpenFile(s.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.tb.Fatal(err)
	}
	defer log.Close()
	cmd := exec.Command(s.bin, "--name", "test", "--data-dir", filepath.Join(s.dir, "data"),
		"--listen-client-urls", s.Endpoint, "--advertise-client-urls", s.Endpoint,
		"--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
		"--initial-cluster", "test="+peer, "--logger", "zap", "--log-level", "warn",
		"--auto-compaction-mode", "revision", "--auto-compaction-retention", "10000")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		s.tb.Fatalf("start etcd: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func(done chan struct{}) {
		s.waitErr = cmd.Wait()
		close(done)
	}(s.exited)
	s.WaitHealthy(20 * time.Second)
}

// WaitHealthy waits until etcd answers a status request, or fails tb
// after limit.
func (s *Server) WaitHealthy(limit time.Duration) {
	s.tb.Helper()
	c := s.Client()
	defer c.Close()
	end := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		_, err := c.Status(ctx, s.Endpoint)
		cancel()
		if err == nil {
			return
		}
		select {
		case <-s.exited:
			s.tb.Fatalf("etcd exited: %s", s.Log())
		default:
		}
		if time.Now().After(end) {
			s.tb.Fatalf("etcd not healthy after %s: %v\n%s", limit, err, s.Log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Client returns a new client of the server; the caller closes it.
func (s *Server) Client() *clientv3.Client {
	s.tb.Helper()
	c, err := clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint},
		DialTimeout: 2 * time.Second, Logger: zap.NewNop()})
	if err != nil {
		s.tb.Fatalf("etcd client: %v", err)
	}
	return c
}

// Stop freezes the server with SIGSTOP, as a stalled disk or a long
// pause would; Continue wakes it.
func (s *Server) Stop() { s.signal(syscall.SIGSTOP) }

// Continue wakes a server frozen by Stop.
func (s *Server) Continue() { s.signal(syscall.SIGCONT) }

// Restart kills the server and starts it again on the same ports and
// data after down.
func (s *Server) Restart(down time.Duration) {
	s.tb.Helper()
	s.kill()
	time.Sleep(down)
	s.run()
}

func (s *Server) signal(sig syscall.Signal) {
	s.tb.Helper()
	if err := s.cmd.Process.Signal(sig); err != nil {
		select {
		case <-s.exited:
			s.tb.Fatalf("signal etcd: %v; it ended (%v) with:\n%s", err, s.waitErr, s.Log())
		default:
			s.tb.Fatalf("signal etcd: %v", err)
		}
	}
}

// kill ends the server by its pid and waits for it.
func (s *Server) kill() {
	if s.cmd == nil {
		return
	}
	select {
	case <-s.exited:
	default:
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
}

// Log returns what the server wrote so far.
func (s *Server) Log() string {
	b, err := os.ReadFile(s.logFile)
	if err != nil {
		return fmt.Sprintf("(no log: %v)", err)
	}
	return string(b)
}
