package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Why a run stops before its task ends.
var (
	errLost            = errors.New("task ownership lost")
	errHandedBack      = errors.New("task handed back to the cluster")
	errCancelRequested = errors.New("cancel requested")
	errTimedOut        = errors.New("task timeout")
)

// run is one attempt of a task on this node: from the claim until the
// task ends, is handed back, or the node loses it. Its etcd writes are
// fenced by the claim and made one at a time.
type run struct {
	n     *Node
	claim *cluster.Claim
	id    string
	log   *zap.Logger
	began time.Time

	ctx    context.Context // the pipeline's; its cause says why it stopped
	stopFn context.CancelCauseFunc
	untime context.CancelFunc // releases the task timeout
	done   chan struct{}      // closed when main returns
	gone   chan struct{}      // closed when the task is no longer ours
	once   sync.Once

	writeMu sync.Mutex // one etcd write at a time

	mu      sync.Mutex
	rec     *cluster.Record  // what the owner last wrote or will write next
	cur     *actors.Progress // of the segment being converted
	counted actors.Progress  // what the metrics have of it
}

func newRun(n *Node, c *cluster.Claim) *run {
	r := &run{n: n, claim: c, id: c.ID, began: time.Now(), rec: c.Record.Clone(),
		log:  n.log.With(zap.String("task_id", c.ID), zap.Int("attempt", c.Record.Task.Attempt)),
		done: make(chan struct{}), gone: make(chan struct{})}
	base, stop := context.WithCancelCause(n.ctx)
	r.ctx, r.untime = context.WithTimeoutCause(base, n.cfg.TaskTimeout, errTimedOut)
	r.stopFn = stop
	return r
}

// stop ends the pipeline with cause.
func (r *run) stop(cause error) { r.stopFn(cause) }

// lose marks the task as no longer this node's: nothing more is written.
func (r *run) lose() {
	r.once.Do(func() { close(r.gone) })
	r.stop(errLost)
}

func (r *run) isGone() bool {
	select {
	case <-r.gone:
		return true
	default:
		return false
	}
}

// main runs the task from its checkpoint to its end.
func (r *run) main() {
	defer func() {
		r.stop(context.Canceled)
		r.untime()
		close(r.done)
		r.n.release(r)
	}()
	t := r.rec.Task
	r.log.Info("task started", zap.Int("from_input", r.rec.Checkpoint.InputsDone()),
		zap.Int("inputs", len(t.Request.PcapFiles)))
	switch {
	case r.claim.CancelRequested:
		r.finish(task.Cancelled, "cancelled while queued", nil, nil)
		return
	case vanished(r.rec) >= r.n.cfg.MaxAttempts:
		r.finish(task.Failed, fmt.Sprintf("gave up after %d attempts whose node died or lost "+
			"the task", vanished(r.rec)), nil, nil)
		return
	}
	spec, err := r.n.cfg.Spec(t)
	if err == nil {
		err = r.visible(spec)
	}
	if err != nil {
		r.finish(task.Failed, err.Error(), nil, nil)
		return
	}
	r.removeStrays(spec.Output)
	if r.rec.Publish != nil {
		r.adopt(spec)
		return
	}
	if r.convertAll(spec) {
		r.publish(spec)
	}
}

// vanished counts the earlier attempts that ended without a word: their
// node died or lost the task. Tasks handed back by a draining node do not
// count.
func vanished(rec *cluster.Record) int {
	n := 0
	for _, a := range rec.History[:max(0, len(rec.History)-1)] {
		if a.Ended == nil {
			n++
		}
	}
	return n
}

// convertAll converts the segments after the checkpoint, one at a time,
// writing a checkpoint after each. It reports whether every input is
// done.
func (r *run) convertAll(spec actors.Spec) bool {
	stopTicks := r.tickCheckpoints()
	defer stopTicks()
	segs := cluster.Segments(len(spec.Inputs))
	for i := len(r.rec.Checkpoint.Parts); i < len(segs); i++ {
		part, err := r.convert(spec, i, segs[i])
		if err != nil {
			r.stopped(err)
			return false
		}
		if !r.addPart(part) {
			return false
		}
	}
	return true
}

// stopped records why the pipeline stopped early, unless the task is no
// longer this node's.
func (r *run) stopped(err error) {
	switch {
	case errors.Is(err, errLost), errors.Is(err, errHandedBack), errors.Is(err, context.Canceled):
		r.log.Info("run stopped", zap.NamedError("reason", err))
	case errors.Is(err, errCancelRequested):
		r.finish(task.Cancelled, "cancelled while running", nil, nil)
	case errors.Is(err, errTimedOut):
		reason := fmt.Sprintf("task ran past its timeout of %s", r.n.cfg.TaskTimeout)
		r.finish(task.TimedOut, reason, nil, nil)
	default:
		r.finish(task.Failed, err.Error(), nil, nil)
	}
}

// errGone means the task stopped being this node's before a write.
var errGone = errors.New("task no longer owned")

// errMaybeApplied joins a refused write when an earlier try of it failed
// without an answer: that try may have been applied.
var errMaybeApplied = errors.New("an earlier try may have been applied")

// surelyRefused reports whether err says a write was refused and none of
// its tries was applied: only then may the files it would have named be
// removed.
func surelyRefused(err error) bool {
	return errors.Is(err, cluster.ErrFenced) && !errors.Is(err, errMaybeApplied)
}

// persist makes one fenced write, built by op at the time it is sent, and
// retries it while etcd fails: whether the task is still ours is for the
// fence to say, not for a timeout. It gives up when the fence refuses
// (the task is lost) or the node closes.
func (r *run) persist(what string, op func(ctx context.Context) error) error {
	delay := 100 * time.Millisecond
	unsure := false
	for {
		err := r.tryWrite(op)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, cluster.ErrFenced):
			r.n.fencedWrite(r, what)
			r.lose()
			if unsure {
				return errors.Join(err, errMaybeApplied)
			}
			return err
		case errors.Is(err, errGone), r.n.ctx.Err() != nil:
			return errors.Join(errGone, errMaybeApplied)
		}
		unsure = true
		r.log.Warn("etcd write failed; trying again", zap.String("write", what), zap.Error(err))
		select {
		case <-r.gone:
		case <-r.n.ctx.Done():
		case <-time.After(delay):
		}
		delay = min(2*delay, 2*time.Second)
	}
}

// tryWrite makes one write, unless the task is gone.
func (r *run) tryWrite(op func(ctx context.Context) error) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.isGone() {
		return errGone
	}
	ctx, cancel := context.WithTimeout(r.n.ctx, 3*time.Second)
	defer cancel()
	return op(ctx)
}

// tickCheckpoints writes the task's progress every CheckpointEvery until
// the returned function is called. A write refused by the fence stops the
// run; a cancel request seen in etcd stops it as cancelled.
func (r *run) tickCheckpoints() func() {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(r.n.cfg.CheckpointEvery)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			var cancelled bool
			err := r.tryWrite(func(ctx context.Context) error {
				var err error
				cancelled, err = r.n.store.Checkpoint(ctx, r.claim, r.record())
				return err
			})
			switch {
			case errors.Is(err, cluster.ErrFenced):
				r.n.fencedWrite(r, "progress")
				r.lose()
			case cancelled:
				r.stop(errCancelRequested)
			}
		}
	})
	return sync.OnceFunc(func() { close(quit); wg.Wait() })
}

// handBack gives the task back to the cluster as queued, keeping its
// checkpoint, and stops the run. It reports whether the write was made.
func (r *run) handBack(ctx context.Context) bool {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	if r.isGone() {
		return false
	}
	rec := r.record()
	now := time.Now().UTC()
	t := rec.Task
	t.Status, t.Node, t.StartedAt = task.Queued, "", nil
	rec.End("handed_back", now)
	var err error
	for range 3 {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		err = r.n.store.HandBack(wctx, r.claim, rec)
		cancel()
		if err == nil || errors.Is(err, cluster.ErrFenced) || ctx.Err() != nil {
			break
		}
	}
	r.once.Do(func() { close(r.gone) })
	r.stop(errHandedBack)
	if err != nil {
		if errors.Is(err, cluster.ErrFenced) {
			r.n.fencedWrite(r, "hand back")
		}
		r.log.Warn("hand back", zap.Error(err))
		return false
	}
	r.log.Info("task handed back", zap.Int("inputs_done", rec.Checkpoint.InputsDone()))
	return true
}
