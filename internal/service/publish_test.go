package service

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// atPublish holds every task's writer at the moment its output is
// complete on disk and about to be moved to its path: it closes the
// returned channel, then waits long enough for a stop to reach the task.
func atPublish(hold time.Duration) (func(*actors.Spec), <-chan struct{}) {
	ready := make(chan struct{})
	var once sync.Once
	return func(s *actors.Spec) {
		s.Fault = func(stage string, _ uint64) {
			if stage == "publish" {
				once.Do(func() { close(ready) })
				time.Sleep(hold)
			}
		}
	}, ready
}

// checkPublished checks that a completed task's output is at its path,
// whole: the size and sha256 the task reports.
func checkPublished(t *testing.T, tk *task.Task) {
	t.Helper()
	if tk.Status != task.Completed || tk.Output == nil {
		t.Fatalf("task %s (%s), output %+v", tk.Status, tk.Error, tk.Output)
	}
	data, err := os.ReadFile(tk.Request.OutputPath)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if int64(len(data)) != tk.Output.Bytes || hex.EncodeToString(sum[:]) != tk.Output.SHA256 {
		t.Errorf("output of %d bytes, sha256 %x; the task says %+v", len(data), sum, tk.Output)
	}
}

// SIGTERM while a task publishes its output: the output and the journal
// agree. The task is completed in the journal, not handed back to the
// queue with its output in place (whose rerun would then fail because
// the output exists), and the next start leaves it so.
func TestDrainWhilePublishing(t *testing.T) {
	tune, publishing := atPublish(150 * time.Millisecond)
	n := startNode(t, Config{Tune: tune, StopWithin: 5 * time.Second})
	in := n.capture("a.pcap", synth.Config{Seed: 31, Packets: 2000})
	_, r := n.submit(body([]string{in}, n.outPath("a.ipfix")))
	id := str(r["task_id"])
	select {
	case <-publishing:
	case <-time.After(30 * time.Second):
		t.Fatal("the task never reached its publication")
	}
	n.stop()

	j, err := journal.Open(n.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	tk, err := j.Get(id)
	_ = j.Close()
	if err != nil {
		t.Fatal(err)
	}
	checkPublished(t, tk)
	if tk.Attempt != 1 || tk.Summary == nil {
		t.Errorf("attempt %d, summary %+v", tk.Attempt, tk.Summary)
	}

	again := startNode(t, Config{DataDir: n.dataDir, InputRoots: []string{n.in}, OutputRoot: n.out})
	after := again.task(id)
	checkPublished(t, after)
	if after.Attempt != 1 {
		t.Errorf("the task ran again: attempt %d", after.Attempt)
	}
}

// A cancel that reaches a task while it publishes its output cannot take
// the output back: the task is completed, and the cancel says so (409).
func TestCancelWhilePublishing(t *testing.T) {
	tune, publishing := atPublish(150 * time.Millisecond)
	n := startNode(t, Config{Tune: tune})
	in := n.capture("a.pcap", synth.Config{Seed: 32, Packets: 2000})
	_, r := n.submit(body([]string{in}, n.outPath("a.ipfix")))
	id := str(r["task_id"])
	<-publishing
	code, resp, _ := n.do("DELETE", "/api/tasks/"+id, nil)
	if code != 409 || resp["status"] != "completed" {
		t.Errorf("cancel while publishing: %d %v", code, resp)
	}
	checkPublished(t, n.task(id))
	if left := tempFiles(t, n.out); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Outputs are created like any file the user makes: 0644 less the umask,
// so a collector running as another user can read them.
func TestOutputMode(t *testing.T) {
	mask := syscall.Umask(0o022)
	defer syscall.Umask(mask)
	n := startNode(t, Config{})
	in := n.capture("a.pcap", synth.Config{Seed: 33, Packets: 200})
	_, r := n.submit(body([]string{in}, n.outPath("a.ipfix")))
	tk := n.waitFor(str(r["task_id"]), 30*time.Second, final)
	checkPublished(t, tk)
	st, err := os.Stat(tk.Request.OutputPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("output mode %v, want -rw-r--r--", st.Mode().Perm())
	}
}
