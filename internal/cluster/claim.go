package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Claim is a node's ownership of a task.
type Claim struct {
	ID string
	// Token is the create revision of the task's owner key: every write
	// of the owner is applied only while the key still has it.
	Token int64
	// Record is the record as claimed: running, on the claiming node,
	// its attempt counted.
	Record *Record
	// CancelRequested means a client asked to cancel the task before the
	// claim.
	CancelRequested bool
}

// Claim makes node the owner of task id, on lease. It reads the record,
// then in one transaction checks that nobody owns the task and that the
// record did not change since it was read, puts the owner key and marks
// the record running with the next attempt. It returns ErrTaken when
// another node won, ErrNotLive when the task had ended.
func (s *Store) Claim(ctx context.Context, id, node string, lease clientv3.LeaseID) (
	*Claim, error) {
	if lease == 0 {
		return nil, fmt.Errorf("claim %s: no session lease", id)
	}
	rec, rev, err := s.Record(ctx, id)
	if errors.Is(err, journal.ErrNotFound) {
		return nil, ErrNotLive
	}
	if err != nil {
		return nil, err
	}
	if !rec.Task.Status.Live() {
		return nil, ErrNotLive
	}
	next := rec.Clone()
	now := time.Now().UTC()
	t := next.Task
	t.Status, t.Node, t.Attempt, t.StartedAt, t.FinishedAt = task.Running, node, t.Attempt+1, &now, nil
	next.begin(Attempt{Attempt: t.Attempt, Node: node, FromInput: next.Checkpoint.InputsDone(),
		Began: now})
	val, err := next.encode()
	if err != nil {
		return nil, err
	}
	owner := s.k.owner(id)
	resp, err := s.cli.Txn(ctx).If(
		clientv3.Compare(clientv3.CreateRevision(owner), "=", 0),
		clientv3.Compare(clientv3.ModRevision(s.k.task(id)), "=", rev),
	).Then(
		clientv3.OpPut(owner, node, clientv3.WithLease(lease)),
		clientv3.OpPut(s.k.task(id), val),
		clientv3.OpGet(s.k.cancel(id)),
	).Commit()
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", id, err)
	}
	if !resp.Succeeded {
		return nil, ErrTaken
	}
	return &Claim{ID: id, Token: resp.Header.Revision, Record: next,
		CancelRequested: len(resp.Responses[2].GetResponseRange().Kvs) > 0}, nil
}

// fenced runs ops only while c is still the owner of its task. It returns
// ErrFenced when it is not; any other error leaves the question open (the
// write may or may not have been applied), and the caller retries.
func (s *Store) fenced(ctx context.Context, c *Claim, ops ...clientv3.Op) (
	*clientv3.TxnResponse, error) {
	resp, err := s.cli.Txn(ctx).If(
		clientv3.Compare(clientv3.CreateRevision(s.k.owner(c.ID)), "=", c.Token),
	).Then(ops...).Commit()
	if err != nil {
		return nil, fmt.Errorf("write task %s: %w", c.ID, err)
	}
	if !resp.Succeeded {
		return nil, ErrFenced
	}
	return resp, nil
}

// Checkpoint writes r as the record of c's task if c still owns it. It
// reports whether a client asked to cancel the task.
func (s *Store) Checkpoint(ctx context.Context, c *Claim, r *Record) (cancel bool, err error) {
	val, err := r.encode()
	if err != nil {
		return false, err
	}
	resp, err := s.fenced(ctx, c, clientv3.OpPut(s.k.task(c.ID), val),
		clientv3.OpGet(s.k.cancel(c.ID)))
	if err != nil {
		return false, err
	}
	return len(resp.Responses[1].GetResponseRange().Kvs) > 0, nil
}

// Finish writes r, whose task has reached a final state, if c still owns
// the task, and in the same transaction gives up the ownership and drops
// the task from the live, dedupe and output keys.
func (s *Store) Finish(ctx context.Context, c *Claim, r *Record) error {
	if r.Task.Status.Live() {
		return fmt.Errorf("finish task %s: status %s is not final", c.ID, r.Task.Status)
	}
	val, err := r.encode()
	if err != nil {
		return err
	}
	_, err = s.fenced(ctx, c, append([]clientv3.Op{clientv3.OpPut(s.k.task(c.ID), val)},
		s.endOps(r.Task)...)...)
	return err
}

// HandBack writes r, queued again, if c still owns the task, and gives up
// the ownership in the same transaction, so another node claims the task
// at once and resumes it from r's checkpoint.
func (s *Store) HandBack(ctx context.Context, c *Claim, r *Record) error {
	if r.Task.Status != task.Queued {
		return fmt.Errorf("hand back task %s: status %s is not queued", c.ID, r.Task.Status)
	}
	val, err := r.encode()
	if err != nil {
		return err
	}
	_, err = s.fenced(ctx, c, clientv3.OpPut(s.k.task(c.ID), val), clientv3.OpDelete(s.k.owner(c.ID)))
	return err
}

// Reattach moves c's owner key to lease, if c still owns the task. The
// key keeps its create revision, so c's token stays valid.
func (s *Store) Reattach(ctx context.Context, c *Claim, node string, lease clientv3.LeaseID) error {
	_, err := s.fenced(ctx, c, clientv3.OpPut(s.k.owner(c.ID), node, clientv3.WithLease(lease)))
	return err
}

// FinishUnowned gives r's task, which nobody owns, its final state, if
// its record is still at revision rev.
func (s *Store) FinishUnowned(ctx context.Context, r *Record, rev int64) error {
	val, err := r.encode()
	if err != nil {
		return err
	}
	id := r.Task.ID
	resp, err := s.cli.Txn(ctx).If(
		clientv3.Compare(clientv3.CreateRevision(s.k.owner(id)), "=", 0),
		clientv3.Compare(clientv3.ModRevision(s.k.task(id)), "=", rev),
	).Then(append([]clientv3.Op{clientv3.OpPut(s.k.task(id), val)}, s.endOps(r.Task)...)...).Commit()
	if err != nil {
		return fmt.Errorf("finish task %s: %w", id, err)
	}
	if !resp.Succeeded {
		return ErrTaken
	}
	return nil
}
