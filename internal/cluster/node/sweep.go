package node

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/internal/cluster"
)

// errBusy means the node has no free worker for another task.
var errBusy = errors.New("every worker is busy")

// kickSweep makes the sweeper look for tasks now.
func (n *Node) kickSweep() {
	select {
	case n.kick <- struct{}{}:
	default:
	}
}

// sweepLoop looks for tasks to claim every SweepEvery, and at once when an
// owner key is deleted, when the member list changes, when another node
// places a task here or when a worker frees up.
func (n *Node) sweepLoop(ctx context.Context) {
	tick := time.NewTicker(n.cfg.SweepEvery)
	defer tick.Stop()
	seen := map[string]time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-n.kick:
		case <-n.view.Changed():
		}
		n.sweep(ctx, seen)
	}
}

// sweep claims tasks nobody owns while workers are free, oldest first.
// The member placement designates claims a task at once; any other
// member claims it once it has waited three sweep periods without an
// owner (its designated member is busy, or views differ for a moment).
// seen remembers when each unowned task was first seen.
func (n *Node) sweep(ctx context.Context, seen map[string]time.Time) {
	sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	snap, err := n.store.Snapshot(sctx)
	if err != nil {
		n.log.Debug("sweep", zap.Error(err))
		return
	}
	n.mu.Lock()
	n.queued = len(snap.Orphans)
	running := len(n.runs)
	n.mu.Unlock()
	n.cfg.Metrics.Live(len(snap.Orphans), running)
	n.met.members.Set(float64(len(snap.Members)))
	now := time.Now()
	for id := range seen {
		if _, found := slices.BinarySearch(snap.Orphans, id); !found {
			delete(seen, id)
		}
	}
	if n.isDraining() || !slices.Contains(snap.Members, n.cfg.Name) {
		return
	}
	for _, id := range snap.Orphans {
		first, ok := seen[id]
		if !ok {
			seen[id], first = now, now
		}
		if cluster.Designated(id, snap.Members) != n.cfg.Name && now.Sub(first) < 3*n.cfg.SweepEvery {
			continue
		}
		err := n.claim(sctx, id)
		switch {
		case errors.Is(err, errBusy):
			return
		case err == nil, errors.Is(err, cluster.ErrTaken), errors.Is(err, cluster.ErrNotLive):
		default:
			n.log.Debug("claim", zap.String("task_id", id), zap.Error(err))
		}
	}
}

// claim takes task id if a worker is free and starts running it.
func (n *Node) claim(ctx context.Context, id string) error {
	n.mu.Lock()
	switch {
	case n.draining:
		n.mu.Unlock()
		return fmt.Errorf("node is leaving the cluster")
	case n.runs[id] != nil:
		n.mu.Unlock()
		return nil
	case len(n.runs)+n.claiming >= n.cfg.Workers:
		n.mu.Unlock()
		return errBusy
	}
	n.claiming++
	n.mu.Unlock()
	c, err := n.store.Claim(ctx, id, n.cfg.Name, n.sess.Lease())
	n.mu.Lock()
	defer n.mu.Unlock()
	n.claiming--
	if err != nil {
		return err
	}
	n.met.claims.Inc()
	if n.draining {
		// Closing: the lease's end frees the task for another node.
		return nil
	}
	r := newRun(n, c)
	n.runs[id] = r
	n.bg.Go(r.main)
	return nil
}

// release forgets a run that ended and looks for the next task.
func (n *Node) release(r *run) {
	n.mu.Lock()
	if n.runs[r.id] == r {
		delete(n.runs, r.id)
	}
	n.mu.Unlock()
	n.kickSweep()
}
