package actors

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/synth"
)

// cpuTime is the CPU time the process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Once cancelled, Run waits for the task to wind down without spinning:
// a reader held up in opening a file (slow storage) leaves the process
// idle, and the task ends once the open returns.
func TestRunCancelledWaitsIdle(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 7, Packets: 200, Mix: synth.Mix{DNS: 100}})
	opening, release := make(chan struct{}), make(chan struct{})
	spec := Spec{Inputs: []string{in}, Output: filepath.Join(dir, "out.ipfix"), Shards: 1,
		Open: func(path string) (*os.File, error) {
			close(opening)
			<-release
			return os.Open(path)
		}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	go func() { done <- Run(ctx, newSystem(t), spec, time.Hour, nil) }()
	<-opening
	cancel()
	const window = 500 * time.Millisecond
	before := cpuTime(t)
	time.Sleep(window)
	spent := cpuTime(t) - before
	close(release)
	res := <-done
	if res.Err == nil {
		t.Error("the cancelled task succeeded")
	}
	if spent > window*2/5 {
		t.Errorf("the process used %v of CPU in %v while the cancelled task waited", spent, window)
	}
}

// Without an Open of its own, a task refuses an input that is not a
// regular file, without opening it: a named pipe nobody writes to fails
// that input at once instead of blocking the task, and the next input is
// read.
func TestRunRefusesNamedPipe(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.pcap")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	in := synthCapture(t, dir, synth.Config{Seed: 8, Packets: 200, Mix: synth.Mix{DNS: 100}})
	out := filepath.Join(dir, "out.ipfix")
	done := make(chan Result, 1)
	go func() {
		done <- Run(context.Background(), newSystem(t),
			Spec{Inputs: []string{fifo, in}, Output: out, Shards: 1}, time.Hour, nil)
	}()
	var res Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		// Let the blocked open return so the test can end.
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			_ = w.Close()
		}
		t.Fatal("the task blocked on opening a named pipe")
	}
	if res.Err != nil {
		t.Fatalf("task error %v", res.Err)
	}
	errs := res.Errors
	if len(errs) != 1 || errs[0].File != fifo || errs[0].Reason != "not a regular file: a named pipe" {
		t.Errorf("file errors %+v, want the pipe refused as not a regular file", errs)
	}
	if res.Progress.Packets == 0 {
		t.Error("the regular input after the pipe was not read")
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no output: %v", err)
	}
}
