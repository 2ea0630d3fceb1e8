package actors

import (
	"errors"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// startNext starts queued tasks while workers are free.
func (s *supervisor) startNext(c actor.Context) {
	for !s.draining && s.running < s.cfg.Workers && len(s.queue) > 0 {
		id := s.queue[0]
		s.queue = s.queue[1:]
		if l := s.live[id]; l != nil {
			s.start(c, l)
		}
	}
	s.cfg.Metrics.Live(len(s.queue), s.running)
}

func (s *supervisor) start(c actor.Context, l *live) {
	t := l.t
	spec, err := s.cfg.Spec(t)
	if err != nil {
		s.end(c, l, task.Failed, err.Error())
		return
	}
	now := time.Now().UTC()
	t.Status, t.StartedAt, t.Attempt = task.Running, &now, t.Attempt+1
	t.Progress = task.Progress{FilesTotal: len(t.Request.PcapFiles)}
	l.counted = task.Progress{}
	t.Delivery = nil // a new attempt streams everything again
	s.record("start task", t)
	spec.ID = t.ID
	spec.ProgressEvery = s.cfg.ProgressEvery
	l.pid = c.SpawnPrefix(TaskProps(spec, c.Self()), "task-")
	l.began = time.Now()
	s.running++
	sched := scheduler.NewTimerScheduler(c.ActorSystem().Root)
	l.stopTime = sched.SendOnce(s.cfg.TaskTimeout, c.Self(), &deadline{id: t.ID, attempt: t.Attempt})
	s.log.Info("task started", zap.String("task_id", t.ID), zap.Int("attempt", t.Attempt))
}

func (s *supervisor) cancel(c actor.Context, m *CancelTask) {
	l, ok := s.live[m.ID]
	if !ok {
		r := s.get(m.ID)
		if r.Err == nil {
			r.Err = ErrFinished
		}
		c.Respond(r)
		return
	}
	if l.pid == nil {
		// Still queued: it never starts.
		s.queue = remove(s.queue, m.ID)
		s.end(c, l, task.Cancelled, "cancelled while queued")
		c.Respond(&TaskReply{Task: l.t.Clone()})
		return
	}
	if c.Sender() != nil {
		l.waiters = append(l.waiters, c.Sender())
	}
	if l.ended == "" {
		l.ended, l.reason = task.Cancelled, "cancelled while running"
		c.Send(l.pid, &Cancel{})
	}
}

func remove(ids []string, id string) []string {
	for i, v := range ids {
		if v == id {
			return append(ids[:i], ids[i+1:]...)
		}
	}
	return ids
}

// finished records the end of a task's run. A run that published its
// output completed, whatever stop was asked for meanwhile: the output
// and the journal must agree. A drained run that did not publish goes
// back to the queue.
func (s *supervisor) finished(c actor.Context, m *TaskFinished) {
	l := s.live[m.ID]
	if l == nil || l.pid == nil {
		return
	}
	s.running--
	l.pid = nil
	if l.stopTime != nil {
		l.stopTime()
	}
	res := m.Result
	l.t.Progress = progressOf(res.Progress, res.Elapsed)
	l.t.Delivery = deliveryOf(res.Progress)
	l.t.Errors = fileErrors(res.Errors)
	s.count(l)
	switch {
	case res.Err == nil:
		if l.t.Request.OutputPath != "" {
			l.t.Output = &task.Output{Path: l.t.Request.OutputPath, Bytes: res.OutputBytes,
				Records: res.Records, SHA256: res.SHA256}
		}
		l.t.Summary = summaryOf(&l.t.Progress, res.Apps)
		s.end(c, l, task.Completed, "")
	case l.ended == task.Queued:
		s.requeue(c, l)
		return
	case errors.Is(res.Err, ErrCancelled) && l.ended != "":
		s.end(c, l, l.ended, l.reason+strings.TrimPrefix(res.Err.Error(), ErrCancelled.Error()))
	default:
		s.end(c, l, task.Failed, res.Err.Error())
	}
	s.drained(c)
	s.startNext(c)
}

// requeue hands a drained task back to the queue in the journal, so the
// next start runs it again.
func (s *supervisor) requeue(c actor.Context, l *live) {
	l.t.Status, l.t.StartedAt = task.Queued, nil
	s.record("requeue task", l.t)
	s.forget(l.t)
	s.requeued++
	s.drained(c)
}

// end gives a live task its final state, writes it and tells whoever waits.
func (s *supervisor) end(c actor.Context, l *live, st task.Status, reason string) {
	t := l.t
	now := time.Now().UTC()
	t.Status, t.FinishedAt, t.Error = st, &now, reason
	s.record("end task", t)
	s.forget(t)
	var secs float64
	if !l.began.IsZero() {
		secs = time.Since(l.began).Seconds()
	}
	s.cfg.Metrics.Finished(t, secs)
	s.logEnd(t, secs)
	for _, w := range l.waiters {
		r := &TaskReply{Task: t.Clone()}
		if st != task.Cancelled {
			r.Err = ErrFinished // it ended otherwise before the cancel took hold
		}
		c.Send(w, r)
	}
	l.waiters = nil
	s.cfg.Metrics.Live(len(s.queue), s.running)
}

// logEnd logs a task's end with its figures.
func (s *supervisor) logEnd(t *task.Task, secs float64) {
	fields := []zap.Field{zap.String("task_id", t.ID), zap.String("status", string(t.Status)),
		zap.Uint64("packets", t.Progress.Packets), zap.Uint64("bytes", t.Progress.Bytes),
		zap.Uint64("flows", t.Progress.Flows), zap.Uint64("records", t.Progress.RecordsWritten),
		zap.Uint64("bad_packets", t.Progress.BadPackets), zap.Int("file_errors", len(t.Errors)),
		zap.Float64("seconds", secs)}
	if t.Request.DPI {
		fields = append(fields, zap.Uint64("dpi_failures", t.Progress.DPIFailures))
	}
	if d := t.Delivery; d != nil {
		fields = append(fields, zap.String("collector", d.Collector),
			zap.Uint64("collector_messages", d.Messages),
			zap.Uint64("collector_connections", d.Connections),
			zap.Uint64("collector_refused", d.Refused),
			zap.Uint64("records_possibly_lost", d.RecordsPossiblyLost))
	}
	if t.Error != "" {
		fields = append(fields, zap.String("reason", t.Error))
	}
	if t.Status == task.Completed {
		s.log.Info("task finished", fields...)
	} else {
		s.log.Warn("task finished", fields...)
	}
}

// drain stops admission and stops every running task, which finished
// then writes back as queued (or completed, if it published).
func (s *supervisor) drain(c actor.Context) {
	s.draining = true
	if c.Sender() != nil {
		s.drainers = append(s.drainers, c.Sender())
	}
	for _, l := range s.live {
		if l.pid != nil {
			l.ended, l.reason = task.Queued, ""
			c.Send(l.pid, &Cancel{})
		}
	}
	s.drained(c)
}

// drained answers the Drain callers once no task runs.
func (s *supervisor) drained(c actor.Context) {
	if !s.draining || s.running > 0 {
		return
	}
	for _, d := range s.drainers {
		c.Send(d, &Drained{Requeued: len(s.live) + s.requeued})
	}
	s.drainers = nil
}
