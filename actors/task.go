package actors

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
)

// Errors a task can end with.
var (
	// ErrCancelled is the result of a task stopped by [Cancel].
	ErrCancelled = errors.New("task cancelled")
	// ErrNoOutput means no input could be read at all.
	ErrNoOutput = errors.New("no input could be read")
)

// PanicError is the result of a task whose reader, shard or writer
// panicked. The task fails; the process goes on.
type PanicError struct {
	Stage  string
	Reason any
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("internal fault in %s: %v", e.Stage, e.Reason)
}

// task is the root of one conversion. It spawns the writer, the shards and
// the reader, keeps the progress, and ends when the writer has published
// the output or a child failed.
type taskActor struct {
	spec    Spec
	notify  *actor.PID
	started time.Time

	reader  *actor.PID
	writer  *actor.PID
	link    *link // shared with the writer
	shards  []*actor.PID
	shardSt []shardProgress

	rp       readerProgress
	errors   []FileError
	records  uint64
	trimmed  uint64
	result   *Result
	stopping bool
	// cancelling means a Cancel came and the task waits for the writer to
	// say whether it had already published the output.
	cancelling bool
	cancelErr  error // what a cancelled task ends with
	stopTick   scheduler.CancelFunc
}

// TaskProps returns the props of a task actor for spec. When the task ends
// it sends [TaskFinished] to notify (if not nil) and stops itself.
func TaskProps(spec Spec, notify *actor.PID) *actor.Props {
	spec = withDefaults(spec)
	return actor.PropsFromProducer(func() actor.Actor {
		return &taskActor{spec: spec, notify: notify}
	})
}

func withDefaults(s Spec) Spec {
	if s.Shards <= 0 {
		s.Shards = runtime.GOMAXPROCS(0)
	}
	if s.BatchSize <= 0 {
		s.BatchSize = 512
	}
	if s.Window <= 0 {
		s.Window = 4
	}
	return withFlowMemory(s)
}

func (t *taskActor) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		t.start(c)
	case *readerProgress:
		t.rp = *m
		t.errors = append(t.errors, m.Errors...)
	case *shardProgress:
		t.shardSt[m.Shard] = *m
	case *writerProgress:
		t.records, t.trimmed = m.Records, m.Trimmed
	case *writerDone:
		t.finish(c, m)
	case *writerCancelled:
		t.stop(c, &Result{Err: t.cancelErr})
	case *noInput:
		t.end(c, ErrNoOutput)
	case *GetProgress:
		c.Respond(t.progress())
	case *progressTick:
		if t.notify != nil && !t.stopping {
			c.Send(t.notify, &TaskProgress{ID: t.spec.ID, Progress: t.progress(),
				Elapsed: time.Since(t.started)})
		}
	case *Cancel:
		t.cancel(c)
	case *actor.Terminated:
		if len(c.Children()) == 0 && t.stopping {
			t.report(c)
		}
	}
}

func (t *taskActor) start(c actor.Context) {
	t.started = time.Now()
	t.shardSt = make([]shardProgress, t.spec.Shards)
	t.link = newLink()
	t.writer = c.SpawnPrefix(actor.PropsFromProducer(func() actor.Actor {
		return newWriter(&t.spec, c.Self(), t.link)
	}), "writer")
	t.shards = make([]*actor.PID, t.spec.Shards)
	for i := range t.shards {
		t.shards[i] = c.SpawnPrefix(actor.PropsFromProducer(func() actor.Actor {
			return newShard(i, &t.spec, c.Self(), t.writer)
		}), "shard"+strconv.Itoa(i)+"-")
	}
	t.reader = c.SpawnPrefix(actor.PropsFromProducer(func() actor.Actor {
		return newReader(&t.spec, c.Self(), t.shards)
	}), "reader")
	if t.notify != nil && t.spec.ProgressEvery > 0 {
		sched := scheduler.NewTimerScheduler(c.ActorSystem().Root)
		t.stopTick = sched.SendRepeatedly(t.spec.ProgressEvery, t.spec.ProgressEvery, c.Self(),
			&progressTick{})
	}
}

// HandleFailure makes the task the supervisor of its children: a panic in
// any of them fails the task, never the process.
func (t *taskActor) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	_ *actor.RestartStatistics, reason any, _ any) {
	if t.stopping {
		return
	}
	t.result = &Result{Err: &PanicError{Stage: t.stageOf(child), Reason: reason}}
	t.stopping = true
	t.link.cancel()
	sup.StopChildren(sup.Children()...)
}

// finish ends the task with the writer's word: the output is published,
// or why not. A published output completes the task even if a Cancel
// came meanwhile, so the result always agrees with the output path.
func (t *taskActor) finish(c actor.Context, d *writerDone) {
	if t.stopping {
		return // the task already ended; a writer's late word changes nothing
	}
	err := d.Err
	if err != nil && t.cancelling {
		err = t.cancelErr
	}
	t.records = d.Records
	if err == nil {
		t.trimmed = d.Trimmed
	}
	t.stop(c, &Result{OutputBytes: d.Bytes, SHA256: d.SHA256, Messages: d.Messages,
		DataRecords: d.DataRecords, Apps: d.Apps, Err: err})
}

// cancel stops the reader and the shards at once, and asks the writer to
// publish nothing. The writer may be publishing the output right now, so
// the task ends on its answer: [writerCancelled], or the [writerDone] of
// an output it had published.
func (t *taskActor) cancel(c actor.Context) {
	if t.stopping || t.cancelling {
		return
	}
	t.cancelling = true
	t.cancelErr = t.cancelled() // before the link is cut: it says what the collector did
	t.link.cancel()             // a writer blocked on its collector returns
	c.Send(t.writer, &writerCancel{})
	for _, k := range c.Children() {
		if !k.Equal(t.writer) {
			c.Stop(k)
		}
	}
}

// end stops the task early with err; nothing is published.
func (t *taskActor) end(c actor.Context, err error) {
	if t.cancelling {
		err = t.cancelErr
	}
	t.link.cancel() // a writer blocked on its collector returns
	t.stop(c, &Result{Err: err})
}

// stop ends the task with res once every child has stopped.
func (t *taskActor) stop(c actor.Context, res *Result) {
	if t.stopping {
		return
	}
	t.result = res
	t.stopping = true
	t.stopChildren(c)
}

func (t *taskActor) stopChildren(c actor.Context) {
	kids := c.Children()
	if len(kids) == 0 {
		t.report(c)
		return
	}
	for _, k := range kids {
		c.Stop(k)
	}
}

func (t *taskActor) progress() Progress {
	p := Progress{
		FilesDone: t.rp.FilesDone, FilesTotal: len(t.spec.Inputs),
		BytesRead: t.rp.BytesRead, BytesTotal: inputSize(t.spec.Inputs),
		Packets: t.rp.Packets, Bytes: t.rp.Bytes, BadPackets: t.rp.BadPackets,
		Records: t.records, Trimmed: t.trimmed, Delivery: t.link.stats(),
		FilesWithErrors: filesIn(t.errors),
	}
	for _, s := range t.shardSt {
		p.ActiveFlows += s.Active
		p.Flows += s.Flows
		p.Skipped += s.Skipped
		p.Evicted += s.Evicted
		p.DPIActors += s.DPIActive
		p.DPITracked += s.DPITracked
		p.DPIPeak += s.DPIPeak
		p.DPIFlows += s.DPIFlows
		p.DPIFailures += s.DPIFailures
	}
	return p
}

// report sends the result once every child has stopped, then stops.
func (t *taskActor) report(c actor.Context) {
	if t.stopTick != nil {
		t.stopTick()
	}
	t.link.cancel()
	res := *t.result
	res.Progress = t.progress()
	res.Errors = t.errors
	res.Elapsed = time.Since(t.started)
	if t.notify != nil {
		c.Send(t.notify, &TaskFinished{ID: t.spec.ID, Result: res})
	}
	c.Stop(c.Self())
}

// filesIn counts the files errs name.
func filesIn(errs []FileError) int {
	seen := map[string]bool{}
	for _, e := range errs {
		seen[e.File] = true
	}
	return len(seen)
}

func inputSize(files []string) int64 {
	var n int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			n += st.Size()
		}
	}
	return n
}

// Run executes spec on sys and waits for its result. progress, when not
// nil, is called about every interval with a snapshot. Cancelling ctx
// cancels the task.
func Run(ctx context.Context, sys *actor.ActorSystem, spec Spec, interval time.Duration,
	progress func(Progress)) Result {
	done := make(chan Result, 1)
	waiter := sys.Root.Spawn(actor.PropsFromFunc(func(c actor.Context) {
		if m, ok := c.Message().(*TaskFinished); ok {
			done <- m.Result
			c.Stop(c.Self())
		}
	}))
	pid := sys.Root.Spawn(TaskProps(spec, waiter))
	tick := time.NewTicker(max(interval, 10*time.Millisecond))
	defer tick.Stop()
	// stop is ctx.Done() until the one Cancel is sent, then nil: a closed
	// channel would otherwise win every select while the task winds down.
	stop := ctx.Done()
	for {
		select {
		case res := <-done:
			return res
		case <-stop:
			stop = nil
			sys.Root.Send(pid, &Cancel{})
		case <-tick.C:
			if progress == nil {
				continue
			}
			v, err := sys.Root.RequestFuture(pid, &GetProgress{}, time.Second).Result()
			if p, ok := v.(Progress); ok && err == nil {
				progress(p)
			}
		}
	}
}
