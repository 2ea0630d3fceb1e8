package actors

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// writer encodes the records of every shard into one IPFIX stream, which
// goes to a file, to a collector, or to both (one encoding for both). It
// writes the file to a temporary file beside the output and renames it
// only when every shard is done and the data is on disk, so a reader of
// the output path never sees a half-written file. It acknowledges a batch
// only once its messages are written, to the file's buffer and to the
// collector's socket, so a slow collector holds the shards, and they the
// reader, through the credit windows.
type writer struct {
	spec *Spec
	task *actor.PID
	link *link

	tmp     *os.File
	buf     *bufio.Writer
	sum     hash.Hash
	size    int64
	enc     *ipfix.Encoder
	done    int
	records uint64
	err     error
	closed  bool
	batches uint64
	apps    map[string]*task.AppCount // records per application, when DPI ran

	stream streamState // the collector, when there is one
	// reported means the task has its writerDone; cancelled means it was
	// told that nothing will be published.
	reported, cancelled bool
}

// topApps is how many applications a task's summary lists.
const topApps = 10

func newWriter(spec *Spec, task *actor.PID, l *link) *writer {
	return &writer{spec: spec, task: task, link: l}
}

func (w *writer) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		if w.err = w.open(); w.err != nil {
			w.report(c, &writerDone{Err: outputFault(w.err)})
		}
	case *recordBatch:
		w.spec.fault("writer", &w.batches)
		w.write(m)
		w.failFast(c)
		w.failStream(c)
		c.Send(m.From, &recordAck{Batch: m})
		c.Send(w.task, &writerProgress{Records: w.records, Trimmed: w.stream.trimmed})
	case *shardDone:
		w.done++
		if w.done == w.shards() && !w.cancelled {
			w.report(c, w.finish())
		}
	case *writerCancel:
		w.cancel(c)
	case *actor.Stopping:
		w.discard()
		w.abortStream()
	}
}

func (w *writer) shards() int { return w.spec.Shards }

func (w *writer) open() error {
	if w.spec.Output != "" {
		if err := w.checkOutput(); err != nil {
			return err
		}
		if err := w.openFile(); err != nil {
			return err
		}
	}
	w.enc = ipfix.NewEncoder(ipfix.EncoderConfig{ObservationDomain: w.spec.ObservationDomain,
		NameApps: w.spec.DPI, MaxMessageSize: w.messageSize()}, w.emit)
	// Type records for the enterprise elements (DPI metadata, biflow's
	// reverse elements) go ahead of the first template that uses them.
	if err := w.enc.DescribeEnterpriseElements(); err != nil {
		return fmt.Errorf("describe elements: %w", err)
	}
	if w.spec.Collector != nil {
		return w.openStream()
	}
	return nil
}

// openFile creates the temporary file of the output.
func (w *writer) openFile() error {
	dir := filepath.Dir(w.spec.Output)
	f, err := createTemp(dir, w.spec.Output)
	if err != nil {
		return fmt.Errorf("create output: %w", err)
	}
	w.tmp = f
	w.sum = sha256.New()
	w.buf = bufio.NewWriterSize(io.MultiWriter(f, w.sum), 1<<20)
	return nil
}

// emit writes a message to the file and sends it to the collector.
func (w *writer) emit(msg []byte) error {
	if w.buf != nil {
		n, err := w.buf.Write(msg)
		w.size += int64(n)
		if err != nil {
			return err
		}
	}
	if w.stream.sender != nil {
		return w.send(msg)
	}
	return nil
}

func (w *writer) write(b *recordBatch) {
	if w.err != nil {
		return
	}
	for i := range b.Records {
		r := &b.Records[i]
		if err := w.add(r); err != nil {
			w.err = w.fault(err)
			return
		}
		w.records++
		if r.App != nil {
			w.countApp(r)
		}
	}
}

func (w *writer) countApp(r *flow.Record) {
	if w.apps == nil {
		w.apps = map[string]*task.AppCount{}
	}
	a := w.apps[r.App.Name]
	if a == nil {
		a = &task.AppCount{Name: r.App.Name}
		w.apps[r.App.Name] = a
	}
	a.Flows++
	a.Records++
	a.Bytes += r.Fwd.Octets + r.Rev.Octets
}

// top returns the applications with the most flow records first.
func (w *writer) top() []task.AppCount {
	var out []task.AppCount
	for _, a := range w.apps {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Flows != out[j].Flows {
			return out[i].Flows > out[j].Flows
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > topApps {
		out = out[:topApps]
	}
	return out
}

// finish ends the stream and publishes the file at the output path.
func (w *writer) finish() *writerDone {
	if w.err == nil {
		w.err = w.endExport()
	}
	if w.err == nil && w.spec.Output != "" {
		w.err = w.publish()
	}
	if w.err != nil {
		w.discard()
		w.abortStream()
		return &writerDone{Err: outputFault(w.err)}
	}
	st := w.enc.Stats()
	d := &writerDone{Bytes: w.size, Records: w.records, Messages: st.Messages,
		DataRecords: st.DataRecords, Apps: w.top(),
		Trimmed: w.stream.trimmed}
	if w.sum != nil {
		d.SHA256 = hex.EncodeToString(w.sum.Sum(nil))
	}
	return d
}

func (w *writer) publish() error {
	if err := w.enc.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := w.buf.Flush(); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	if err := w.tmp.Sync(); err != nil {
		return fmt.Errorf("sync output: %w", err)
	}
	if err := w.tmp.Close(); err != nil {
		return fmt.Errorf("close output: %w", err)
	}
	w.closed = true
	if w.spec.CheckOutput != nil {
		if err := w.spec.CheckOutput(w.spec.Output); err != nil {
			return fmt.Errorf("publish output: %w", err)
		}
	}
	var n uint64
	w.spec.fault("publish", &n)
	if err := w.place(); err != nil {
		return fmt.Errorf("publish output: %w", err)
	}
	w.tmp = nil
	syncDir(filepath.Dir(w.spec.Output))
	return nil
}

// place moves the finished temporary file to the output path. Without
// Overwrite it links it there, which fails if a file appeared at the path
// in the meantime, so an existing file is never replaced.
func (w *writer) place() error {
	if w.spec.Overwrite {
		return os.Rename(w.tmp.Name(), w.spec.Output)
	}
	if err := os.Link(w.tmp.Name(), w.spec.Output); err != nil {
		return err
	}
	return os.Remove(w.tmp.Name())
}

// discard removes the temporary file of an output that is not published.
func (w *writer) discard() {
	if w.tmp == nil {
		return
	}
	if !w.closed {
		_ = w.tmp.Close()
	}
	_ = os.Remove(w.tmp.Name())
	w.tmp = nil
}

// syncDir makes a rename durable; failure only weakens durability.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
