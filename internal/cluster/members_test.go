package cluster

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
)

// TestRegister checks that a node name is held by one live member: a
// second process with the name is refused, a node re-registering on a new
// lease moves its own key, and a previous run at the same address is
// replaced, its lease revoked.
func TestRegister(t *testing.T) {
	f := newFixture(t)
	ctx := testCtx(t)
	a := Member{Name: "n1", Remote: "127.0.0.1:7001"}
	l1 := f.lease(t, 30)
	if err := f.store.Register(ctx, a, l1, 0); err != nil {
		t.Fatal(err)
	}
	other := Member{Name: "n1", Remote: "127.0.0.2:7001"}
	if err := f.store.Register(ctx, other, f.lease(t, 30), 0); !errors.Is(err, ErrNameTaken) {
		t.Errorf("a second member with the name: %v, want ErrNameTaken", err)
	}
	l2 := f.lease(t, 30)
	if err := f.store.Register(ctx, a, l2, l1); err != nil {
		t.Errorf("re-register on a new lease: %v", err)
	}
	id := f.admitN(t, 1)[0]
	if _, err := f.store.Claim(ctx, id, "n1", l2); err != nil {
		t.Fatal(err)
	}
	l3 := f.lease(t, 30)
	if err := f.store.Register(ctx, a, l3, 0); err != nil {
		t.Errorf("a new run at the same address: %v", err)
	}
	snap, err := f.store.Snapshot(ctx)
	if err != nil || len(snap.Orphans) != 1 {
		t.Errorf("the previous run's task was not freed: %+v %v", snap, err)
	}
	if err := f.store.Deregister(ctx, "n1", l1); err != nil {
		t.Fatal(err)
	}
	if snap, _ := f.store.Snapshot(ctx); !slices.Equal(snap.Members, []string{"n1"}) {
		t.Errorf("deregister with a lease the key is not on removed it: %v", snap.Members)
	}
	if err := f.store.Deregister(ctx, "n1", l3); err != nil {
		t.Fatal(err)
	}
	if snap, _ := f.store.Snapshot(ctx); len(snap.Members) != 0 {
		t.Errorf("after deregister: %v", snap.Members)
	}
}

// TestViewFollows checks that a view lists the members present when it
// starts and follows those that join and leave, also across an etcd
// restart, after which it lists again.
func TestViewFollows(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	l := f.lease(t, 60)
	if err := f.store.Register(ctx, Member{Name: "a", Remote: "x:1"}, l, 0); err != nil {
		t.Fatal(err)
	}
	v := NewView(f.cli, "/t", nil)
	go v.Run(ctx)
	names := func() []string {
		var out []string
		for _, m := range v.Members() {
			out = append(out, m.Name)
		}
		return out
	}
	waitFor(t, 5*time.Second, "view lists a", func() bool { return slices.Equal(names(), []string{"a"}) })
	if err := f.store.Register(ctx, Member{Name: "b", Remote: "x:2"}, l, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "view sees b join", func() bool { return slices.Equal(names(), []string{"a", "b"}) })
	f.etcd.Restart(100 * time.Millisecond)
	if _, err := f.cli.Delete(ctx, f.store.k.member("a")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "view sees a leave after the restart",
		func() bool { return slices.Equal(names(), []string{"b"}) })
}

// TestSessionReattach stops etcd for longer than the client waits for a
// keep-alive answer and restarts it on the same data: the session grants
// a new lease and calls its LeaseFunc with the old one, so the node can
// re-attach what it owned.
func TestSessionReattach(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	var calls atomic.Int32
	var lastOld atomic.Int64
	s := NewSession(f.cli, 2*time.Second, nil, func(ctx context.Context, lease, old clientv3.LeaseID) error {
		calls.Add(1)
		lastOld.Store(int64(old))
		return f.store.Register(ctx, Member{Name: "n1", Remote: "x:1"}, lease, old)
	})
	go s.Run(ctx)
	<-s.Ready()
	first := s.Lease()
	if first == 0 || calls.Load() != 1 {
		t.Fatalf("first lease %x, %d calls", int64(first), calls.Load())
	}
	f.etcd.Restart(3 * time.Second)
	waitFor(t, 15*time.Second, "a new lease", func() bool { l := s.Lease(); return l != 0 && l != first })
	if calls.Load() < 2 || clientv3.LeaseID(lastOld.Load()) != first {
		t.Errorf("%d calls, old lease %x, want the first lease %x", calls.Load(), lastOld.Load(), int64(first))
	}
	snap, err := f.store.Snapshot(ctx)
	if err != nil || !slices.Equal(snap.Members, []string{"n1"}) {
		t.Errorf("after the restart: %+v %v", snap, err)
	}
}
