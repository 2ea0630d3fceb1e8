package node

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/internal/logging"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// TestInputNotVisible gives a node a task whose input it cannot see: the
// task fails with a message that names the input and the node.
func TestInputNotVisible(t *testing.T) {
	f := newFixture(t)
	missing := filepath.Join(f.dir, "elsewhere.pcap")
	rec := newRecord(t, []string{missing}, filepath.Join(f.dir, "x.ipfix"))
	f.admit(t, rec)
	f.start(t, "n1", nil)
	got := f.waitEnded(t, rec.Task.ID)
	if got.Task.Status != task.Failed || !strings.Contains(got.Task.Error, missing) ||
		!strings.Contains(got.Task.Error, "not visible on node n1") {
		t.Errorf("task: %s %q", got.Task.Status, got.Task.Error)
	}
}

// part converts in into a part file and returns the part.
func (f *fixture) part(tb testing.TB, in, path string) cluster.Part {
	tb.Helper()
	sys := actor.NewActorSystem(logging.ActorLogger(zap.NewNop()))
	defer sys.Shutdown()
	res := actors.Run(context.Background(), sys, actors.Spec{Inputs: []string{in}, Output: path,
		Shards: 1}, time.Second, nil)
	if res.Err != nil {
		tb.Fatal(res.Err)
	}
	return cluster.Part{Input: in, Inputs: 1, Path: path, Bytes: res.OutputBytes, SHA256: res.SHA256,
		DataRecords: res.DataRecords, Records: res.Records, Packets: res.Packets, Flows: res.Flows,
		Attempt: 1}
}

// TestTakeOverPublish checks what a new owner does with a task whose
// previous owner recorded the file it was about to publish and then
// vanished: the owner renamed it into place already, or had not yet, or
// the file and the parts are gone. Each time the task completes with
// that content at the output path, and nothing else is left.
func TestTakeOverPublish(t *testing.T) {
	cases := []struct {
		name   string
		before func(in cluster.Intent, out string) error // what the previous owner did
	}{
		{name: "published", before: func(in cluster.Intent, out string) error { return os.Rename(in.Temp, out) }},
		{name: "not yet", before: func(cluster.Intent, string) error { return nil }},
		{name: "file gone", before: func(in cluster.Intent, _ string) error { return os.Remove(in.Temp) }},
	}
	f := newFixture(t)
	in := f.capture(t, "in.pcap", 3000)
	f.start(t, "n1", nil)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(f.dir, strings.ReplaceAll(tc.name, " ", "-")+".ipfix")
			rec := newRecord(t, []string{in}, out)
			p := f.part(t, in, partPath(out, rec.Task.ID, 1, 0))
			intent := cluster.Intent{Temp: p.Path, Bytes: p.Bytes, SHA256: p.SHA256, Records: p.Records,
				Attempt: 1}
			rec.Checkpoint.Parts, rec.Publish, rec.Task.Attempt = []cluster.Part{p}, &intent, 1
			if err := tc.before(intent, out); err != nil {
				t.Fatal(err)
			}
			f.admit(t, rec)
			got := f.waitEnded(t, rec.Task.ID)
			if got.Task.Status != task.Completed || got.Task.Attempt != 2 {
				t.Fatalf("task: %s attempt %d %q", got.Task.Status, got.Task.Attempt, got.Task.Error)
			}
			if sum, err := fileSHA256(out); err != nil || sum != got.Task.Output.SHA256 {
				t.Errorf("output %s %v, task says %s", sum, err, got.Task.Output.SHA256)
			}
			ipfixcheck.Decode(t, out)
			if left := taskFiles(out, rec.Task.ID); len(left) > 0 {
				t.Errorf("files left: %v", left)
			}
		})
	}
}

// TestCancelRunning cancels a running task through the node's supervisor
// as the API does: the answer comes once the task is cancelled.
func TestCancelRunning(t *testing.T) {
	f := newFixture(t)
	in := f.capture(t, "in.pcap", 20000)
	slow := func(s *actors.Spec) {
		s.Fault = func(stage string, _ uint64) {
			if stage == "reader" {
				time.Sleep(200 * time.Millisecond)
			}
		}
	}
	n := f.start(t, "n1", slow)
	root := n.sys.Root
	v, err := root.RequestFuture(n.PID(), &actors.Submit{Request: task.Request{PcapFiles: []string{in},
		OutputPath: filepath.Join(f.dir, "c.ipfix")}}, 5*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	sub := v.(*actors.SubmitReply)
	if sub.Err != nil || !sub.Created {
		t.Fatalf("submit: %+v", sub)
	}
	id := sub.Task.ID
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec, _, err := f.store.Record(context.Background(), id)
		if err == nil && rec.Task.Status == task.Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	v, err = root.RequestFuture(n.PID(), &actors.CancelTask{ID: id}, 5*time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	if r := v.(*actors.TaskReply); r.Err != nil || r.Task.Status != task.Cancelled {
		t.Errorf("cancel: %+v %+v", r, r.Task)
	}
	if left := taskFiles(filepath.Join(f.dir, "c.ipfix"), id); len(left) > 0 {
		t.Errorf("files left: %v", left)
	}
}

// TestGiveUp fails a task whose earlier attempts all vanished (their node
// died each time) instead of running it an eleventh time.
func TestGiveUp(t *testing.T) {
	f := newFixture(t)
	in := f.capture(t, "in.pcap", 1000)
	rec := newRecord(t, []string{in}, filepath.Join(f.dir, "x.ipfix"))
	for i := range 10 {
		rec.History = append(rec.History, cluster.Attempt{Attempt: i + 1, Node: "gone"})
	}
	rec.Task.Attempt = 10
	f.admit(t, rec)
	f.start(t, "n1", nil)
	got := f.waitEnded(t, rec.Task.ID)
	if got.Task.Status != task.Failed || !strings.Contains(got.Task.Error, "gave up after 10 attempts") {
		t.Errorf("task: %s %q", got.Task.Status, got.Task.Error)
	}
}
