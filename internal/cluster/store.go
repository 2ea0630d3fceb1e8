package cluster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.etcd.io/etcd/api/v3/mvccpb"
	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Store keeps the tasks of a cluster in etcd. It implements
// [journal.Store], the task store a single node keeps in bbolt, and adds
// the operations of a cluster: admission, claims and fenced writes. Safe
// for concurrent use.
type Store struct {
	cli     *clientv3.Client
	k       keys
	timeout time.Duration
}

var _ journal.Store = (*Store)(nil)

// NewStore returns the store of the deployment under prefix ("" means
// [DefaultPrefix]). Calls without a context of their own (those of
// journal.Store) give up after timeout; 0 means 5 s.
func NewStore(cli *clientv3.Client, prefix string, timeout time.Duration) *Store {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	return &Store{cli: cli, k: newKeys(prefix), timeout: timeout}
}

func (s *Store) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.timeout)
}

// Record returns the record of task id and its modification revision.
func (s *Store) Record(ctx context.Context, id string) (*Record, int64, error) {
	resp, err := s.cli.Get(ctx, s.k.task(id))
	if err != nil {
		return nil, 0, fmt.Errorf("read task %s: %w", id, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, 0, journal.ErrNotFound
	}
	kv := resp.Kvs[0]
	r, err := decodeRecord(string(kv.Key), kv.Value)
	if err != nil {
		return nil, 0, err
	}
	return r, kv.ModRevision, nil
}

// Get implements journal.Store, as [Store.Task] does.
func (s *Store) Get(id string) (*task.Task, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	return s.Task(ctx, id)
}

// Task returns task id as the API shows it: read with its owner key at
// one revision, so every node gives the same answer. A task whose record
// says running but which has no owner (its node died; it waits for its
// next claim) is shown as queued.
func (s *Store) Task(ctx context.Context, id string) (*task.Task, error) {
	resp, err := s.cli.Txn(ctx).Then(clientv3.OpGet(s.k.task(id)),
		clientv3.OpGet(s.k.owner(id), clientv3.WithCountOnly())).Commit()
	if err != nil {
		return nil, fmt.Errorf("read task %s: %w", id, err)
	}
	kvs := resp.Responses[0].GetResponseRange().Kvs
	if len(kvs) == 0 {
		return nil, journal.ErrNotFound
	}
	r, err := decodeRecord(string(kvs[0].Key), kvs[0].Value)
	if err != nil {
		return nil, err
	}
	return present(r.Task, resp.Responses[1].GetResponseRange().Count > 0), nil
}

// present shows a running task nobody owns as queued.
func present(t *task.Task, owned bool) *task.Task {
	if t.Status == task.Running && !owned {
		t.Status, t.Node, t.StartedAt = task.Queued, "", nil
	}
	return t
}

// List implements journal.Store. Task ids sort in the order of
// submission, so the newest task has the last key.
func (s *Store) List(status task.Status, after string, limit int) ([]*task.Task, string, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	end := prefixEnd(s.k.tasks())
	if after != "" {
		end = s.k.task(after)
	}
	page := int64(max(limit+1, 64))
	var out []*task.Task
	for {
		kvs, more, owned, err := s.page(ctx, end, page)
		if err != nil {
			return nil, "", err
		}
		for _, kv := range kvs {
			r, err := decodeRecord(string(kv.Key), kv.Value)
			if err != nil {
				return nil, "", err
			}
			t := present(r.Task, owned[r.Task.ID])
			if status != "" && t.Status != status {
				continue
			}
			if len(out) == limit {
				return out, out[len(out)-1].ID, nil
			}
			out = append(out, t)
		}
		if !more || len(kvs) == 0 {
			return out, "", nil
		}
		end = string(kvs[len(kvs)-1].Key)
	}
}

// page reads up to n task records before the key end, newest first, and
// the owned tasks, at one revision.
func (s *Store) page(ctx context.Context, end string, n int64) ([]*mvccpb.KeyValue, bool,
	map[string]bool, error) {
	resp, err := s.cli.Txn(ctx).Then(
		clientv3.OpGet(s.k.tasks(), clientv3.WithRange(end),
			clientv3.WithSort(clientv3.SortByKey, clientv3.SortDescend), clientv3.WithLimit(n)),
		clientv3.OpGet(s.k.owners(), clientv3.WithPrefix(), clientv3.WithKeysOnly()),
	).Commit()
	if err != nil {
		return nil, false, nil, fmt.Errorf("list tasks: %w", err)
	}
	owned := map[string]bool{}
	for _, kv := range resp.Responses[1].GetResponseRange().Kvs {
		owned[strings.TrimPrefix(string(kv.Key), s.k.owners())] = true
	}
	r := resp.Responses[0].GetResponseRange()
	return r.Kvs, r.More, owned, nil
}

// Live implements journal.Store.
func (s *Store) Live() ([]*task.Task, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Get(ctx, s.k.lives(), clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return nil, fmt.Errorf("list live tasks: %w", err)
	}
	var out []*task.Task
	for batch := range slices.Chunk(resp.Kvs, 64) {
		ops := make([]clientv3.Op, len(batch))
		for i, kv := range batch {
			ops[i] = clientv3.OpGet(s.k.task(strings.TrimPrefix(string(kv.Key), s.k.lives())))
		}
		tr, err := s.cli.Txn(ctx).Then(ops...).Commit()
		if err != nil {
			return nil, fmt.Errorf("read live tasks: %w", err)
		}
		for _, r := range tr.Responses {
			for _, kv := range r.GetResponseRange().Kvs {
				rec, err := decodeRecord(string(kv.Key), kv.Value)
				if err != nil {
					return nil, err
				}
				if rec.Task.Status.Live() {
					out = append(out, rec.Task)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b *task.Task) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// ByIdempotencyKey implements journal.Store.
func (s *Store) ByIdempotencyKey(key string) (string, error) {
	ctx, cancel := s.ctx()
	defer cancel()
	resp, err := s.cli.Get(ctx, s.k.idem(key))
	if err != nil {
		return "", fmt.Errorf("read idempotency key: %w", err)
	}
	if len(resp.Kvs) == 0 {
		return "", journal.ErrNotFound
	}
	return string(resp.Kvs[0].Value), nil
}

// Put implements journal.Store: it writes the tasks in one transaction,
// keeping each record's checkpoint and history, and keeps the live,
// dedupe and idempotency keys in step with each task's state. It does not
// look at ownership: the cluster's own writes go through the fenced
// operations ([Store.Checkpoint], [Store.Finish], ...).
func (s *Store) Put(tasks ...*task.Task) error {
	ctx, cancel := s.ctx()
	defer cancel()
	for range 10 {
		err := s.put(ctx, tasks)
		if !errors.Is(err, errChanged) {
			return err
		}
	}
	return fmt.Errorf("put tasks: %w", errChanged)
}

var errChanged = errors.New("records changed meanwhile")

func (s *Store) put(ctx context.Context, tasks []*task.Task) error {
	var cmps []clientv3.Cmp
	var ops []clientv3.Op
	for _, t := range tasks {
		rec, rev, err := s.Record(ctx, t.ID)
		switch {
		case errors.Is(err, journal.ErrNotFound):
			rec = &Record{}
		case err != nil:
			return err
		}
		rec.Task = t
		val, err := rec.encode()
		if err != nil {
			return err
		}
		cmps = append(cmps, clientv3.Compare(clientv3.ModRevision(s.k.task(t.ID)), "=", rev))
		ops = append(ops, clientv3.OpPut(s.k.task(t.ID), val))
		ops = append(ops, s.indexOps(t)...)
	}
	resp, err := s.cli.Txn(ctx).If(cmps...).Then(ops...).Commit()
	if err != nil {
		return fmt.Errorf("put tasks: %w", err)
	}
	if !resp.Succeeded {
		return errChanged
	}
	return nil
}

// indexOps keeps the keys that index t in step with its state.
func (s *Store) indexOps(t *task.Task) []clientv3.Op {
	var ops []clientv3.Op
	if t.IdempotencyKey != "" {
		ops = append(ops, clientv3.OpPut(s.k.idem(t.IdempotencyKey), t.ID))
	}
	if !t.Status.Live() {
		return append(ops, s.endOps(t)...)
	}
	ops = append(ops, clientv3.OpPut(s.k.live(t.ID), ""), clientv3.OpPut(s.k.print(t.Fingerprint), t.ID))
	if t.Request.OutputPath != "" {
		ops = append(ops, clientv3.OpPut(s.k.output(t.Request.OutputPath), t.ID))
	}
	return ops
}

// endOps deletes the keys of a task that has ended.
func (s *Store) endOps(t *task.Task) []clientv3.Op {
	ops := []clientv3.Op{clientv3.OpDelete(s.k.live(t.ID)), clientv3.OpDelete(s.k.owner(t.ID)),
		clientv3.OpDelete(s.k.print(t.Fingerprint)), clientv3.OpDelete(s.k.cancel(t.ID))}
	if t.Request.OutputPath != "" {
		ops = append(ops, clientv3.OpDelete(s.k.output(t.Request.OutputPath)))
	}
	return ops
}

// Close implements journal.Store. The etcd client belongs to the caller,
// who closes it.
func (s *Store) Close() error { return nil }

func isLeaseNotFound(err error) bool { return errors.Is(err, rpctypes.ErrLeaseNotFound) }
