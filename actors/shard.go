package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// shard owns one flow table. It meters the batches the reader sends, and
// sends the records that end to the writer. When the writer has no credit
// for it, finished records wait here and the shard holds back its acks to
// the reader, so backpressure reaches the reader.
//
// With DPI, the shard is also the parent and supervisor of the per-flow
// DPI actors (see [shardDPI]): it is the only place that sees every
// packet of a flow in order. Their segments point into the reader's
// batches, so a batch is acknowledged only once the DPI actors are done
// with it; a panic in one of them stops only that actor.
type shard struct {
	index  int
	spec   *Spec
	task   *actor.PID
	writer *actor.PID

	self  *actor.PID
	table *flow.Table
	out   []flow.Record

	credit   int
	free     []*recordBatch
	pending  []*recordBatch // full batches waiting for writer credit
	acks     []*packetBatch // reader batches whose ack waits for the writer
	flushing bool           // the input ended: the table is being flushed
	ended    bool           // the table is flushed; the shard is done once nothing waits
	batches  uint64
	dpi      *shardDPI // nil without DPI

	// With DPI, while a batch is metered: the batch, the records of out
	// already labelled, and labelAndInspect as a func value made once.
	metering    *packetBatch
	labelled    int
	afterPacket func(int, []flow.Record) []flow.Record
}

func newShard(index int, spec *Spec, task, writer *actor.PID) *shard {
	s := &shard{index: index, spec: spec, task: task, writer: writer,
		table: flow.NewTable(spec.Meter), credit: spec.Window}
	if spec.DPI {
		s.dpi = newShardDPI(spec)
		s.afterPacket = s.labelAndInspect
	}
	return s
}

func (s *shard) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		s.self = c.Self()
		if s.dpi != nil {
			s.dpi.start(s.self)
		}
	case *packetBatch:
		s.spec.fault("shard", &s.batches)
		if s.dpi != nil {
			s.meterDPI(c, m)
		} else {
			s.meter(m)
		}
		s.queue(s.out)
		s.ackOrHold(c, m)
		s.report(c)
	case *endOfInput:
		s.flushing = true
		s.flushMore(c)
		s.report(c)
	case *recordAck:
		s.credit++
		m.Batch.Records = m.Batch.Records[:0]
		s.free = append(s.free, m.Batch)
		s.drain(c)
		s.flushMore(c)
	case *dpiReturned:
		s.dpi.returned(c, (*dpiBatch)(m))
		s.afterVerdicts(c)
	case *dpiFailed:
		s.dpi.failed(m)
		s.afterVerdicts(c)
	case *actor.Stopped:
		s.table.Release() // its pages now, rather than when it is collected
	}
}

// HandleFailure makes the shard the supervisor of its DPI actors: one
// that panics is stopped, and its flow becomes Unknown (see
// [shardDPI.failed]), handled as a message in order with the actor's
// earlier replies.
func (s *shard) HandleFailure(sys *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	_ *actor.RestartStatistics, _ any, _ any) {
	sup.StopChildren(child)
	sys.Root.Send(s.self, &dpiFailed{who: child})
}

func (s *shard) meter(b *packetBatch) {
	s.out = s.table.AddBatch(b.Pkts, s.out[:0])
	s.out = s.table.Advance(b.Clock, s.out)
}

// flushMore ends the table's connections at the end of the input, a
// batch of records at a time, while the writer keeps up: the records of a
// large table never all exist at once, and the next piece is made when
// the writer acknowledges one. Once the table is empty the shard has
// ended.
func (s *shard) flushMore(c actor.Context) {
	for s.flushing && len(s.pending) <= 1 {
		var done bool
		s.out, done = s.table.FlushSome(flow.EndForced, max(1, s.spec.BatchSize/2), s.out[:0])
		if s.dpi != nil {
			s.out = s.dpi.label(s.out, 0)
			s.dpi.noteEnded(s.table)
			s.dpi.flush(c)
		}
		s.queue(s.out)
		if done {
			s.flushing, s.ended = false, true
		}
		s.drain(c)
	}
}

// meterDPI meters b, labels the records that end and hands each flow's
// first packets to its DPI actor, packet by packet (labelAndInspect).
func (s *shard) meterDPI(c actor.Context, b *packetBatch) {
	d := s.dpi
	s.metering, s.labelled = b, 0
	s.out = s.table.AddBatchFunc(b.Pkts, s.out[:0], s.afterPacket)
	s.metering = nil
	n := len(s.out)
	s.out = d.label(s.table.Advance(b.Clock, s.out), n)
	d.noteEnded(s.table)
	d.flush(c)
}

// labelAndInspect is called by the table after it metered packet i of
// the batch being metered, which ended the records of out past
// s.labelled: they are labelled, and the packet goes to its connection's
// DPI.
func (s *shard) labelAndInspect(i int, out []flow.Record) []flow.Record {
	d := s.dpi
	if len(out) > s.labelled {
		out = d.label(out, s.labelled)
	}
	d.noteEnded(s.table)
	d.packet(s.table, &s.metering.Pkts[i], s.metering)
	s.labelled = len(out)
	return out
}

// afterVerdicts sends on the records whose verdict came, gives waiting
// flows the actors that were freed, and releases what was held.
func (s *shard) afterVerdicts(c actor.Context) {
	d := s.dpi
	d.spawnQueued(c)
	d.evict(c)
	if len(d.ready) > 0 {
		s.queue(d.ready)
		clear(d.ready)
		d.ready = d.ready[:0]
	}
	s.drain(c)
}

// queue splits records into batches for the writer.
func (s *shard) queue(recs []flow.Record) {
	for len(recs) > 0 {
		b := s.batch()
		n := min(len(recs), s.spec.BatchSize-len(b.Records))
		b.Records = append(b.Records, recs[:n]...)
		recs = recs[n:]
	}
}

// batch returns the last pending batch if it has room, or a new one.
func (s *shard) batch() *recordBatch {
	if n := len(s.pending); n > 0 && len(s.pending[n-1].Records) < s.spec.BatchSize {
		return s.pending[n-1]
	}
	var b *recordBatch
	if n := len(s.free); n > 0 {
		b, s.free = s.free[n-1], s.free[:n-1]
	} else {
		b = &recordBatch{From: s.self, Shard: s.index, Records: make([]flow.Record, 0, s.spec.BatchSize)}
	}
	s.pending = append(s.pending, b)
	return b
}

// ackOrHold acks the reader's batch unless records are piling up for a
// writer that has no credit for this shard, or DPI actors still read
// payloads in it.
func (s *shard) ackOrHold(c actor.Context, b *packetBatch) {
	s.drain(c)
	if len(s.pending) > s.spec.Window || b.dpiRefs > 0 {
		s.acks = append(s.acks, b)
		return
	}
	c.Send(b.From, &packetAck{Shard: s.index, Batch: b})
}

// drain sends pending batches while credit lasts, releases held acks once
// the backlog is small, and after the end of input tells the writer this
// shard is done.
func (s *shard) drain(c actor.Context) {
	for s.credit > 0 && len(s.pending) > 0 {
		b := s.pending[0]
		s.pending = s.pending[1:]
		s.credit--
		c.Send(s.writer, b)
	}
	if len(s.acks) > 0 && len(s.pending) <= s.spec.Window {
		s.releaseAcks(c)
	}
	if s.ended && len(s.pending) == 0 && (s.dpi == nil || s.dpi.idle()) {
		s.ended = false
		s.report(c)
		c.Send(s.writer, &shardDone{Shard: s.index})
	}
}

// releaseAcks acks the held reader batches that no DPI actor reads.
func (s *shard) releaseAcks(c actor.Context) {
	keep := s.acks[:0]
	for _, b := range s.acks {
		if b.dpiRefs > 0 {
			keep = append(keep, b)
			continue
		}
		c.Send(b.From, &packetAck{Shard: s.index, Batch: b})
	}
	clear(s.acks[len(keep):])
	s.acks = keep
}

func (s *shard) report(c actor.Context) {
	st := s.table.Stats()
	p := &shardProgress{Shard: s.index, Active: s.table.Len(), Flows: st.Flows, Skipped: st.Skipped,
		Evicted: st.Evicted}
	if d := s.dpi; d != nil {
		p.DPIActive, p.DPIPeak, p.DPIFlows, p.DPIFailures = d.live, d.peak, d.spawned, d.failures
		p.DPITracked = int(d.made) - len(d.free)
	}
	c.Send(s.task, p)
}
