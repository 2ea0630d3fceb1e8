package actors

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// link is what a task shares with its writer about the collector stream.
// The writer may block in a send for as long as the collector does not
// read or is away, so the task does not wait for its messages: it ends
// the stream's waits through the context, and reads the stream's figures
// directly. Safe for concurrent use.
type link struct {
	ctx    context.Context // ends when the task ends
	cancel context.CancelFunc

	mu     sync.Mutex
	sender export.Sender // nil until the writer made it
}

func newLink() *link {
	ctx, cancel := context.WithCancel(context.Background())
	return &link{ctx: ctx, cancel: cancel}
}

// set records the writer's sender.
func (l *link) set(s export.Sender) {
	l.mu.Lock()
	l.sender = s
	l.mu.Unlock()
}

// stats returns a snapshot of the stream's figures, or nil when the task
// has no collector (or its writer has not made the sender yet).
func (l *link) stats() *export.Stats {
	l.mu.Lock()
	s := l.sender
	l.mu.Unlock()
	if s == nil {
		return nil
	}
	st := s.Stats()
	return &st
}

// cancelled is the error of a task stopped by [Cancel] (asked for, or
// its deadline): it says why, when the collector was holding it up.
func (t *taskActor) cancelled() error {
	st := t.link.stats()
	if st == nil {
		return ErrCancelled
	}
	if stall := st.Stall(time.Now()); stall != "" {
		return fmt.Errorf("%w while %s", ErrCancelled, stall)
	}
	return ErrCancelled
}

// deliveryOf is the collector part of a task's status; nil without a
// collector.
func deliveryOf(p Progress) *task.Delivery {
	st := p.Delivery
	if st == nil {
		return nil
	}
	d := &task.Delivery{Collector: st.Collector, State: st.State, Messages: st.Messages,
		Octets: st.Octets, Connections: st.Connections, Refused: st.Refused,
		RecordsPossiblyLost: st.PossiblyLost, RecordsTrimmed: p.Trimmed, LastError: st.LastError}
	if !st.DownSince.IsZero() {
		t := st.DownSince.UTC()
		d.DownSince = &t
	}
	if !st.WaitingSince.IsZero() {
		t := st.WaitingSince.UTC()
		d.WaitingSince = &t
	}
	return d
}
