package actors

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/metrics"
	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/internal/taskview"
)

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
	// Board, when set, is where the supervisor publishes every task it
	// holds or has recently held, each state after it is in the journal,
	// for readers that must not wait on the supervisor's mailbox.
	Board *taskview.Board
	// Spec turns a task into the spec of its run: the meter settings and
	// the file checks. It is required.
	Spec func(t *task.Task) (Spec, error)
	// ProgressEvery is how often running tasks report; 0 means 250 ms.
	ProgressEvery time.Duration
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
	counted  task.Progress // what the metrics have counted of this run
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
	case *FindKey:
		c.Respond(s.findKey(m.Key, m.Fingerprint))
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
		s.progress(m)
	case *TaskFinished:
		s.finished(c, m)
	case *deadline:
		s.timeout(c, m)
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
	s.loadBoard(tasks)
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

// record writes a task's new state to the journal and, once it is
// durable, publishes it. It reports whether the state was written.
func (s *supervisor) record(what string, t *task.Task) bool {
	if err := s.cfg.Store.Put(t); err != nil {
		s.log.Error("journal: "+what, zap.String("task_id", t.ID), zap.Error(err))
		return false
	}
	s.publish(t)
	return true
}

func (s *supervisor) get(id string) *TaskReply {
	if l, ok := s.live[id]; ok {
		return &TaskReply{Task: l.t.Clone()}
	}
	t, err := s.cfg.Store.Get(id)
	return &TaskReply{Task: t, Err: err}
}

// list reads a page of the journal, for the part of the task list the
// board does not hold.
func (s *supervisor) list(m *ListTasks) *ListReply {
	limit := m.Limit
	if limit <= 0 {
		limit = 100
	}
	if m.After != "" {
		if _, ok := s.live[m.After]; !ok {
			_, err := s.cfg.Store.Get(m.After)
			if errors.Is(err, ErrNotFound) {
				err = ErrBadCursor
			}
			if err != nil {
				return &ListReply{Err: err}
			}
		}
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

// timeout cancels a running task that reached its deadline.
func (s *supervisor) timeout(c actor.Context, m *deadline) {
	l := s.live[m.id]
	if l == nil || l.pid == nil || l.t.Attempt != m.attempt || l.ended != "" {
		return
	}
	l.ended, l.reason = task.TimedOut, fmt.Sprintf("task ran past its timeout of %s", s.cfg.TaskTimeout)
	c.Send(l.pid, &Cancel{})
}
