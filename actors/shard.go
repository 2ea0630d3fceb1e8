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
// Per-flow DPI actors will hang below the shard: it is the only place
// that sees every packet of a flow in order.
type shard struct {
	index  int
	spec   *Spec
	task   *actor.PID
	writer *actor.PID

	self  *actor.PID
	table *flow.Table
	out   []flow.Record

	credit  int
	free    []*recordBatch
	pending []*recordBatch // full batches waiting for writer credit
	acks    []*packetBatch // reader batches whose ack waits for the writer
	ended   bool
	flows   uint64
	batches uint64
}

func newShard(index int, spec *Spec, task, writer *actor.PID) *shard {
	return &shard{index: index, spec: spec, task: task, writer: writer,
		table: flow.NewTable(spec.Meter), credit: spec.Window}
}

func (s *shard) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		s.self = c.Self()
	case *packetBatch:
		s.spec.fault("shard", &s.batches)
		s.meter(m)
		s.queue(s.out)
		s.ackOrHold(c, m)
		s.report(c)
	case *endOfInput:
		s.out = s.table.Flush(flow.EndForced, s.out[:0])
		s.queue(s.out)
		s.ended = true
		s.drain(c)
		s.report(c)
	case *recordAck:
		s.credit++
		m.Batch.Records = m.Batch.Records[:0]
		s.free = append(s.free, m.Batch)
		s.drain(c)
	}
}

func (s *shard) meter(b *packetBatch) {
	s.out = s.out[:0]
	for i := range b.Pkts {
		s.out = s.table.Add(&b.Pkts[i], s.out)
	}
	s.out = s.table.Advance(b.Clock, s.out)
}

// queue splits records into batches for the writer.
func (s *shard) queue(recs []flow.Record) {
	s.flows += uint64(len(recs))
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
// writer that has no credit for this shard.
func (s *shard) ackOrHold(c actor.Context, b *packetBatch) {
	s.drain(c)
	if len(s.pending) > s.spec.Window {
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
	for len(s.acks) > 0 && len(s.pending) <= s.spec.Window {
		c.Send(s.acks[0].From, &packetAck{Shard: s.index, Batch: s.acks[0]})
		s.acks = s.acks[1:]
	}
	if s.ended && len(s.pending) == 0 {
		s.ended = false
		c.Send(s.writer, &shardDone{Shard: s.index})
	}
}

func (s *shard) report(c actor.Context) {
	c.Send(s.task, &shardProgress{Shard: s.index, Active: s.table.Len(), Flows: s.flows,
		Skipped: s.table.Stats().Skipped})
}
