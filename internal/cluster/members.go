package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// Member is a node as the cluster sees it.
type Member struct {
	Name string `json:"name"`
	// Remote is the host:port other nodes reach its supervisor at.
	Remote string `json:"remote"`
	// HTTP is the address of its API.
	HTTP    string    `json:"http"`
	Workers int       `json:"workers"`
	Queue   int       `json:"queue"`
	Since   time.Time `json:"since"`
}

// Register puts m under its name on lease. A name is held by one live
// member at a time: the compare-and-swap succeeds only when the key is
// free, or held by this node's previous lease old (after an etcd outage
// the key may have outlived the lease the client gave up on). A key held
// by another lease at the same remote address is a previous run of this
// node, which died: this process now holds that address. Its lease is
// revoked, which also frees the tasks it owned. Any other holder gives
// ErrNameTaken.
func (s *Store) Register(ctx context.Context, m Member, lease, old clientv3.LeaseID) error {
	val, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode member: %w", err)
	}
	key := s.k.member(m.Name)
	for range 5 {
		cur, done, err := s.putIfFree(ctx, key, string(val), lease)
		if err != nil || done {
			return err
		}
		if cur == nil {
			continue // deleted meanwhile
		}
		switch held := clientv3.LeaseID(cur.Lease); {
		case held == lease || (old != 0 && held == old):
			if err := s.moveLease(ctx, key, string(val), held, lease); err != nil {
				return err
			}
			return nil
		case sameRemote(cur.Value, m.Remote):
			if _, err := s.cli.Revoke(ctx, held); err != nil && !isLeaseNotFound(err) {
				return fmt.Errorf("revoke the lease of a previous run: %w", err)
			}
		default:
			return fmt.Errorf("%w: %s", ErrNameTaken, cur.Value)
		}
	}
	return fmt.Errorf("register %s: the key kept changing", m.Name)
}

// putIfFree puts key on lease if it does not exist. Otherwise it returns
// the key as it is.
func (s *Store) putIfFree(ctx context.Context, key, val string, lease clientv3.LeaseID) (
	*mvccKV, bool, error) {
	resp, err := s.cli.Txn(ctx).If(clientv3.Compare(clientv3.CreateRevision(key), "=", 0)).
		Then(clientv3.OpPut(key, val, clientv3.WithLease(lease))).
		Else(clientv3.OpGet(key)).Commit()
	if err != nil {
		return nil, false, fmt.Errorf("register: %w", err)
	}
	if resp.Succeeded {
		return nil, true, nil
	}
	kvs := resp.Responses[0].GetResponseRange().Kvs
	if len(kvs) == 0 {
		return nil, false, nil
	}
	return &mvccKV{Lease: kvs[0].Lease, Value: kvs[0].Value}, false, nil
}

type mvccKV struct {
	Lease int64
	Value []byte
}

// moveLease puts key on lease if it still hangs on held.
func (s *Store) moveLease(ctx context.Context, key, val string,
	held, lease clientv3.LeaseID) error {
	resp, err := s.cli.Txn(ctx).If(clientv3.Compare(clientv3.LeaseValue(key), "=", held)).
		Then(clientv3.OpPut(key, val, clientv3.WithLease(lease))).Commit()
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	if !resp.Succeeded {
		return fmt.Errorf("register: the member key changed meanwhile")
	}
	return nil
}

func sameRemote(v []byte, remote string) bool {
	var m Member
	return json.Unmarshal(v, &m) == nil && m.Remote == remote && remote != ""
}

// Deregister deletes the member key of name if it hangs on lease: the node
// leaves the member list but keeps its lease, and with it the tasks it
// owns, until it hands them back.
func (s *Store) Deregister(ctx context.Context, name string, lease clientv3.LeaseID) error {
	key := s.k.member(name)
	_, err := s.cli.Txn(ctx).If(clientv3.Compare(clientv3.LeaseValue(key), "=", lease)).
		Then(clientv3.OpDelete(key)).Commit()
	if err != nil {
		return fmt.Errorf("deregister: %w", err)
	}
	return nil
}
