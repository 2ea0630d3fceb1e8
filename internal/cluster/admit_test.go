package cluster

import (
	"fmt"
	"sync"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// TestAdmitOnce sends each of 50 requests from three clients at the same
// moment, each with its own new task id, as three nodes receiving the
// same request would: every request gets exactly one task.
func TestAdmitOnce(t *testing.T) {
	f := newFixture(t)
	const requests, nodes = 50, 3
	var mu sync.Mutex
	created := map[string][]string{} // output -> ids created
	dups := 0
	var wg sync.WaitGroup
	for i := range requests {
		out := fmt.Sprintf("/out/%d", i)
		start := make(chan struct{})
		for range nodes {
			r := newRecord(t, out)
			wg.Go(func() {
				<-start
				a, err := f.store.Admit(testCtx(t), r)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Errorf("admit: %v", err)
				case a.Created:
					created[out] = append(created[out], r.Task.ID)
				case a.Duplicate && a.Record.Task.Request.OutputPath == out:
					dups++
				default:
					t.Errorf("admit %s: %+v", out, a)
				}
			})
		}
		close(start)
	}
	wg.Wait()
	for i := range requests {
		if ids := created[fmt.Sprintf("/out/%d", i)]; len(ids) != 1 {
			t.Errorf("request %d created %d tasks", i, len(ids))
		}
	}
	if dups != requests*(nodes-1) {
		t.Errorf("%d duplicates, want %d", dups, requests*(nodes-1))
	}
	n, err := f.store.CountLive(testCtx(t))
	if err != nil || n != requests {
		t.Errorf("live tasks: %d %v, want %d", n, err, requests)
	}
}

// TestAdmitRules checks the order of the admission rules: the same
// Idempotency-Key returns its task even after it ended, unless it comes
// with another request; the same request returns the live task; another
// request for the same output is a conflict; once the task ended, the
// request and the output are free again.
func TestAdmitRules(t *testing.T) {
	f := newFixture(t)
	ctx := testCtx(t)
	first := newRecord(t, "/out/a")
	first.Task.IdempotencyKey = "key-1"
	if a, err := f.store.Admit(ctx, first); err != nil || !a.Created {
		t.Fatalf("admit: %+v %v", a, err)
	}
	cases := []struct {
		name      string
		fp, out   string
		key       string
		duplicate bool
		conflict  bool
		reused    bool
	}{
		{name: "same key", fp: first.Task.Fingerprint, out: "/out/a", key: "key-1", duplicate: true},
		{name: "same key, another request", fp: "other", out: "/out/b", key: "key-1", reused: true},
		{name: "same request", fp: first.Task.Fingerprint, out: "/out/a", duplicate: true},
		{name: "same output", fp: "other", out: "/out/a", conflict: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := newRecord(t, tc.out)
			r.Task.Fingerprint, r.Task.IdempotencyKey = tc.fp, tc.key
			a, err := f.store.Admit(ctx, r)
			if err != nil || a.Created || a.Duplicate != tc.duplicate || a.Conflict != tc.conflict ||
				a.KeyReused != tc.reused || a.Record.Task.ID != first.Task.ID {
				t.Fatalf("got %+v %v", a, err)
			}
		})
	}
	c, err := f.store.Claim(ctx, first.Task.ID, "n1", f.lease(t, 10))
	if err != nil {
		t.Fatal(err)
	}
	done := c.Record.Clone()
	done.Task.Status = task.Completed
	if err := f.store.Finish(ctx, c, done); err != nil {
		t.Fatal(err)
	}
	again := newRecord(t, "/out/a")
	again.Task.Fingerprint = first.Task.Fingerprint
	if a, err := f.store.Admit(ctx, again); err != nil || !a.Created {
		t.Errorf("after the task ended, the same request: %+v %v", a, err)
	}
	keyed := newRecord(t, "/out/a")
	keyed.Task.IdempotencyKey, keyed.Task.Fingerprint = "key-1", first.Task.Fingerprint
	if a, err := f.store.Admit(ctx, keyed); err != nil || !a.Duplicate || a.Record.Task.ID != first.Task.ID {
		t.Errorf("after the task ended, the same key: %+v %v", a, err)
	}
}

// TestAdmitStreamsOnly admits tasks without an output path (they stream
// to a collector): they claim no path, so two different ones never
// conflict.
func TestAdmitStreamsOnly(t *testing.T) {
	f := newFixture(t)
	for i := range 2 {
		r := newRecord(t, "")
		r.Task.Fingerprint = fmt.Sprintf("stream-%d", i)
		if a, err := f.store.Admit(testCtx(t), r); err != nil || !a.Created {
			t.Errorf("task %d: %+v %v", i, a, err)
		}
	}
}
