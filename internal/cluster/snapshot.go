package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Snapshot is the state a sweep decides on, read at one revision: the
// members, and which live tasks have an owner.
type Snapshot struct {
	Revision int64
	Members  []string          // names, sorted
	Orphans  []string          // live tasks nobody owns, oldest first
	Owners   map[string]string // task id -> owning node
}

// Snapshot reads the members, the live tasks and the owners in one
// transaction, so the three agree: a task seen without an owner was seen
// with the member list of that same moment.
func (s *Store) Snapshot(ctx context.Context) (*Snapshot, error) {
	resp, err := s.cli.Txn(ctx).Then(
		clientv3.OpGet(s.k.members(), clientv3.WithPrefix(), clientv3.WithKeysOnly()),
		clientv3.OpGet(s.k.lives(), clientv3.WithPrefix(), clientv3.WithKeysOnly()),
		clientv3.OpGet(s.k.owners(), clientv3.WithPrefix()),
	).Commit()
	if err != nil {
		return nil, fmt.Errorf("read cluster state: %w", err)
	}
	snap := &Snapshot{Revision: resp.Header.Revision, Owners: map[string]string{}}
	for _, kv := range resp.Responses[0].GetResponseRange().Kvs {
		snap.Members = append(snap.Members, strings.TrimPrefix(string(kv.Key), s.k.members()))
	}
	for _, kv := range resp.Responses[2].GetResponseRange().Kvs {
		snap.Owners[strings.TrimPrefix(string(kv.Key), s.k.owners())] = string(kv.Value)
	}
	for _, kv := range resp.Responses[1].GetResponseRange().Kvs {
		id := strings.TrimPrefix(string(kv.Key), s.k.lives())
		if _, owned := snap.Owners[id]; !owned {
			snap.Orphans = append(snap.Orphans, id)
		}
	}
	slices.Sort(snap.Members)
	slices.Sort(snap.Orphans)
	return snap, nil
}

// RequestCancel asks for task id to be cancelled. A task nobody owns is
// cancelled here, in a compare-and-swap. For an owned task the request is
// recorded for its owner, whose name it returns: the owner stops the task
// and writes its final state. A task that already ended gives ErrNotLive
// with its record.
func (s *Store) RequestCancel(ctx context.Context, id string) (*Record, string, error) {
	for range 5 {
		resp, err := s.cli.Txn(ctx).Then(clientv3.OpGet(s.k.task(id)),
			clientv3.OpGet(s.k.owner(id))).Commit()
		if err != nil {
			return nil, "", fmt.Errorf("cancel %s: %w", id, err)
		}
		kvs := resp.Responses[0].GetResponseRange().Kvs
		if len(kvs) == 0 {
			return nil, "", journal.ErrNotFound
		}
		rec, err := decodeRecord(string(kvs[0].Key), kvs[0].Value)
		if err != nil {
			return nil, "", err
		}
		if !rec.Task.Status.Live() {
			return rec, "", ErrNotLive
		}
		if owner := resp.Responses[1].GetResponseRange().Kvs; len(owner) > 0 {
			if _, err := s.cli.Put(ctx, s.k.cancel(id), ""); err != nil {
				return nil, "", fmt.Errorf("cancel %s: %w", id, err)
			}
			return rec, string(owner[0].Value), nil
		}
		now := time.Now().UTC()
		t := rec.Task
		t.Status, t.FinishedAt, t.Error = task.Cancelled, &now, "cancelled while queued"
		err = s.FinishUnowned(ctx, rec, kvs[0].ModRevision)
		if errors.Is(err, ErrTaken) {
			continue
		}
		return rec, "", err
	}
	return nil, "", fmt.Errorf("cancel %s: the task kept changing", id)
}

// WatchOwnerDeletes sends a value on kick each time an owner key is
// deleted, until ctx ends: a task has lost its owner and may be claimed.
// Watch errors are retried; what falls between two watches is found by
// the periodic sweep.
func (s *Store) WatchOwnerDeletes(ctx context.Context, kick chan<- struct{}) {
	delay := backoff{min: 100 * time.Millisecond, max: 2 * time.Second}
	for ctx.Err() == nil {
		wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
		ch := s.cli.Watch(wctx, s.k.owners(), clientv3.WithPrefix(), clientv3.WithFilterPut())
		for resp := range ch {
			if resp.Err() != nil {
				break
			}
			delay.reset()
			if len(resp.Events) > 0 {
				select {
				case kick <- struct{}{}:
				default:
				}
			}
		}
		cancel()
		delay.wait(ctx)
	}
}
