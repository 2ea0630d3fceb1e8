package cluster

import (
	"context"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// LeaseFunc is called by a [Session] with each new lease, and with the
// lease it replaces (0 for the first). It registers the node and
// re-attaches what hung on the old lease. An error makes the session call
// it again a moment later, as long as the lease lives.
type LeaseFunc func(ctx context.Context, lease, old clientv3.LeaseID) error

// Session keeps one lease alive for a node: its member key and the owner
// keys of its tasks hang on it, so they vanish together when the node
// dies. The etcd client gives up on a lease that got no keep-alive answer
// for one TTL; the session then grants a new lease and calls its
// LeaseFunc. Safe for concurrent use.
type Session struct {
	cli     *clientv3.Client
	ttl     time.Duration
	log     *zap.Logger
	onLease LeaseFunc

	mu    sync.Mutex
	lease clientv3.LeaseID
	ready chan struct{}
	once  sync.Once
}

// NewSession returns a session of ttl (at least 1 s; 0 means
// [DefaultTTL]). It does nothing until Run.
func NewSession(cli *clientv3.Client, ttl time.Duration, log *zap.Logger,
	onLease LeaseFunc) *Session {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	ttl = max(ttl, time.Second)
	if log == nil {
		log = zap.NewNop()
	}
	return &Session{cli: cli, ttl: ttl, log: log.Named("session"), onLease: onLease,
		ready: make(chan struct{})}
}

// TTL returns the lease time.
func (s *Session) TTL() time.Duration { return s.ttl }

// Lease returns the lease in force, or 0 while there is none (before the
// first grant, and between losing a lease and registering on the next).
func (s *Session) Lease() clientv3.LeaseID {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lease
}

// Ready is closed once the first lease is granted and registered.
func (s *Session) Ready() <-chan struct{} { return s.ready }

// Run keeps a lease until ctx ends. It does not revoke the last lease:
// call Revoke for that.
func (s *Session) Run(ctx context.Context) {
	var old clientv3.LeaseID
	delay := backoff{min: 100 * time.Millisecond, max: min(s.ttl/4, 500*time.Millisecond)}
	for ctx.Err() == nil {
		lease, err := s.hold(ctx, old)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("no session lease", zap.Error(err))
			}
			delay.wait(ctx)
			continue
		}
		delay.reset()
		old = lease
	}
}

// hold grants a lease, registers it and keeps it alive until it is lost
// or ctx ends. It returns the lease it held.
func (s *Session) hold(ctx context.Context, old clientv3.LeaseID) (clientv3.LeaseID, error) {
	gctx, cancel := context.WithTimeout(ctx, s.ttl)
	g, err := s.cli.Grant(gctx, int64(s.ttl/time.Second))
	cancel()
	if err != nil {
		return 0, fmt.Errorf("grant lease: %w", err)
	}
	lease := g.ID
	kctx, stop := context.WithCancel(ctx)
	defer stop()
	alive, err := s.cli.KeepAlive(kctx, lease)
	if err != nil {
		return 0, fmt.Errorf("keep lease alive: %w", err)
	}
	if !s.register(ctx, lease, old, alive) {
		return 0, fmt.Errorf("lease %x lost before the node registered", int64(lease))
	}
	s.mu.Lock()
	s.lease = lease
	s.mu.Unlock()
	s.once.Do(func() { close(s.ready) })
	s.log.Info("session lease granted", zap.Int64("lease", int64(lease)),
		zap.Int64("replaces", int64(old)))
	for range alive {
	}
	s.mu.Lock()
	s.lease = 0
	s.mu.Unlock()
	if ctx.Err() == nil {
		s.log.Warn("session lease lost", zap.Int64("lease", int64(lease)))
	}
	return lease, nil
}

// register calls onLease until it succeeds, the lease is lost or ctx
// ends. It reports whether it succeeded.
func (s *Session) register(ctx context.Context, lease, old clientv3.LeaseID,
	alive <-chan *clientv3.LeaseKeepAliveResponse) bool {
	delay := backoff{min: 100 * time.Millisecond, max: s.ttl / 4}
	for {
		err := s.onLease(ctx, lease, old)
		if err == nil {
			return true
		}
		s.log.Warn("register on new lease", zap.Int64("lease", int64(lease)), zap.Error(err))
		for waited := false; !waited; {
			select {
			case <-ctx.Done():
				return false
			case _, ok := <-alive:
				if !ok {
					return false
				}
			case <-time.After(delay.next()):
				waited = true
			}
		}
	}
}

// backoff doubles a delay from min to max.
type backoff struct {
	min, max, cur time.Duration
}

func (b *backoff) next() time.Duration {
	if b.cur == 0 {
		b.cur = b.min
	} else {
		b.cur = min(2*b.cur, b.max)
	}
	return b.cur
}

func (b *backoff) reset() { b.cur = 0 }

func (b *backoff) wait(ctx context.Context) {
	t := time.NewTimer(b.next())
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
