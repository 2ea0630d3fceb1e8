package e2e

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// longTask submits a task of four inputs, each a few slices of the paced
// reader long, and waits until it runs and its first input is a
// checkpoint. It returns the task id, its owner and how many inputs the
// checkpoint holds.
func (c *rig) longTask(to *member, name string) (id string, owner *member, parts int) {
	c.t.Helper()
	ins := c.captures(name, 4, 20000)
	code, tk := c.submit(to, ins, name+".ipfix", "")
	if code != 202 {
		c.t.Fatalf("submit: %d %+v", code, tk)
	}
	c.poll(60*time.Second, "a first checkpoint", func() bool {
		r := c.record(tk.ID)
		parts = len(r.Checkpoint.Parts)
		owner = c.members[r.Task.Node]
		return r.Task.Status == task.Running && parts >= 1 && parts < 4 && owner != nil
	})
	return tk.ID, owner, parts
}

// other returns a member of ms that is not m.
func other(ms []*member, m *member) *member {
	for _, x := range ms {
		if x != m {
			return x
		}
	}
	return nil
}

// waitClaim waits for a put of the owner key by a node other than old and
// returns when the test saw it.
func (c *rig) waitClaim(ev <-chan ownerEvent, old string, limit time.Duration) ownerEvent {
	c.t.Helper()
	end := time.After(limit)
	for {
		select {
		case e := <-ev:
			if e.Owner != "" && e.Owner != old {
				return e
			}
		case <-end:
			c.t.Fatalf("no node other than %s claimed the task within %s", old, limit)
		}
	}
}

// checkOutput decodes the task's output strictly and with ipfixDump, and
// checks that it holds as many records as converting each input alone.
func (c *rig) checkOutput(done task.Task) {
	c.t.Helper()
	got := ipfixcheck.Count(ipfixcheck.Decode(c.t, done.Output.Path))
	ipfixcheck.IPFIXDump(c.t, done.Output.Path, got)
	want := 0
	for _, in := range done.Request.PcapFiles {
		want += c.records(in)
	}
	if got.Data != want || uint64(got.Data) < done.Output.Records {
		c.t.Errorf("output has %d data records (status says %d flow records), inputs converted alone %d",
			got.Data, done.Output.Records, want)
	}
}

// records returns the data records of in converted alone by the binary.
func (c *rig) records(in string) int {
	c.t.Helper()
	if n, ok := c.refs[in]; ok {
		return n
	}
	ref := filepath.Join(c.t.TempDir(), "ref"+strconv.Itoa(len(c.refs))+".ipfix")
	if out, err := exec.Command(c.bin, "convert", "-q", "-o", ref, in).CombinedOutput(); err != nil {
		c.t.Fatalf("convert %s: %v\n%s", in, err, out)
	}
	c.refs[in] = ipfixcheck.Count(ipfixcheck.Decode(c.t, ref)).Data
	return c.refs[in]
}

// TestKilledOwnerTaskResumes kills the owner of a running task with
// SIGKILL: a peer claims it within the lease time and a few seconds,
// resumes it from its checkpoint and publishes one decodable output.
func TestKilledOwnerTaskResumes(t *testing.T) {
	c := newRig(t, 100*time.Millisecond)
	ms := []*member{c.start("n1", 1), c.start("n2", 2), c.start("n3", 3)}
	id, owner, parts := c.longTask(ms[0], "kill")
	ev := c.watchOwner(id)
	c.signal(owner, syscall.SIGKILL)
	killed := time.Now()
	claim := c.waitClaim(ev, owner.name, ttl+10*time.Second)
	took := claim.At.Sub(killed)
	t.Logf("%s killed with %d of 4 inputs done; %s claimed the task %s later", owner.name, parts,
		claim.Owner, took.Round(time.Millisecond))
	if took > ttl+3*time.Second {
		t.Errorf("takeover took %s, want at most the lease time %s and 3 s", took, ttl)
	}
	done := c.waitEnded(other(ms, owner), id, 90*time.Second)
	if done.Status != task.Completed || done.Attempt != 2 || done.Node != claim.Owner {
		t.Fatalf("task: %s attempt %d on %s: %s", done.Status, done.Attempt, done.Node, done.Error)
	}
	if h := c.record(id).History; len(h) != 2 || h[1].FromInput < parts {
		t.Errorf("attempts %+v: the second did not resume from the checkpoint of %d inputs", h, parts)
	}
	c.checkOutput(done)
	c.waitNoStrays(5 * time.Second)
}

// TestPausedOwnerIsFenced freezes the owner of a running task with
// SIGSTOP for two lease times: a peer takes the task over, and once woken
// the old owner writes nothing (its writes are refused), publishes
// nothing, and rejoins the cluster.
func TestPausedOwnerIsFenced(t *testing.T) {
	c := newRig(t, 100*time.Millisecond)
	ms := []*member{c.start("n1", 1), c.start("n2", 2), c.start("n3", 3)}
	id, owner, _ := c.longTask(ms[1], "pause")
	ev := c.watchOwner(id)
	c.signal(owner, syscall.SIGSTOP)
	paused := time.Now()
	claim := c.waitClaim(ev, owner.name, ttl+10*time.Second)
	if wait := 2*ttl - time.Since(paused); wait > 0 {
		time.Sleep(wait) // the pause itself: two lease times
	}
	c.signal(owner, syscall.SIGCONT)
	t.Logf("%s paused %s; %s claimed the task %s after the pause began", owner.name,
		time.Since(paused).Round(time.Millisecond), claim.Owner, claim.At.Sub(paused).Round(time.Millisecond))
	c.poll(15*time.Second, "the woken owner's writes are refused", func() bool {
		info, err := c.info(owner)
		return err == nil && info.FencedWrites >= 1
	})
	c.waitViews(ms, 15*time.Second, "n1", "n2", "n3")
	done := c.waitEnded(other(ms, owner), id, 90*time.Second)
	if done.Status != task.Completed || done.Attempt != 2 || done.Node != claim.Owner {
		t.Fatalf("task: %s attempt %d on %s: %s", done.Status, done.Attempt, done.Node, done.Error)
	}
	c.checkOutput(done)
	c.waitNoStrays(10 * time.Second)
	if sum := fileSHA(t, done.Output.Path); sum != done.Output.SHA256 {
		t.Errorf("the output's SHA-256 is %s, the task's %s: another writer replaced it", sum, done.Output.SHA256)
	}
}
