package actors

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/internal/pathpolicy"
	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// IP protocols whose payloads DPI reads.
const (
	protoTCP = 6
	protoUDP = 17
)

// framesPerPump bounds the work of one reader message so that acks, stops
// and progress requests get through between slices.
const framesPerPump = 4096

// reader opens each input in turn, decodes its frames and sends them in
// batches to the shard that owns their flow. It holds at most window
// unacknowledged batches per shard; when a shard has no credit left the
// reader stops pumping until that shard acks.
type reader struct {
	spec   *Spec
	task   *actor.PID
	shards []*actor.PID

	credit  []int
	filling []*packetBatch
	free    [][]*packetBatch
	stalled int // shard whose full batch waits for credit, or -1

	file    int // index into spec.Inputs of the open file
	f       *os.File
	counter countingReader
	capt    capture.Reader
	src     *capture.Reader // &capt while a file is open
	frame   capture.Frame
	dec     packet.Decoder
	clock   int64
	clockOK bool

	progress readerProgress
	readable int // inputs whose header could be read
	pumps    uint64
	done     bool
}

func newReader(spec *Spec, task *actor.PID, shards []*actor.PID) *reader {
	r := &reader{spec: spec, task: task, shards: shards, stalled: -1, file: -1}
	n := len(shards)
	r.credit = make([]int, n)
	r.filling = make([]*packetBatch, n)
	r.free = make([][]*packetBatch, n)
	for i := range n {
		r.credit[i] = spec.Window
		r.filling[i] = r.newBatch()
	}
	return r
}

func (r *reader) newBatch() *packetBatch {
	return &packetBatch{Pkts: make([]packet.Packet, 0, r.spec.BatchSize)}
}

func (r *reader) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		c.Send(c.Self(), &pump{})
	case *pump:
		r.pump(c)
	case *packetAck:
		r.credit[m.Shard]++
		m.Batch.Pkts = m.Batch.Pkts[:0]
		m.Batch.release()
		r.free[m.Shard] = append(r.free[m.Shard], m.Batch)
		if r.stalled == m.Shard {
			r.stalled = -1
			r.send(c, m.Shard)
			c.Send(c.Self(), &pump{})
		}
	case *actor.Stopping:
		r.closeFile()
	}
}

// pump reads up to framesPerPump frames, then schedules itself again.
func (r *reader) pump(c actor.Context) {
	if r.done || r.stalled >= 0 {
		return
	}
	r.spec.fault("reader", &r.pumps)
	for range framesPerPump {
		if r.src == nil && !r.openNext() {
			r.finish(c)
			return
		}
		err := r.src.Next(&r.frame)
		if err != nil {
			r.endFile(err)
			continue
		}
		if shard, full := r.meter(); full {
			if !r.send(c, shard) {
				r.stalled = shard
				break
			}
		}
	}
	r.report(c)
	if r.stalled < 0 {
		c.Send(c.Self(), &pump{})
	}
}

// meter decodes the current frame into the batch of its shard. It reports
// the shard and whether that batch is now full.
func (r *reader) meter() (int, bool) {
	fr := &r.frame
	if !r.clockOK || fr.Time > r.clock {
		r.clock, r.clockOK = fr.Time, true
	}
	var p packet.Packet
	if err := r.dec.Decode(fr.LinkType, fr.Data, &p); err != nil {
		r.progress.BadPackets++
		return 0, false
	}
	p.Time = fr.Time
	p.Interface = fr.Interface
	shard := flow.ShardOf(&p, len(r.shards))
	b := r.filling[shard]
	// Only TCP and UDP payloads are inspected; the shard's DPI actors
	// read them in this batch.
	if r.spec.DPI && len(p.Payload) > 0 && (p.Proto == protoTCP || p.Proto == protoUDP) {
		b.hold(r.src.Block())
	} else {
		p.Payload = nil
	}
	b.Pkts = append(b.Pkts, p)
	r.progress.Packets++
	r.progress.Bytes += uint64(p.Octets)
	return shard, len(b.Pkts) >= r.spec.BatchSize
}

// hold keeps blk, which holds the payload of a packet just added to b,
// until b comes back. Packets come in input order, so a batch holds each
// block once if it checks only the last.
func (b *packetBatch) hold(blk *capture.Block) {
	if n := len(b.blocks); n == 0 || b.blocks[n-1] != blk {
		blk.Retain()
		b.blocks = append(b.blocks, blk)
	}
}

// release lets go of the blocks the batch held.
func (b *packetBatch) release() {
	for i, blk := range b.blocks {
		blk.Release()
		b.blocks[i] = nil
	}
	b.blocks = b.blocks[:0]
}

// send hands the filling batch of shard to it when credit allows.
func (r *reader) send(c actor.Context, shard int) bool {
	if r.credit[shard] == 0 {
		return false
	}
	b := r.filling[shard]
	b.Clock = r.clock
	b.From = c.Self()
	r.credit[shard]--
	c.Send(r.shards[shard], b)
	if n := len(r.free[shard]); n > 0 {
		r.filling[shard] = r.free[shard][n-1]
		r.free[shard] = r.free[shard][:n-1]
	} else {
		r.filling[shard] = r.newBatch()
	}
	return true
}

func (r *reader) openNext() bool {
	for r.file+1 < len(r.spec.Inputs) {
		r.file++
		name := r.spec.Inputs[r.file]
		open := r.spec.Open
		if open == nil {
			open = pathpolicy.OpenRegular
		}
		f, err := open(name)
		if err != nil {
			r.fail(name, 0, err)
			continue
		}
		r.f = f
		r.counter = countingReader{r: f}
		// One capture.Reader reads every input, so its blocks are reused.
		if err := r.capt.Reset(&r.counter); err != nil {
			r.fail(name, 0, err)
			r.closeFile()
			continue
		}
		r.src = &r.capt
		r.readable++
		return true
	}
	return false
}

// endFile records how the current file ended and closes it.
func (r *reader) endFile(err error) {
	if !errors.Is(err, io.EOF) {
		name := r.spec.Inputs[r.file]
		var fe *capture.FormatError
		if errors.As(err, &fe) {
			r.fail(name, fe.Offset, fe)
		} else {
			r.fail(name, r.src.Offset(), err)
		}
	}
	r.closeFile()
}

func (r *reader) fail(name string, off int64, err error) {
	r.progress.Errors = append(r.progress.Errors,
		FileError{File: name, Offset: off, Reason: reason(err)})
}

func (r *reader) closeFile() {
	if r.f != nil {
		r.progress.BytesRead = r.spentBytes()
		r.progress.FilesDone++
		_ = r.f.Close()
	}
	r.f, r.src = nil, nil
}

// spentBytes is the input read so far: closed files in full, and the
// open one up to where the reader got.
func (r *reader) spentBytes() int64 {
	var total int64
	for i := 0; i < r.file; i++ {
		if st, err := os.Stat(r.spec.Inputs[i]); err == nil {
			total += st.Size()
		}
	}
	return total + r.counter.n
}

// finish flushes every partial batch and marks the end of input. When no
// input could be read at all there is nothing to publish: the task is
// told so instead, and ends without an output.
func (r *reader) finish(c actor.Context) {
	r.done = true
	r.progress.Done = true
	if r.readable == 0 {
		r.report(c)
		c.Send(r.task, &noInput{})
		return
	}
	for i := range r.shards {
		if len(r.filling[i].Pkts) > 0 {
			// The window is a soft limit at the very end: one more batch
			// per shard keeps the end of input simple.
			r.credit[i]++
			r.send(c, i)
		}
		c.Send(r.shards[i], &endOfInput{})
	}
	r.report(c)
}

func (r *reader) report(c actor.Context) {
	p := r.progress
	if r.f != nil {
		p.BytesRead = r.spentBytes()
	}
	p.FilesDone = r.progress.FilesDone
	c.Send(r.task, &p)
	r.progress.Errors = nil
}

// reason renders an error for a person reading a task's status.
func reason(err error) string {
	var fe *capture.FormatError
	if errors.As(err, &fe) {
		return fe.Reason
	}
	var ppe *pathpolicy.Error
	if errors.As(err, &ppe) {
		return ppe.Reason
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Sprintf("%s: %v", pe.Op, pe.Err)
	}
	return err.Error()
}

// countingReader counts the bytes read from the file, for progress.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
