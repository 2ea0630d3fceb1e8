package actors

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/metrics"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Admission errors a [SubmitReply] can carry.
var (
	// ErrQueueFull means every worker is busy and the queue is full.
	ErrQueueFull = errors.New("queue full")
	// ErrDraining means the node is shutting down and takes no new task.
	ErrDraining = errors.New("shutting down")
	// ErrNotFound means no task has the id.
	ErrNotFound = journal.ErrNotFound
	// ErrFinished means the task already ended, so it cannot be cancelled.
	ErrFinished = errors.New("task already finished")
)

// ConflictError means another live task writes the same output path.
type ConflictError struct {
	Path   string
	TaskID string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("task %s is already writing %s", e.TaskID, e.Path)
}

// SupervisorConfig sets up a supervisor. Store is required; the zero value
// of every other field means its default.
type SupervisorConfig struct {
	Store       journal.Store
	Workers     int           // tasks running at once; 0 means 2
	Queue       int           // tasks waiting; 0 means 64
	TaskTimeout time.Duration // 0 means 1 h
	Node        string        // this node's name, shown in each task
	Log         *zap.Logger   // nil means no logging
	Metrics     *metrics.Set  // nil means no metrics
	// Spec turns a task into the spec of its run: the meter settings and
	// the file checks. It is required.
	Spec func(t *task.Task) (Spec, error)
	// ProgressEvery is how often running tasks report; 0 means 250 ms.
	ProgressEvery time.Duration
}

// Messages the supervisor answers. Each is sent with Request (or
// RequestFuture) and answered with the reply named.

// Submit asks for a task for Request; the answer is a *SubmitReply.
type Submit struct {
	Request        task.Request
	IdempotencyKey string
}

// SubmitReply is the answer to [Submit]. Created is false when the task
// is an earlier one the request duplicates.
type SubmitReply struct {
	Task    *task.Task
	Created bool
	Err     error
}

// GetTask asks for a task's state; the answer is a *TaskReply.
type GetTask struct{ ID string }

// CancelTask cancels a task; the answer, a *TaskReply, comes once it has
// stopped.
type CancelTask struct{ ID string }

// TaskReply is the answer to [GetTask] and [CancelTask].
type TaskReply struct {
	Task *task.Task
	Err  error
}

// ListTasks asks for a page of tasks, newest first; the answer is a
// *ListReply.
type ListTasks struct {
	Status task.Status // empty for every status
	After  string      // the cursor: the last id of the previous page
	Limit  int
}

// ListReply is the answer to [ListTasks].
type ListReply struct {
	Tasks []*task.Task
	Next  string
	Err   error
}

// Drain stops admission and hands every running task back to the queue
// in the journal, so the next start runs it again; the answer, a
// *Drained, comes once the running tasks have stopped.
type Drain struct{}

// Drained is the answer to [Drain].
type Drained struct{ Requeued int }

// GetLoad asks how busy the node is; the answer is a *Load.
type GetLoad struct{}

// Load is the answer to [GetLoad].
type Load struct {
	Queued, Running, Workers, Queue int
	Draining                        bool
}

// deadline fires when a running task reaches its timeout.
type deadline struct {
	id      string
	attempt int
}

// live is a queued or running task.
type live struct {
	t        *task.Task
	pid      *actor.PID
	stopTime func()
	ended    task.Status // the final state asked for: cancelled, timed_out; or queued when drained
	reason   string
	waiters  []*actor.PID // CancelTask callers waiting for the end
	began    time.Time
}

type supervisor struct {
	cfg      SupervisorConfig
	log      *zap.Logger
	live     map[string]*live
	queue    []string
	running  int
	byPrint  map[string]string // fingerprint -> live task id
	byOutput map[string]string // output path -> live task id
	byKey    map[string]string // idempotency key -> live task id
	draining bool
	drainers []*actor.PID
	requeued int // running tasks a drain handed back to the queue
}

// SupervisorProps returns the props of a node's supervisor. On start it
// loads the live tasks of the journal and runs them again.
func SupervisorProps(cfg SupervisorConfig) *actor.Props {
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 64
	}
	if cfg.TaskTimeout <= 0 {
		cfg.TaskTimeout = time.Hour
	}
	if cfg.ProgressEvery <= 0 {
		cfg.ProgressEvery = 250 * time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	return actor.PropsFromProducer(func() actor.Actor {
		return &supervisor{cfg: cfg, log: cfg.Log.Named("supervisor")}
	})
}

func (s *supervisor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		s.recover(c)
	case *Submit:
		c.Respond(s.submit(c, m))
	case *GetTask:
		c.Respond(s.get(m.ID))
	case *ListTasks:
		c.Respond(s.list(m))
	case *CancelTask:
		s.cancel(c, m)
	case *GetLoad:
		c.Respond(&Load{Queued: len(s.queue), Running: s.running, Workers: s.cfg.Workers,
			Queue: s.cfg.Queue, Draining: s.draining})
	case *Drain:
		s.drain(c)
	case *TaskProgress:
		if l := s.live[m.ID]; l != nil && l.t.Status == task.Running {
			l.t.Progress = progressOf(m.Progress, m.Elapsed)
			l.t.Delivery = deliveryOf(m.Progress)
		}
	case *TaskFinished:
		s.finished(c, m)
	case *deadline:
		if l := s.live[m.id]; l != nil && l.pid != nil && l.t.Attempt == m.attempt && l.ended == "" {
			l.ended, l.reason = task.TimedOut, fmt.Sprintf("task ran past its timeout of %s",
				s.cfg.TaskTimeout)
			c.Send(l.pid, &Cancel{})
		}
	}
}

// recover loads the live tasks of the journal. Tasks that were running
// when the process stopped go back to the queue; their temporary files
// are removed. Then the queue runs in order of submission.
func (s *supervisor) recover(c actor.Context) {
	s.live = map[string]*live{}
	s.byPrint, s.byOutput, s.byKey = map[string]string{}, map[string]string{}, map[string]string{}
	tasks, err := s.cfg.Store.Live()
	if err != nil {
		s.log.Error("load live tasks", zap.Error(err))
	}
	sort.Slice(tasks, func(i, j int) bool { return tasks[i].ID < tasks[j].ID })
	var changed []*task.Task
	for _, t := range tasks {
		if t.Status == task.Running {
			removeOwnOutput(t, s.log)
			t.Status, t.StartedAt = task.Queued, nil
			t.Progress = task.Progress{FilesTotal: len(t.Request.PcapFiles)}
			changed = append(changed, t)
		}
		if t.Request.OutputPath == "" {
			// Streams only: nothing on disk to clean.
		} else if n := RemoveTemps(t.Request.OutputPath); n > 0 {
			s.log.Info("removed temporary output files", zap.String("task_id", t.ID), zap.Int("files", n))
		}
		s.admit(t)
		s.queue = append(s.queue, t.ID)
	}
	if len(changed) > 0 {
		if err := s.cfg.Store.Put(changed...); err != nil {
			s.log.Error("requeue tasks", zap.Error(err))
		}
	}
	if len(tasks) > 0 {
		s.log.Info("tasks recovered from the journal", zap.Int("tasks", len(tasks)),
			zap.Int("were_running", len(changed)))
	}
	s.startNext(c)
}

// removeOwnOutput deletes the output of a task that was running when the
// process died, if the file appeared after the task started: the run
// published it but the journal did not learn of it, so the rerun, which
// would make the same file, must be free to publish. A file older than
// the task is not the task's and stays.
func removeOwnOutput(t *task.Task, log *zap.Logger) {
	if t.Request.OutputPath == "" {
		return
	}
	st, err := os.Lstat(t.Request.OutputPath)
	if err != nil || t.StartedAt == nil || !st.Mode().IsRegular() {
		return
	}
	if st.ModTime().Before(t.StartedAt.Add(-time.Second)) {
		return
	}
	if os.Remove(t.Request.OutputPath) == nil {
		log.Info("removed the output of an interrupted run", zap.String("task_id", t.ID),
			zap.String("output_path", t.Request.OutputPath))
	}
}

// admit indexes a live task.
func (s *supervisor) admit(t *task.Task) {
	s.live[t.ID] = &live{t: t}
	s.byPrint[t.Fingerprint] = t.ID
	if t.Request.OutputPath != "" {
		s.byOutput[t.Request.OutputPath] = t.ID
	}
	if t.IdempotencyKey != "" {
		s.byKey[t.IdempotencyKey] = t.ID
	}
}

func (s *supervisor) forget(t *task.Task) {
	delete(s.live, t.ID)
	if s.byPrint[t.Fingerprint] == t.ID {
		delete(s.byPrint, t.Fingerprint)
	}
	if t.Request.OutputPath != "" && s.byOutput[t.Request.OutputPath] == t.ID {
		delete(s.byOutput, t.Request.OutputPath)
	}
	if s.byKey[t.IdempotencyKey] == t.ID {
		delete(s.byKey, t.IdempotencyKey)
	}
}

// Fingerprint identifies a normalised request: two submissions with the
// same fingerprint ask for the same work.
func Fingerprint(r task.Request) string {
	b, _ := json.Marshal(r)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (s *supervisor) submit(c actor.Context, m *Submit) *SubmitReply {
	if m.IdempotencyKey != "" {
		if id, ok := s.byKey[m.IdempotencyKey]; ok {
			return s.duplicate(id)
		}
		if id, err := s.cfg.Store.ByIdempotencyKey(m.IdempotencyKey); err == nil {
			return s.duplicate(id)
		}
	}
	print := Fingerprint(m.Request)
	if id, ok := s.byPrint[print]; ok {
		return s.duplicate(id)
	}
	if s.draining {
		s.cfg.Metrics.Submission("draining")
		return &SubmitReply{Err: ErrDraining}
	}
	if id, ok := s.byOutput[m.Request.OutputPath]; ok && m.Request.OutputPath != "" {
		s.cfg.Metrics.Submission("conflict")
		return &SubmitReply{Err: &ConflictError{Path: m.Request.OutputPath, TaskID: id}}
	}
	if s.running >= s.cfg.Workers && len(s.queue) >= s.cfg.Queue {
		s.cfg.Metrics.Submission("queue_full")
		return &SubmitReply{Err: ErrQueueFull}
	}
	id, err := uuid.NewV7()
	if err != nil {
		return &SubmitReply{Err: fmt.Errorf("new task id: %w", err)}
	}
	t := &task.Task{ID: id.String(), Status: task.Queued, Request: m.Request,
		IdempotencyKey: m.IdempotencyKey, Fingerprint: print, SubmittedAt: time.Now().UTC(),
		Node: s.cfg.Node, Errors: []task.FileError{},
		Progress: task.Progress{FilesTotal: len(m.Request.PcapFiles)}}
	if err := s.cfg.Store.Put(t); err != nil {
		s.cfg.Metrics.Submission("error")
		return &SubmitReply{Err: fmt.Errorf("journal: %w", err)}
	}
	s.cfg.Metrics.Submission("accepted")
	s.admit(t)
	s.queue = append(s.queue, t.ID)
	s.log.Info("task accepted", zap.String("task_id", t.ID), zap.Strings("pcap_files", m.Request.PcapFiles),
		zap.String("output_path", m.Request.OutputPath), zap.String("collector", m.Request.Collector),
		zap.Bool("dpi", m.Request.DPI))
	reply := &SubmitReply{Task: t.Clone(), Created: true}
	s.startNext(c)
	return reply
}

func (s *supervisor) duplicate(id string) *SubmitReply {
	r := s.get(id)
	if r.Err != nil {
		return &SubmitReply{Err: r.Err}
	}
	s.cfg.Metrics.Submission("duplicate")
	return &SubmitReply{Task: r.Task}
}

func (s *supervisor) get(id string) *TaskReply {
	if l, ok := s.live[id]; ok {
		return &TaskReply{Task: l.t.Clone()}
	}
	t, err := s.cfg.Store.Get(id)
	return &TaskReply{Task: t, Err: err}
}

func (s *supervisor) list(m *ListTasks) *ListReply {
	limit := m.Limit
	if limit <= 0 {
		limit = 100
	}
	tasks, next, err := s.cfg.Store.List(m.Status, m.After, limit)
	for i, t := range tasks {
		// Live tasks carry their latest progress, which the journal
		// does not keep.
		if l, ok := s.live[t.ID]; ok {
			tasks[i] = l.t.Clone()
		}
	}
	return &ListReply{Tasks: tasks, Next: next, Err: err}
}

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
	t.Delivery = nil // a new attempt streams everything again
	if err := s.cfg.Store.Put(t); err != nil {
		s.log.Error("journal: start task", zap.String("task_id", t.ID), zap.Error(err))
	}
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

// finished records the end of a task's run.
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
	switch {
	case l.ended == task.Queued:
		// Drained: the next start runs it again.
		l.t.Status, l.t.StartedAt = task.Queued, nil
		if err := s.cfg.Store.Put(l.t); err != nil {
			s.log.Error("journal: requeue task", zap.String("task_id", l.t.ID), zap.Error(err))
		}
		s.forget(l.t)
		s.requeued++
		s.drained(c)
		return
	case res.Err == nil:
		if l.t.Request.OutputPath != "" {
			l.t.Output = &task.Output{Path: l.t.Request.OutputPath, Bytes: res.OutputBytes,
				Records: res.Records, SHA256: res.SHA256}
		}
		l.t.Summary = &task.Summary{Flows: res.Flows, Packets: res.Packets, Bytes: res.Bytes,
			TopApplications: res.Apps}
		s.end(c, l, task.Completed, "")
	case errors.Is(res.Err, ErrCancelled) && l.ended != "":
		s.end(c, l, l.ended, l.reason+strings.TrimPrefix(res.Err.Error(), ErrCancelled.Error()))
	default:
		s.end(c, l, task.Failed, res.Err.Error())
	}
	s.startNext(c)
}

// end gives a live task its final state, writes it and tells whoever waits.
func (s *supervisor) end(c actor.Context, l *live, st task.Status, reason string) {
	t := l.t
	now := time.Now().UTC()
	t.Status, t.FinishedAt, t.Error = st, &now, reason
	if err := s.cfg.Store.Put(t); err != nil {
		s.log.Error("journal: end task", zap.String("task_id", t.ID), zap.Error(err))
	}
	s.forget(t)
	var secs float64
	if !l.began.IsZero() {
		secs = time.Since(l.began).Seconds()
	}
	s.cfg.Metrics.Finished(t, secs)
	fields := []zap.Field{zap.String("task_id", t.ID), zap.String("status", string(st)),
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
	if reason != "" {
		fields = append(fields, zap.String("reason", reason))
	}
	if st == task.Completed {
		s.log.Info("task finished", fields...)
	} else {
		s.log.Warn("task finished", fields...)
	}
	for _, w := range l.waiters {
		c.Send(w, &TaskReply{Task: t.Clone()})
	}
	l.waiters = nil
	s.cfg.Metrics.Live(len(s.queue), s.running)
}

// drain stops admission and stops every running task, which finished
// then writes back as queued.
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

func progressOf(p Progress, elapsed time.Duration) task.Progress {
	out := task.Progress{FilesDone: p.FilesDone, FilesTotal: p.FilesTotal, BytesRead: p.BytesRead,
		BytesTotal: p.BytesTotal, Percent: p.Percent(), Packets: p.Packets, Bytes: p.Bytes,
		ActiveFlows: p.ActiveFlows, Flows: p.Flows, RecordsWritten: p.Records,
		BadPackets: p.BadPackets, SkippedPackets: p.Skipped, DPIFailures: p.DPIFailures}
	if s := elapsed.Seconds(); s > 0 {
		out.PacketsPerSecond = float64(p.Packets) / s
	}
	return out
}

func fileErrors(errs []FileError) []task.FileError {
	out := make([]task.FileError, 0, len(errs))
	for _, e := range errs {
		out = append(out, task.FileError{File: e.File, Offset: e.Offset, Reason: e.Reason})
	}
	return out
}
