package cluster

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// TestClaimOnce lets three nodes claim each of 30 queued tasks at once:
// each task gets exactly one owner, at attempt 1.
func TestClaimOnce(t *testing.T) {
	f := newFixture(t)
	ids := f.admitN(t, 30)
	leases := []int64{int64(f.lease(t, 10)), int64(f.lease(t, 10)), int64(f.lease(t, 10))}
	var won atomic.Int64
	var wg sync.WaitGroup
	for _, id := range ids {
		for n, l := range leases {
			wg.Go(func() {
				c, err := f.store.Claim(testCtx(t), id, "n"+string(rune('1'+n)), leaseID(l))
				switch {
				case err == nil:
					won.Add(1)
					if c.Record.Task.Attempt != 1 || c.Record.Task.Status != task.Running {
						t.Errorf("claimed record: %+v", c.Record.Task)
					}
				case !errors.Is(err, ErrTaken):
					t.Errorf("claim: %v", err)
				}
			})
		}
	}
	wg.Wait()
	if won.Load() != 30 {
		t.Errorf("%d claims won, want 30", won.Load())
	}
	snap, err := f.store.Snapshot(testCtx(t))
	if err != nil || len(snap.Orphans) != 0 || len(snap.Owners) != 30 {
		t.Errorf("snapshot: %+v %v", snap, err)
	}
}

// TestFencing checks that an owner whose lease lapsed, or whose task was
// claimed again, can write nothing, and that an owner that re-attaches
// its key to a new lease before losing it keeps writing.
func TestFencing(t *testing.T) {
	f := newFixture(t)
	ctx := testCtx(t)
	id := f.admitN(t, 1)[0]
	first := f.lease(t, 10)
	c, err := f.store.Claim(ctx, id, "n1", first)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Checkpoint(ctx, c, c.Record); err != nil {
		t.Fatalf("checkpoint of the owner: %v", err)
	}
	second := f.lease(t, 10)
	if err := f.store.Reattach(ctx, c, "n1", second); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cli.Revoke(ctx, first); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Checkpoint(ctx, c, c.Record); err != nil {
		t.Fatalf("checkpoint after re-attaching: %v", err)
	}
	if _, err := f.cli.Revoke(ctx, second); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Checkpoint(ctx, c, c.Record); !errors.Is(err, ErrFenced) {
		t.Fatalf("checkpoint after the lease lapsed: %v, want ErrFenced", err)
	}
	c2, err := f.store.Claim(ctx, id, "n2", f.lease(t, 10))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Record.Task.Attempt != 2 || c2.Record.History[1].Node != "n2" {
		t.Errorf("second claim: %+v %+v", c2.Record.Task, c2.Record.History)
	}
	done := c.Record.Clone()
	done.Task.Status = task.Completed
	if err := f.store.Finish(ctx, c, done); !errors.Is(err, ErrFenced) {
		t.Errorf("finish by the old owner: %v, want ErrFenced", err)
	}
	if err := f.store.Reattach(ctx, c, "n1", f.lease(t, 10)); !errors.Is(err, ErrFenced) {
		t.Errorf("re-attach by the old owner: %v, want ErrFenced", err)
	}
	back := c2.Record.Clone()
	back.Task.Status = task.Queued
	if err := f.store.HandBack(ctx, c2, back); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Checkpoint(ctx, c2, c2.Record); !errors.Is(err, ErrFenced) {
		t.Errorf("checkpoint after handing back: %v, want ErrFenced", err)
	}
	snap, err := f.store.Snapshot(ctx)
	if err != nil || len(snap.Orphans) != 1 || snap.Orphans[0] != id {
		t.Errorf("after hand-back: %+v %v", snap, err)
	}
}

// TestCancelRequest cancels a queued task at once and records the request
// for an owned one; a claim sees the request.
func TestCancelRequest(t *testing.T) {
	f := newFixture(t)
	ctx := testCtx(t)
	ids := f.admitN(t, 2)
	rec, owner, err := f.store.RequestCancel(ctx, ids[0])
	if err != nil || owner != "" || rec.Task.Status != task.Cancelled {
		t.Fatalf("cancel of a queued task: %+v %q %v", rec, owner, err)
	}
	if _, err := f.store.Claim(ctx, ids[0], "n1", f.lease(t, 10)); !errors.Is(err, ErrNotLive) {
		t.Errorf("claim of a cancelled task: %v", err)
	}
	lease := f.lease(t, 10)
	c, err := f.store.Claim(ctx, ids[1], "n1", lease)
	if err != nil {
		t.Fatal(err)
	}
	if _, owner, err := f.store.RequestCancel(ctx, ids[1]); err != nil || owner != "n1" {
		t.Fatalf("cancel of an owned task: %q %v", owner, err)
	}
	if cancel, err := f.store.Checkpoint(ctx, c, c.Record); err != nil || !cancel {
		t.Errorf("the owner's checkpoint did not see the request: %v %v", cancel, err)
	}
	if _, err := f.cli.Revoke(ctx, lease); err != nil {
		t.Fatal(err)
	}
	c2, err := f.store.Claim(ctx, ids[1], "n2", f.lease(t, 10))
	if err != nil || !c2.CancelRequested {
		t.Errorf("a new owner did not see the request: %+v %v", c2, err)
	}
}
