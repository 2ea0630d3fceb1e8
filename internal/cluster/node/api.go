package node

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/cluster/clusterpb"
	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// askLimit bounds the etcd work of one API request; the HTTP layer waits
// a little longer for the answer.
const askLimit = 4 * time.Second

// submit admits a task for the whole cluster, with the rules of a single
// node: an Idempotency-Key seen before gets its task (or 422 when it came
// with another request), the same live request gets its task, then a
// draining node or a full cluster refuses. The answer comes once the
// record is in etcd; the node placement chooses is told afterwards, and
// claims the task from etcd.
func (n *Node) submit(ctx context.Context, m *actors.Submit) *actors.SubmitReply {
	ctx, cancel := context.WithTimeout(ctx, askLimit)
	defer cancel()
	rec, err := n.newRecord(m)
	if err != nil {
		return &actors.SubmitReply{Err: err}
	}
	if r := n.earlier(ctx, rec.Task); r != nil {
		return r
	}
	if n.isDraining() {
		n.cfg.Metrics.Submission("draining")
		return &actors.SubmitReply{Err: actors.ErrDraining}
	}
	if full, err := n.full(ctx); err != nil || full {
		if err == nil {
			n.cfg.Metrics.Submission("queue_full")
			err = actors.ErrQueueFull
		}
		return &actors.SubmitReply{Err: err}
	}
	a, err := n.store.Admit(ctx, rec)
	switch {
	case err != nil:
		n.cfg.Metrics.Submission("error")
		return &actors.SubmitReply{Err: err}
	case a.Conflict:
		n.cfg.Metrics.Submission("conflict")
		return &actors.SubmitReply{Err: &actors.ConflictError{Path: m.Request.OutputPath,
			TaskID: a.Record.Task.ID}}
	case a.KeyReused:
		n.cfg.Metrics.Submission("key_reused")
		return &actors.SubmitReply{Err: &actors.KeyReusedError{Key: m.IdempotencyKey,
			TaskID: a.Record.Task.ID}}
	case a.Duplicate:
		n.cfg.Metrics.Submission("duplicate")
		return &actors.SubmitReply{Task: a.Record.Task}
	}
	n.cfg.Metrics.Submission("accepted")
	n.log.Info("task accepted", zap.String("task_id", rec.Task.ID),
		zap.Strings("pcap_files", m.Request.PcapFiles), zap.String("output_path", m.Request.OutputPath),
		zap.String("collector", m.Request.Collector), zap.Bool("dpi", m.Request.DPI))
	n.place(rec.Task.ID)
	return &actors.SubmitReply{Task: rec.Task.Clone(), Created: true}
}

// earlier answers a request with the task it repeats: the task of its
// Idempotency-Key, or the live task of the same request. It returns nil
// when there is none; the admission's compare-and-swap settles races.
func (n *Node) earlier(ctx context.Context, t *task.Task) *actors.SubmitReply {
	if t.IdempotencyKey != "" {
		if r := n.findKey(ctx, t.IdempotencyKey, t.Fingerprint); r.Task != nil || r.Err != nil {
			return r
		}
	}
	rec, err := n.store.FindPrint(ctx, t.Fingerprint)
	switch {
	case err != nil:
		return &actors.SubmitReply{Err: err}
	case rec != nil:
		n.cfg.Metrics.Submission("duplicate")
		return &actors.SubmitReply{Task: rec.Task}
	}
	return nil
}

// findKey answers for an Idempotency-Key: the task it was first sent
// with, a [*actors.KeyReusedError] when that task was for another request
// (print is the fingerprint of this one), or an empty reply for a new key.
func (n *Node) findKey(ctx context.Context, key, print string) *actors.SubmitReply {
	rec, err := n.store.FindKey(ctx, key)
	switch {
	case err != nil:
		return &actors.SubmitReply{Err: err}
	case rec == nil:
		return &actors.SubmitReply{}
	case rec.Task.Fingerprint != print:
		n.cfg.Metrics.Submission("key_reused")
		return &actors.SubmitReply{Err: &actors.KeyReusedError{Key: key, TaskID: rec.Task.ID}}
	}
	n.cfg.Metrics.Submission("duplicate")
	return &actors.SubmitReply{Task: rec.Task}
}

func (n *Node) newRecord(m *actors.Submit) (*cluster.Record, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("new task id: %w", err)
	}
	t := &task.Task{ID: id.String(), Status: task.Queued, Request: m.Request,
		IdempotencyKey: m.IdempotencyKey, Fingerprint: actors.Fingerprint(m.Request),
		SubmittedAt: time.Now().UTC(), Errors: []task.FileError{},
		Progress: task.Progress{FilesTotal: len(m.Request.PcapFiles)}}
	return &cluster.Record{Task: t}, nil
}

// full reports whether the cluster holds as many live tasks as its
// members have workers and queue places together. Two nodes admitting at
// the same moment may both pass: the limit is a soft one.
func (n *Node) full(ctx context.Context) (bool, error) {
	live, err := n.store.CountLive(ctx)
	if err != nil {
		return false, err
	}
	room := 0
	for _, m := range n.view.Members() {
		room += m.Workers + m.Queue
	}
	return live >= int64(max(room, n.cfg.Workers+n.cfg.Queue)), nil
}

// place tells the node rendezvous hashing designates for task id to
// claim it now.
func (n *Node) place(id string) {
	var names []string
	for _, m := range n.view.Members() {
		names = append(names, m.Name)
	}
	switch to := cluster.Designated(id, names); to {
	case "":
	case n.cfg.Name:
		n.kickSweep()
	default:
		n.tell(to, &clusterpb.TaskPlaced{TaskId: id, FromNode: n.cfg.Name})
	}
}

func (n *Node) get(ctx context.Context, id string) *actors.TaskReply {
	ctx, cancel := context.WithTimeout(ctx, askLimit)
	defer cancel()
	t, err := n.store.Task(ctx, id)
	return &actors.TaskReply{Task: t, Err: err}
}

func (n *Node) list(ctx context.Context, m *actors.ListTasks) *actors.ListReply {
	limit := m.Limit
	if limit <= 0 {
		limit = 100
	}
	if m.After != "" {
		ctx, cancel := context.WithTimeout(ctx, askLimit)
		defer cancel()
		if _, err := n.store.Task(ctx, m.After); err != nil {
			if errors.Is(err, journal.ErrNotFound) {
				err = actors.ErrBadCursor
			}
			return &actors.ListReply{Err: err}
		}
	}
	tasks, next, err := n.store.List(m.Status, m.After, limit)
	return &actors.ListReply{Tasks: tasks, Next: next, Err: err}
}

// cancelTask cancels a task wherever it runs: a queued task at once, a
// running one by its owner, which is told through etcd and by a message.
// The answer waits, within askLimit, for the task's final state.
func (n *Node) cancelTask(ctx context.Context, id string) *actors.TaskReply {
	ctx, cancel := context.WithTimeout(ctx, askLimit)
	defer cancel()
	rec, owner, err := n.store.RequestCancel(ctx, id)
	switch {
	case errors.Is(err, cluster.ErrNotLive):
		return &actors.TaskReply{Task: rec.Task, Err: actors.ErrFinished}
	case err != nil:
		return &actors.TaskReply{Err: err}
	case owner == "":
		n.log.Info("task cancelled while queued", zap.String("task_id", id))
		return &actors.TaskReply{Task: rec.Task}
	case owner == n.cfg.Name:
		n.cancelLocal(id)
	default:
		n.tell(owner, &clusterpb.CancelRequested{TaskId: id, FromNode: n.cfg.Name})
	}
	for {
		cur, _, err := n.store.Record(ctx, id)
		if err == nil && !cur.Task.Status.Live() {
			if cur.Task.Status != task.Cancelled {
				// It ended another way before it could be stopped.
				return &actors.TaskReply{Task: cur.Task, Err: actors.ErrFinished}
			}
			return &actors.TaskReply{Task: cur.Task}
		}
		select {
		case <-ctx.Done():
			return &actors.TaskReply{Task: rec.Task}
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// cancelLocal stops the run of task id on this node, if there is one;
// the run then records the task as cancelled.
func (n *Node) cancelLocal(id string) bool {
	n.mu.Lock()
	r := n.runs[id]
	n.mu.Unlock()
	if r == nil {
		return false
	}
	r.stop(errCancelRequested)
	return true
}

// placed claims a task another node admitted and placement gave to this
// one.
func (n *Node) placed(ctx context.Context, m *clusterpb.TaskPlaced) *clusterpb.Ack {
	ctx, cancel := context.WithTimeout(ctx, askLimit)
	defer cancel()
	ack := &clusterpb.Ack{Node: n.cfg.Name}
	err := n.claim(ctx, m.TaskId)
	switch {
	case err == nil:
		ack.Done = true
	default:
		ack.Reason = err.Error()
	}
	return ack
}

func (n *Node) load(ctx context.Context) *actors.Load {
	n.mu.Lock()
	defer n.mu.Unlock()
	return &actors.Load{Queued: n.queued, Running: len(n.runs), Workers: n.cfg.Workers,
		Queue: n.cfg.Queue, Draining: n.draining}
}
