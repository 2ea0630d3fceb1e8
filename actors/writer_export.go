package actors

import (
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// streamState is the writer's side of a collector stream.
type streamState struct {
	sender export.Sender
	err    error // the sender's fault, which ends the task
	failed bool  // the task was told of err

	// The UDP template schedule: templates go again after every
	// interval, or after msgs messages, whichever comes first.
	interval time.Duration
	msgs     uint64
	lastMsgs uint64    // messages emitted when they last went
	lastTime time.Time // and when
	seen     uint64    // messages emitted at the last look
	// describe asks for the type records and application names again,
	// after a new TCP connection began with the templates alone.
	describe bool

	// trimmed counts records sent without their DPI metadata, which did
	// not fit in one message.
	trimmed uint64
}

// messageSize is the bound of every message of the task: one datagram for
// a UDP collector, shared by the file (one encoding for every
// destination).
func (w *writer) messageSize() int {
	if w.spec.Collector == nil {
		return 0 // the encoder's maximum
	}
	return w.spec.Collector.MaxMessage()
}

// openStream makes the collector's sender and opens it: for TCP, the
// first connection, with the retries of any outage.
func (w *writer) openStream() error {
	cfg := *w.spec.Collector
	if cfg.TCP() {
		cfg.Greeting = w.greeting
	}
	st := &w.stream
	st.sender = export.New(cfg)
	w.link.set(st.sender)
	st.interval, st.msgs = cfg.Refresh()
	st.lastTime = time.Now()
	if err := st.sender.Open(w.link.ctx); err != nil {
		st.err = err
		return err
	}
	return nil
}

// send is the collector's part of emit.
func (w *writer) send(msg []byte) error {
	if err := w.stream.sender.Send(w.link.ctx, msg); err != nil {
		w.stream.err = err
		return err
	}
	return nil
}

// fault is the task's error for a failed Add: the collector's own error
// when the stream failed, else a write error.
func (w *writer) fault(err error) error {
	if w.stream.err != nil {
		return w.stream.err
	}
	return fmt.Errorf("write output: %w", err)
}

// greeting returns what a new TCP connection carries before next: every
// template declared so far. The type records and application names follow
// as soon as the message in hand is out (see [writer.refresh]).
func (w *writer) greeting(next []byte) [][]byte {
	w.enc.ResendTemplates()
	w.stream.describe = true
	return w.enc.TemplateMessages(ipfix.MessageSequence(next))
}

// add encodes one record, then keeps the UDP template schedule. A record
// whose DPI metadata makes it too large for one message goes without the
// metadata (its application stays), and is counted.
func (w *writer) add(r *flow.Record) error {
	err := w.enc.Add(r)
	if errors.Is(err, ipfix.ErrTooLarge) && r.App != nil && r.App.Meta != nil {
		bare := *r
		bare.App = &flow.App{Name: r.App.Name, ID: r.App.ID}
		if err = w.enc.Add(&bare); err == nil {
			w.stream.trimmed++
		}
	}
	if err != nil {
		return err
	}
	return w.refresh()
}

// refresh sends again what a collector that missed the start of the
// export needs to read the rest (templates, RFC 5610 type records, RFC
// 6759 application names): on a new TCP connection, and when the UDP
// schedule says so. It looks only when a message has gone out since it
// last looked. The exporting process statistics go only at the end:
// nfcapd counts every options record as a break in the sequence numbers,
// so one on each refresh would show as loss there.
func (w *writer) refresh() error {
	st := &w.stream
	if st.describe {
		st.describe = false
		return w.enc.ResendAll()
	}
	if st.sender == nil || w.spec.Collector.TCP() {
		return nil
	}
	n := w.enc.Stats().Messages
	if n == st.seen {
		return nil
	}
	st.seen = n
	if n-st.lastMsgs < st.msgs && time.Since(st.lastTime) < st.interval {
		return nil
	}
	st.lastMsgs, st.lastTime = n, time.Now()
	return w.enc.ResendAll()
}

// endExport ends the stream: an exporting process statistics record (RFC
// 7011 §4.3), the last message, and the collector's close.
func (w *writer) endExport() error {
	if err := w.enc.AddExporterStats(); err != nil {
		return w.fault(err)
	}
	if err := w.enc.Flush(); err != nil {
		return w.fault(err)
	}
	if w.stream.sender == nil {
		return nil
	}
	if err := w.stream.sender.Close(w.link.ctx, uint32(w.enc.Stats().DataRecords)); err != nil {
		w.stream.err = err
		return err
	}
	return nil
}

// failStream ends the task as soon as the collector stream fails, rather
// than reading the rest of the input for nothing.
func (w *writer) failStream(c actor.Context) {
	if w.stream.err == nil || w.stream.failed {
		return
	}
	w.stream.failed = true
	w.report(c, &writerDone{Err: w.stream.err})
}

// abortStream drops the collector stream of a task that did not finish.
func (w *writer) abortStream() {
	if w.stream.sender != nil {
		w.stream.sender.Abort()
	}
}
