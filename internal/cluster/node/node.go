package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/internal/cluster"
)

// SupervisorName is the name of the actor every node spawns to answer its
// API and the other nodes.
const SupervisorName = "supervisor"

// Node is a running cluster member. Its methods are safe for concurrent
// use.
type Node struct {
	cfg    Config
	log    *zap.Logger
	sys    *actor.ActorSystem
	cli    *clientv3.Client
	store  *cluster.Store
	view   *cluster.View
	sess   *cluster.Session
	remote *remote.Remote
	pid    *actor.PID
	met    *clusterMetrics

	ctx    context.Context // the node's lifetime: ends at Close
	cancel context.CancelFunc
	bg     sync.WaitGroup // the node's own goroutines
	reqs   sync.WaitGroup // requests being answered
	kick   chan struct{}  // wakes the sweeper

	mu       sync.Mutex
	runs     map[string]*run
	draining bool
	closed   bool // no new request goroutines
	claiming int  // claims in flight, which hold a worker
	queued   int  // live tasks without an owner at the last sweep

	fenced atomic.Int64
}

// Start connects to etcd, starts the remote endpoint and the supervisor
// actor on sys, registers the node and starts sweeping for tasks. It
// returns once the node is a member, or with an error when it could not
// become one within startLimit.
func Start(sys *actor.ActorSystem, cfg Config) (*Node, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	n := &Node{cfg: cfg, log: cfg.Log.Named("cluster"), sys: sys, runs: map[string]*run{},
		kick: make(chan struct{}, 1), met: newClusterMetrics(cfg.Metrics)}
	n.ctx, n.cancel = context.WithCancel(context.Background())
	cli, err := cluster.Connect(cfg.Etcd, cfg.Log)
	if err != nil {
		return nil, err
	}
	n.cli, n.store = cli, cluster.NewStore(cli, cfg.Prefix, 5*time.Second)
	if err := n.startRemote(); err != nil {
		_ = cli.Close()
		return nil, err
	}
	n.pid, err = sys.Root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor {
		return &supervisor{n: n}
	}), SupervisorName)
	if err != nil {
		n.stopRemote()
		_ = cli.Close()
		return nil, fmt.Errorf("start supervisor: %w", err)
	}
	n.view = cluster.NewView(cli, cfg.Prefix, cfg.Log)
	n.sess = cluster.NewSession(cli, cfg.TTL, cfg.Log, n.onLease)
	n.spawn(n.view.Run)
	n.spawn(n.sess.Run)
	if err := n.waitRegistered(); err != nil {
		n.Close()
		return nil, err
	}
	n.spawn(func(ctx context.Context) { n.store.WatchOwnerDeletes(ctx, n.kick) })
	n.spawn(n.sweepLoop)
	n.log.Info("joined the cluster", zap.String("node", cfg.Name), zap.String("remote", n.Address()),
		zap.Strings("etcd", cfg.Etcd), zap.Duration("ttl", n.sess.TTL()))
	return n, nil
}

// startLimit bounds how long Start waits to register.
const startLimit = 30 * time.Second

func (n *Node) waitRegistered() error {
	t := time.NewTimer(startLimit)
	defer t.Stop()
	select {
	case <-n.sess.Ready():
		return nil
	case <-t.C:
		return fmt.Errorf("could not register in etcd %v within %s", n.cfg.Etcd, startLimit)
	}
}

// spawn runs fn in a goroutine the node owns until Close.
func (n *Node) spawn(fn func(ctx context.Context)) {
	n.bg.Go(func() { fn(n.ctx) })
}

// PID returns the supervisor actor.
func (n *Node) PID() *actor.PID { return n.pid }

// Store returns the cluster's task store.
func (n *Node) Store() *cluster.Store { return n.store }

// Address returns the node's remote address as other nodes see it.
func (n *Node) Address() string { return n.sys.ProcessRegistry.Address }

// onLease re-attaches the owner keys of the running tasks to a new lease,
// then registers the member on it. A task whose key is gone, or claimed by
// another node meanwhile, is no longer this node's: its run stops without
// writing anything.
func (n *Node) onLease(ctx context.Context, lease, old clientv3.LeaseID) error {
	for _, r := range n.running() {
		err := n.store.Reattach(ctx, r.claim, n.cfg.Name, lease)
		switch {
		case errors.Is(err, cluster.ErrFenced):
			n.fencedWrite(r, "re-attach")
			r.lose()
		case err != nil:
			return err
		}
	}
	if n.isDraining() {
		return nil
	}
	return n.store.Register(ctx, n.member(), lease, old)
}

func (n *Node) member() cluster.Member {
	return cluster.Member{Name: n.cfg.Name, Remote: n.Address(), HTTP: n.cfg.HTTP,
		Workers: n.cfg.Workers, Queue: n.cfg.Queue, Since: time.Now().UTC()}
}

// running returns the runs of this node.
func (n *Node) running() []*run {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]*run, 0, len(n.runs))
	for _, r := range n.runs {
		out = append(out, r)
	}
	return out
}

func (n *Node) isDraining() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.draining
}

// fencedWrite counts and logs a write the fence refused.
func (n *Node) fencedWrite(r *run, what string) {
	n.fenced.Add(1)
	n.met.fenced.Inc()
	n.log.Warn("write refused: the task belongs to another node now",
		zap.String("task_id", r.claim.ID), zap.Int("attempt", r.claim.Record.Task.Attempt),
		zap.String("write", what))
}

// Drain leaves the cluster gracefully: the node leaves the member list,
// hands every running task back as queued with a fenced write (another
// node claims it at once and goes on from its checkpoint), stops the runs
// and then closes. It returns how many tasks it handed back.
func (n *Node) Drain(ctx context.Context) int {
	n.mu.Lock()
	n.draining = true
	n.mu.Unlock()
	lease := n.sess.Lease()
	if err := n.store.Deregister(ctx, n.cfg.Name, lease); err != nil {
		n.log.Warn("leave the member list", zap.Error(err))
	}
	handed := 0
	for _, r := range n.running() {
		if r.handBack(ctx) {
			handed++
		}
	}
	for _, r := range n.running() {
		select {
		case <-r.done:
		case <-ctx.Done():
		}
	}
	n.log.Info("left the cluster", zap.Int("tasks_handed_back", handed))
	n.Close()
	return handed
}

// Close stops the node at once: its runs stop writing, its lease is
// revoked (what it owned is taken over by others) and its connections
// close. Drain first to hand tasks over without waiting for that.
func (n *Node) Close() {
	n.mu.Lock()
	n.draining = true
	n.mu.Unlock()
	for _, r := range n.running() {
		r.lose()
	}
	for _, r := range n.running() {
		<-r.done
	}
	var lease clientv3.LeaseID
	if n.sess != nil {
		lease = n.sess.Lease()
	}
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.cancel()
	n.bg.Wait()
	if lease != 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		if _, err := n.cli.Revoke(ctx, lease); err != nil {
			n.log.Warn("revoke lease", zap.Error(err))
		}
		cancel()
	}
	n.reqs.Wait()
	if n.pid != nil {
		n.sys.Root.Stop(n.pid)
	}
	n.stopRemote()
	_ = n.cli.Close()
}
