package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds the ipfixweb command once per test run.
func binary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ipfixweb-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "ipfixweb")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

// server is an ipfixweb serve process.
type server struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	args []string
	logs *bytes.Buffer
	exit chan error
}

func freePort(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs "ipfixweb serve" with args and waits until /readyz
// answers; it returns how long that took.
func startServer(t *testing.T, args ...string) (*server, time.Duration) {
	t.Helper()
	addr := freePort(t)
	s := &server{t: t, url: "http://" + addr, args: args, logs: &bytes.Buffer{}, exit: make(chan error, 1)}
	s.cmd = exec.Command(binary(t), append([]string{"serve", "--listen", addr}, args...)...)
	s.cmd.Stderr = s.logs
	begin := time.Now()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exit <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			<-s.exit
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.logs)
		}
	})
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s, time.Since(begin)
			}
		}
		select {
		case err := <-s.exit:
			t.Fatalf("server exited: %v\n%s", err, s.logs)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Since(begin) > 10*time.Second {
			t.Fatalf("server not ready after 10 s\n%s", s.logs)
		}
	}
}

func (s *server) post(body any) (int, map[string]any) {
	s.t.Helper()
	data, _ := json.Marshal(body)
	resp, err := http.Post(s.url+"/api/export-task", "application/json", bytes.NewReader(data))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &out)
	return resp.StatusCode, out
}

func (s *server) status(id string) *task.Task {
	s.t.Helper()
	resp, err := http.Get(s.url + "/api/task-status/" + id)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tk task.Task
	if err := json.NewDecoder(resp.Body).Decode(&tk); err != nil {
		s.t.Fatal(err)
	}
	return &tk
}

func (s *server) waitFor(id string, within time.Duration, cond func(*task.Task) bool) *task.Task {
	s.t.Helper()
	end := time.Now().Add(within)
	for {
		tk := s.status(id)
		if cond(tk) {
			return tk
		}
		if time.Now().After(end) {
			s.t.Fatalf("task %s still %s after %s", id, tk.Status, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// signal sends sig and returns how long the process took to exit.
func (s *server) signal(sig syscall.Signal) (time.Duration, error) {
	begin := time.Now()
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatal(err)
	}
	select {
	case err := <-s.exit:
		return time.Since(begin), err
	case <-time.After(10 * time.Second):
		s.t.Fatalf("no exit 10 s after %v", sig)
		return 0, nil
	}
}

// serviceDirs makes an input root with a capture big enough to keep a task
// running for a while, and an output root and a data directory.
func serviceDirs(t *testing.T) (in, out, data, capture string) {
	t.Helper()
	base := t.TempDir()
	in, out, data = filepath.Join(base, "in"), filepath.Join(base, "out"), filepath.Join(base, "data")
	for _, d := range []string{in, out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	capture = filepath.Join(in, "big.pcap")
	f, err := os.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Write(f, synth.Config{Seed: 21, Bytes: 30 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return in, out, data, capture
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// running is true once the task has started. Waiting for its first
// progress report as well (every 250 ms) lets a fast machine finish the
// whole task first, or interrupt it while it publishes its output.
func running(tk *task.Task) bool { return tk.Status == task.Running }
func ended(tk *task.Task) bool   { return !tk.Status.Live() }

// Killed in the middle of a task, the server restarts with every task it
// had accepted; they complete, their outputs decode, and no temporary
// file is left.
func TestServeKillRestart(t *testing.T) {
	in, out, data, capture := serviceDirs(t)
	args := []string{"--input-root", in, "--output-root", out, "--data-dir", data, "--workers", "1"}
	s, took := startServer(t, args...)
	if took > 3*time.Second {
		t.Errorf("ready after %s", took)
	}
	long := map[string]any{"pcap_files": repeat(capture, 20), "output_path": filepath.Join(out, "long.ipfix")}
	short := map[string]any{"pcap_files": []string{capture}, "output_path": filepath.Join(out, "short.ipfix")}
	_, a := s.post(long)
	_, b := s.post(short)
	ida, idb := fmt.Sprint(a["task_id"]), fmt.Sprint(b["task_id"])
	s.waitFor(ida, 20*time.Second, running)
	if _, err := s.signal(syscall.SIGKILL); err == nil {
		t.Fatal("exit status 0 after SIGKILL")
	}
	if _, err := os.Stat(filepath.Join(out, "long.ipfix")); !os.IsNotExist(err) {
		t.Fatalf("an output appeared for an interrupted task: %v", err)
	}

	s2, took := startServer(t, args...)
	if took > 3*time.Second {
		t.Errorf("ready after %s with tasks to recover", took)
	}
	for _, id := range []string{ida, idb} {
		tk := s2.waitFor(id, 120*time.Second, ended)
		if tk.Status != task.Completed {
			t.Fatalf("task %s: %s %s", id, tk.Status, tk.Error)
		}
		if id == ida && tk.Attempt != 2 {
			t.Errorf("interrupted task: attempt %d, want 2", tk.Attempt)
		}
		msgs := ipfixcheck.Decode(t, tk.Output.Path)
		if id == idb {
			ipfixcheck.IPFIXDump(t, tk.Output.Path, ipfixcheck.Count(msgs))
		}
	}
	if left := tempFilesUnder(t, out); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// SIGTERM with a task running: the process exits within 0.3 s, and the
// task, back in the queue, runs again at the next start.
func TestServeSIGTERM(t *testing.T) {
	in, out, data, capture := serviceDirs(t)
	args := []string{"--input-root", in, "--output-root", out, "--data-dir", data}
	s, _ := startServer(t, args...)
	_, a := s.post(map[string]any{"pcap_files": repeat(capture, 20),
		"output_path": filepath.Join(out, "a.ipfix")})
	id := fmt.Sprint(a["task_id"])
	s.waitFor(id, 20*time.Second, running)
	took, err := s.signal(syscall.SIGTERM)
	if err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	if took > 300*time.Millisecond {
		t.Errorf("exit took %s after SIGTERM", took)
	}
	if !strings.Contains(s.logs.String(), `"tasks_left_queued":1`) {
		t.Errorf("the log does not say the task went back to the queue")
	}
	if left := tempFilesUnder(t, out); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	s2, _ := startServer(t, args...)
	tk := s2.waitFor(id, 120*time.Second, ended)
	if tk.Status != task.Completed || tk.Attempt != 2 {
		t.Errorf("after restart: %s attempt %d %s", tk.Status, tk.Attempt, tk.Error)
	}
}

func tempFilesUnder(tb testing.TB, dir string) []string {
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// Settings that cannot work are refused at start with a clear message.
func TestServeRefusesFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "negative shards", args: []string{"--shards", "-1"},
			want: "--shards must be 0 (one per CPU) to 1024"},
		{name: "too many shards", args: []string{"--shards", "100000"},
			want: "--shards must be 0 (one per CPU) to 1024"},
		{name: "no workers", args: []string{"--workers", "0"}, want: "--workers"},
		{name: "no connections", args: []string{"--max-connections", "0"},
			want: "--max-connections must be at least 1"},
		{name: "no read timeout", args: []string{"--read-timeout", "0s"}, want: "--read-timeout"},
		{name: "negative write timeout", args: []string{"--write-timeout", "-1s"},
			want: "--write-timeout"},
		{name: "no collector retry", args: []string{"--collector-retry", "0s"},
			want: "--collector-retry"},
		{name: "negative gomaxprocs", args: []string{"--gomaxprocs", "-1"}, want: "--gomaxprocs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"serve", "--data-dir", t.TempDir()}, tc.args...)
			code := run(context.Background(), args, &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errb.String(), tc.want)
			}
		})
	}
}
