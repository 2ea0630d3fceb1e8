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

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// writer encodes the records of every shard into one IPFIX file. It writes
// to a temporary file beside the output and renames it only when every
// shard is done and the data is on disk, so a reader of the output path
// never sees a half-written file.
type writer struct {
	spec *Spec
	task *actor.PID

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
}

func newWriter(spec *Spec, task *actor.PID) *writer {
	return &writer{spec: spec, task: task}
}

func (w *writer) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		if w.err = w.open(); w.err != nil {
			c.Send(w.task, &writerDone{Err: w.err})
		}
	case *recordBatch:
		w.spec.fault("writer", &w.batches)
		w.write(m)
		c.Send(m.From, &recordAck{Batch: m})
		c.Send(w.task, &writerProgress{Records: w.records})
	case *shardDone:
		w.done++
		if w.done == w.shards() {
			c.Send(w.task, w.finish())
		}
	case *actor.Stopping:
		w.discard()
	}
}

func (w *writer) shards() int { return w.spec.Shards }

func (w *writer) open() error {
	dir := filepath.Dir(w.spec.Output)
	f, err := os.CreateTemp(dir, "."+filepath.Base(w.spec.Output)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create output: %w", err)
	}
	w.tmp = f
	w.sum = sha256.New()
	w.buf = bufio.NewWriterSize(io.MultiWriter(f, w.sum), 1<<20)
	w.enc = ipfix.NewEncoder(ipfix.EncoderConfig{ObservationDomain: w.spec.ObservationDomain},
		w.emit)
	return nil
}

func (w *writer) emit(msg []byte) error {
	n, err := w.buf.Write(msg)
	w.size += int64(n)
	return err
}

func (w *writer) write(b *recordBatch) {
	if w.err != nil {
		return
	}
	for i := range b.Records {
		if err := w.enc.Add(&b.Records[i]); err != nil {
			w.err = fmt.Errorf("write output: %w", err)
			return
		}
		w.records++
	}
}

// finish completes the file and publishes it at the output path.
func (w *writer) finish() *writerDone {
	if w.err == nil {
		w.err = w.publish()
	}
	if w.err != nil {
		w.discard()
		return &writerDone{Err: w.err}
	}
	st := w.enc.Stats()
	return &writerDone{Bytes: w.size, SHA256: hex.EncodeToString(w.sum.Sum(nil)),
		Records: w.records, Messages: st.Messages}
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
	if err := os.Rename(w.tmp.Name(), w.spec.Output); err != nil {
		return fmt.Errorf("publish output: %w", err)
	}
	w.tmp = nil
	syncDir(filepath.Dir(w.spec.Output))
	return nil
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
