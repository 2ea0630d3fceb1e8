package e2e

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// TestDrainHandsOver sends SIGTERM to the owner of a running task: within
// a second a peer claims the task, which goes on from its checkpoint,
// and the drained node exits cleanly.
func TestDrainHandsOver(t *testing.T) {
	c := newRig(t, 100*time.Millisecond)
	ms := []*member{c.start("n1", 1), c.start("n2", 2), c.start("n3", 3)}
	id, owner, parts := c.longTask(ms[2], "drain")
	ev := c.watchOwner(id)
	c.signal(owner, syscall.SIGTERM)
	sent := time.Now()
	claim := c.waitClaim(ev, owner.name, 10*time.Second)
	took := claim.At.Sub(sent)
	t.Logf("SIGTERM to %s with %d of 4 inputs done; %s claimed the task %s later", owner.name, parts,
		claim.Owner, took.Round(time.Millisecond))
	if took > time.Second {
		t.Errorf("hand-over took %s, want at most 1 s", took)
	}
	if code := c.waitExit(owner, 15*time.Second); code != 0 {
		t.Errorf("%s exited with %d after SIGTERM", owner.name, code)
	}
	done := c.waitEnded(other(ms, owner), id, 90*time.Second)
	if done.Status != task.Completed || done.Attempt != 2 {
		t.Fatalf("task: %s attempt %d: %s", done.Status, done.Attempt, done.Error)
	}
	h := c.record(id).History
	if len(h) != 2 || h[0].Outcome != "handed_back" || h[1].FromInput < parts {
		t.Errorf("attempts %+v: want the first handed back and the second resumed from %d inputs", h, parts)
	}
	c.checkOutput(done)
	c.waitNoStrays(5 * time.Second)
}

// TestJoinMovesNothing starts a fourth member while six tasks run on the
// other three: none of the six changes owner or starts again, and the new
// member runs the tasks submitted afterwards that placement gives it.
func TestJoinMovesNothing(t *testing.T) {
	c := newRig(t, 100*time.Millisecond)
	c.workers = 6 // the six tasks run at once wherever placement puts them
	ms := []*member{c.start("n1", 1), c.start("n2", 2), c.start("n3", 3)}
	ins := c.captures("join", 3, 40000)
	var long []string
	for i := range 6 {
		code, tk := c.submit(ms[i%3], ins, fmt.Sprintf("long-%d.ipfix", i), "")
		if code != 202 {
			t.Fatalf("submit: %d %+v", code, tk)
		}
		long = append(long, tk.ID)
	}
	owners := map[string]int64{}
	c.poll(30*time.Second, "six tasks running", func() bool {
		for _, id := range long {
			if _, rev := c.owner(id); rev != 0 {
				owners[id] = rev
			}
		}
		return len(owners) == 6
	})
	n4 := c.start("n4", 4)
	all := append(ms, n4)
	c.waitViews(all, 10*time.Second, "n1", "n2", "n3", "n4")
	// Submit short tasks until placement has given three of them to n4.
	short := c.captures("short", 1, 2000)
	var later, placed []string
	for i := 0; len(placed) < 3 && i < 60; i++ {
		code, tk := c.submit(all[i%4], short, fmt.Sprintf("short-%02d.ipfix", i), "")
		if code != 202 {
			t.Fatalf("submit: %d %+v", code, tk)
		}
		later = append(later, tk.ID)
		if cluster.Designated(tk.ID, []string{"n1", "n2", "n3", "n4"}) == "n4" {
			placed = append(placed, tk.ID)
		}
	}
	for _, id := range long {
		if _, rev := c.owner(id); rev != 0 && rev != owners[id] {
			t.Errorf("task %s changed owner after the join", id)
		}
		done := c.waitEnded(n4, id, 120*time.Second)
		if done.Status != task.Completed || done.Attempt != 1 || len(c.record(id).History) != 1 {
			t.Errorf("running task %s: %s attempt %d after the join", id, done.Status, done.Attempt)
		}
	}
	ranOn := map[string]int{}
	for _, id := range later {
		done := c.waitEnded(ms[0], id, 120*time.Second)
		if done.Status != task.Completed {
			t.Errorf("task %s: %s %s", id, done.Status, done.Error)
		}
		ranOn[c.record(id).History[0].Node]++
	}
	onNew := 0
	for _, id := range placed {
		if c.record(id).History[0].Node == "n4" {
			onNew++
		}
	}
	t.Logf("the %d tasks submitted after the join ran on %v; %d of the %d placed on n4 ran there",
		len(later), ranOn, onNew, len(placed))
	if onNew == 0 {
		t.Error("the new member ran none of the tasks placement gave it")
	}
}

// TestEtcdStall freezes etcd for two lease times while three tasks run:
// every task still completes, and every view lists the three members
// again.
func TestEtcdStall(t *testing.T) {
	c := newRig(t, 100*time.Millisecond)
	c.workers = 3 // the three tasks run at once wherever placement puts them
	ms := []*member{c.start("n1", 1), c.start("n2", 2), c.start("n3", 3)}
	ins := c.captures("stall", 3, 20000)
	var ids []string
	for i := range 3 {
		code, tk := c.submit(ms[i], ins, fmt.Sprintf("stall-%d.ipfix", i), "")
		if code != 202 {
			t.Fatalf("submit: %d %+v", code, tk)
		}
		ids = append(ids, tk.ID)
	}
	c.poll(30*time.Second, "three tasks running", func() bool {
		for _, id := range ids {
			if o, _ := c.owner(id); o == "" {
				return false
			}
		}
		return true
	})
	c.etcd.Stop()
	time.Sleep(2 * ttl) // the stall itself
	c.etcd.Continue()
	for _, id := range ids {
		done := c.waitEnded(ms[0], id, 120*time.Second)
		if done.Status != task.Completed {
			t.Fatalf("task %s: %s %s", id, done.Status, done.Error)
		}
		t.Logf("task %s completed at attempt %d on %s", id, done.Attempt, done.Node)
		c.checkOutput(done)
	}
	c.waitViews(ms, 15*time.Second, "n1", "n2", "n3")
	c.waitNoStrays(5 * time.Second)
}

// TestEtcdRestartKeepsOwners kills etcd and starts it again on the same
// data after longer than the client waits for a lease's keep-alive: the
// members take new leases and move their owner keys onto them before the
// old leases end, so every running task completes where it ran, at its
// first attempt. (Without that, the old leases would lapse after the
// restart and every task would move.)
func TestEtcdRestartKeepsOwners(t *testing.T) {
	c := newRig(t, 100*time.Millisecond)
	c.ttl, c.workers = 3*time.Second, 3
	ms := []*member{c.start("n1", 1), c.start("n2", 2), c.start("n3", 3)}
	ins := c.captures("restart", 3, 30000)
	var ids []string
	for i := range 3 {
		code, tk := c.submit(ms[i], ins, fmt.Sprintf("restart-%d.ipfix", i), "")
		if code != 202 {
			t.Fatalf("submit: %d %+v", code, tk)
		}
		ids = append(ids, tk.ID)
	}
	c.poll(30*time.Second, "three tasks running", func() bool {
		for _, id := range ids {
			if o, _ := c.owner(id); o == "" {
				return false
			}
		}
		return true
	})
	begin := time.Now()
	c.etcd.Restart(c.ttl + c.ttl/2)
	restarted := time.Now()
	for _, id := range ids {
		done := c.waitEnded(ms[0], id, 120*time.Second)
		if done.Status != task.Completed || done.Attempt != 1 {
			t.Errorf("task %s: %s at attempt %d on %s %s", id, done.Status, done.Attempt, done.Node, done.Error)
		}
		t.Logf("task %s completed %s after etcd was back", id, time.Since(restarted).Round(time.Millisecond))
		c.checkOutput(done)
	}
	t.Logf("etcd was down %s", restarted.Sub(begin).Round(time.Millisecond))
	c.waitViews(ms, 15*time.Second, "n1", "n2", "n3")
}
