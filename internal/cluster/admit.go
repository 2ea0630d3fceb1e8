package cluster

import (
	"context"
	"errors"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ipfixweb/ipfixweb/internal/journal"
)

// Admission is the outcome of [Store.Admit].
type Admission struct {
	// Record is the new task when Created, otherwise the task that
	// stood in the way.
	Record  *Record
	Created bool
	// Duplicate means Record is an earlier task with the same
	// Idempotency-Key, or a live task of the same normalised request:
	// the request is answered with it.
	Duplicate bool
	// Conflict means Record is another live task writing the same output
	// path.
	Conflict bool
	// KeyReused means Record is the task the request's Idempotency-Key
	// was first sent with, for another request.
	KeyReused bool
}

// Admit creates the record of a new queued task in one compare-and-swap,
// whichever node runs it: the transaction succeeds only if no task holds
// the request's Idempotency-Key, no live task has the same normalised
// request and no live task writes the same output path. Otherwise it
// returns the task that stood in the way, checked in that order (a key
// first sent with another request is KeyReused). Once it returns Created,
// the task survives any crash.
func (s *Store) Admit(ctx context.Context, r *Record) (Admission, error) {
	for range 5 {
		a, err := s.admit(ctx, r)
		if !errors.Is(err, journal.ErrNotFound) {
			return a, err
		}
		// The task in the way ended and was deleted meanwhile: try again.
	}
	return Admission{}, fmt.Errorf("admit: the tasks in the way kept changing")
}

func (s *Store) admit(ctx context.Context, r *Record) (Admission, error) {
	t := r.Task
	val, err := r.encode()
	if err != nil {
		return Admission{}, err
	}
	guards := []string{s.k.print(t.Fingerprint)}
	if t.Request.OutputPath != "" { // a task that only streams claims no path
		guards = append(guards, s.k.output(t.Request.OutputPath))
	}
	if t.IdempotencyKey != "" {
		guards = append([]string{s.k.idem(t.IdempotencyKey)}, guards...)
	}
	var cmps []clientv3.Cmp
	var orElse []clientv3.Op
	for _, g := range guards {
		cmps = append(cmps, clientv3.Compare(clientv3.CreateRevision(g), "=", 0))
		orElse = append(orElse, clientv3.OpGet(g))
	}
	then := append([]clientv3.Op{clientv3.OpPut(s.k.task(t.ID), val)}, s.indexOps(t)...)
	resp, err := s.cli.Txn(ctx).If(cmps...).Then(then...).Else(orElse...).Commit()
	if err != nil {
		return Admission{}, fmt.Errorf("admit: %w", err)
	}
	if resp.Succeeded {
		return Admission{Record: r, Created: true}, nil
	}
	for i, g := range guards {
		kvs := resp.Responses[i].GetResponseRange().Kvs
		if len(kvs) == 0 {
			continue
		}
		rec, _, err := s.Record(ctx, string(kvs[0].Value))
		if err != nil {
			return Admission{}, err
		}
		switch {
		case t.Request.OutputPath != "" && g == s.k.output(t.Request.OutputPath):
			return Admission{Record: rec, Conflict: true}, nil
		case t.IdempotencyKey != "" && g == s.k.idem(t.IdempotencyKey) &&
			rec.Task.Fingerprint != t.Fingerprint:
			return Admission{Record: rec, KeyReused: true}, nil
		}
		return Admission{Record: rec, Duplicate: true}, nil
	}
	return Admission{}, journal.ErrNotFound
}

// CountLive returns how many tasks are queued or running in the cluster.
func (s *Store) CountLive(ctx context.Context) (int64, error) {
	resp, err := s.cli.Get(ctx, s.k.lives(), clientv3.WithPrefix(), clientv3.WithCountOnly())
	if err != nil {
		return 0, fmt.Errorf("count live tasks: %w", err)
	}
	return resp.Count, nil
}

// FindKey returns the task an Idempotency-Key was first sent with, nil
// when the key is new.
func (s *Store) FindKey(ctx context.Context, key string) (*Record, error) {
	return s.follow(ctx, s.k.idem(key))
}

// FindPrint returns the live task of a normalised request (by its
// fingerprint), nil when there is none.
func (s *Store) FindPrint(ctx context.Context, fingerprint string) (*Record, error) {
	return s.follow(ctx, s.k.print(fingerprint))
}

// follow returns the task an index key names, nil when the key or the
// task is gone.
func (s *Store) follow(ctx context.Context, key string) (*Record, error) {
	resp, err := s.cli.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil, nil
	}
	rec, _, err := s.Record(ctx, string(resp.Kvs[0].Value))
	if errors.Is(err, journal.ErrNotFound) {
		return nil, nil
	}
	return rec, err
}
