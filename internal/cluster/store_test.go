package cluster

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// TestJournalInterface uses the etcd store through journal.Store, the
// interface a single node's bbolt journal implements: tasks written with
// Put come back from Get, List (newest first, by status, in pages), Live
// and ByIdempotencyKey.
func TestJournalInterface(t *testing.T) {
	f := newFixture(t)
	var s journal.Store = f.store
	var all []*task.Task
	for i := range 7 {
		r := newRecord(t, fmt.Sprintf("/out/%d", i))
		if i%2 == 1 {
			r.Task.Status = task.Completed
		}
		r.Task.IdempotencyKey = fmt.Sprintf("k%d", i)
		all = append(all, r.Task)
	}
	if err := s.Put(all...); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(all[3].ID)
	if err != nil || got.ID != all[3].ID || got.Status != task.Completed {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := s.Get("nope"); !errors.Is(err, journal.ErrNotFound) {
		t.Errorf("get of an unknown id: %v", err)
	}
	var ids []string
	for cursor := ""; ; {
		page, next, err := s.List(task.Queued, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range page {
			ids = append(ids, x.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	want := []string{all[6].ID, all[4].ID, all[2].ID, all[0].ID}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("queued tasks newest first in pages of 2:\n got %v\nwant %v", ids, want)
	}
	live, err := s.Live()
	if err != nil || len(live) != 4 || live[0].ID != all[0].ID {
		t.Errorf("live: %d tasks %v", len(live), err)
	}
	if id, err := s.ByIdempotencyKey("k5"); err != nil || id != all[5].ID {
		t.Errorf("by idempotency key: %q %v", id, err)
	}
	all[0].Status = task.Failed
	if err := s.Put(all[0]); err != nil {
		t.Fatal(err)
	}
	if live, _ := s.Live(); len(live) != 3 {
		t.Errorf("a task put as failed is still live: %d live", len(live))
	}
}

// TestOrphanShownQueued checks that a running task whose owner's lease
// lapsed reads as queued, with no node, until another node claims it.
func TestOrphanShownQueued(t *testing.T) {
	f := newFixture(t)
	ctx := testCtx(t)
	id := f.admitN(t, 1)[0]
	lease := f.lease(t, 10)
	if _, err := f.store.Claim(ctx, id, "n1", lease); err != nil {
		t.Fatal(err)
	}
	if got, err := f.store.Task(ctx, id); err != nil || got.Status != task.Running || got.Node != "n1" {
		t.Fatalf("owned: %+v %v", got, err)
	}
	if _, err := f.cli.Revoke(ctx, lease); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.Task(ctx, id)
	if err != nil || got.Status != task.Queued || got.Node != "" {
		t.Errorf("after the owner's lease ended: %+v %v", got, err)
	}
	page, _, err := f.store.List(task.Queued, "", 10)
	if err != nil || len(page) != 1 || page[0].ID != id {
		t.Errorf("list of queued tasks: %+v %v", page, err)
	}
}
