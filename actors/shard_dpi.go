package actors

import (
	"net/netip"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// DefaultMaxDPIActors is the number of DPI actors a task keeps alive at
// once when [Spec.MaxDPIActors] is 0.
const DefaultMaxDPIActors = 4096

// States of a connection in a shard's DPI bookkeeping.
const (
	connIdle   uint8 = iota // no payload seen yet: no actor
	connHeld                // has payload, waits for flows that may announce it (shard_expect.go)
	connQueued              // has payload, waits for an actor (the limit is reached)
	connLive                // its actor reads the flow
	connEnding              // its actor was told to conclude
	connDone                // the verdict is known
)

// dpiConn is what a shard knows of one TCP or UDP connection for DPI. The
// flow table tags the connection with its index + 1.
type dpiConn struct {
	gen   uint32 // bumped when the slot is freed
	state uint8
	ended bool  // the flow table ended the connection
	syn   uint8 // bit d: seq[d] is direction d's SYN sequence number
	seq   [2]uint32
	app   *flow.App // the verdict, once known
	run   *dpiRun   // while queued, live or ending
}

// dpiRun is the state of a connection while it is being classified.
type dpiRun struct {
	pid      *actor.PID
	info     dpi.FlowInfo
	begin    int64 // capture time of the first payload
	first    bool  // the next batch sent is the actor's first
	endAsked bool  // conclude as soon as the actor runs
	cur      *dpiBatch
	inflight []*dpiBatch
	waiting  []flow.Record // records that wait for the verdict
	sent     int           // payload segments handed to the actor

	// Announced flows (shard_expect.go).
	key        pairKey // the connection's addresses and IP protocol
	announcing bool    // in pairs[key].runs: its session may announce flows
	mark       uint64  // the shard's segment count when the connection began
}

// ticket names a connection slot at one generation.
type ticket struct{ conn, gen uint32 }

// shardDPI is a shard's DPI bookkeeping: a slot per TCP or UDP
// connection, one DPI actor per connection that is being classified (at
// most limit at once), and the records that wait for a verdict. A
// connection gets an actor when its first payload comes; the actor gets
// the connection's SYNs and at most budget payload segments, one message
// per shard batch; a record that ends while its connection is classified
// waits for the verdict, and the actor is told to conclude with what it
// has read. When more connections need an actor than the limit allows,
// the one that has had its actor longest is told to conclude, so the
// queue always moves without waiting for more packets. A connection that
// another connection of its address pair may have announced (FTP data)
// is held before it is queued, until that one's actor has read what came
// before it (shard_expect.go).
type shardDPI struct {
	cfg     dpi.Config
	budget  int
	limit   int
	props   *actor.Props
	unknown *flow.App

	conns    [][]dpiConn // pages of connPage slots
	made     uint32      // slots made
	done     bitset      // slots in state connDone
	free     []uint32
	runs     []*dpiRun             // free runs
	batches  []*dpiBatch           // free batches
	sessions []*dpi.Session        // finished sessions, for reuse
	byPID    map[*actor.PID]uint32 // the PID spawn returned, as failures name it
	queue    tickets               // connections waiting for an actor, oldest first
	order    tickets               // connections that got an actor, oldest first
	touched  []uint32              // live connections with a batch being filled
	ended    []uint32              // scratch for EndedTags
	apps     map[uint32]*flow.App  // by applicationId, for verdicts without metadata

	expect    *dpi.ExpectTable // flows announced on this shard
	pairs     map[pairKey]*pairWait
	freePairs []*pairWait
	segs      uint64 // segments handed to actors so far, numbering them

	live, ending, queued, held, waiting int
	ready                               []flow.Record // records whose verdict came

	spawned, failures uint64
	peak              int
}

func newShardDPI(spec *Spec) *shardDPI {
	limit := spec.MaxDPIActors
	if limit <= 0 {
		limit = DefaultMaxDPIActors
	}
	budget := spec.DPIBudget
	if budget <= 0 {
		budget = dpi.DefaultBudget
	}
	reg := spec.DPIRegistry
	if reg == nil {
		reg = dpi.DefaultRegistry()
	}
	return &shardDPI{
		cfg:    dpi.Config{Budget: budget, Registry: reg},
		budget: budget, limit: max(1, limit/spec.Shards),
		unknown: &flow.App{Name: dpi.ProtoUnknown.String(), ID: uint32(dpi.ProtoUnknown)},
		byPID:   map[*actor.PID]uint32{}, apps: map[uint32]*flow.App{},
		expect: dpi.NewExpectTable(expectTableSize, 0),
		pairs:  map[pairKey]*pairWait{},
	}
}

// start makes the props of the shard's DPI actors.
//
// A DPI actor runs on its shard's goroutine: its mailbox is dispatched
// synchronously, at the shard's Send. Its work is short (a few packets
// per flow) and the shards already keep every core busy, so a goroutine
// of its own would only add a scheduling round trip and a stack that
// grows anew for every flow; the actor keeps its own mailbox, its
// supervision by the shard, and its order of messages. Its mailbox is the
// lock-free one, cheap to make for an actor that reads few messages.
func (d *shardDPI) start(self *actor.PID) {
	cfg := d.cfg
	d.props = actor.PropsFromProducer(func() actor.Actor {
		return &dpiActor{shard: self, cfg: cfg}
	}, actor.WithDispatcher(actor.NewSynchronizedDispatcher(dpiThroughput)),
		actor.WithMailbox(actor.UnboundedLockfree()))
}

// dpiThroughput is the number of messages a DPI actor reads in a row
// before it yields; an actor gets about one per shard batch.
const dpiThroughput = 64

// idle reports whether no connection is being classified and no record
// waits.
func (d *shardDPI) idle() bool {
	return d.live == 0 && d.queued == 0 && d.held == 0 && d.waiting == 0
}

// packet feeds p, just metered by tbl from reader batch b, to its
// connection's classification.
func (d *shardDPI) packet(tbl *flow.Table, p *packet.Packet, b *packetBatch) {
	if p.Proto != dpi.IPProtoTCP && p.Proto != dpi.IPProtoUDP {
		return
	}
	c, ok := tbl.Last()
	if !ok {
		return
	}
	if c.Tag == 0 {
		c.Tag = d.open()
		tbl.SetTag(c, c.Tag)
	}
	i := c.Tag - 1
	if d.done.has(i) {
		return // most packets: the verdict is known, and the slot need not be read
	}
	k := d.conn(i)
	dir := dpi.FromResponder
	if c.FromInitiator {
		dir = dpi.FromInitiator
	}
	switch k.state {
	case connDone, connEnding:
		return
	case connIdle:
		if len(p.Payload) == 0 {
			noteSYN(k, p, dir)
			return
		}
		d.begin(i, p, dir)
	}
	d.add(i, p, b, dir)
}

// noteSYN keeps the sequence number of a SYN seen before any payload.
func noteSYN(k *dpiConn, p *packet.Packet, dir dpi.Dir) {
	if p.Proto == dpi.IPProtoTCP && p.TCPFlags&dpi.FlagSYN != 0 {
		k.syn |= 1 << dir
		k.seq[dir] = p.TCPSeq
	}
}

// begin queues connection i for an actor at its first payload, p, or
// holds it until the flows that may have announced it are read
// ([shardDPI.admit]).
func (d *shardDPI) begin(i uint32, p *packet.Packet, dir dpi.Dir) {
	k := d.conn(i)
	run := d.newRun()
	src, dst := netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
	if dir == dpi.FromResponder {
		src, dst = dst, src
	}
	run.info = dpi.FlowInfo{IPProto: p.Proto, Initiator: src, Responder: dst}
	run.begin, run.mark = p.Time, d.segs
	run.first = true
	k.run = run
	for dir := range dpi.Dir(2) {
		if k.syn&(1<<dir) != 0 {
			b := d.batch(i)
			b.Segs = append(b.Segs, dpi.Segment{Dir: dir, Seq: k.seq[dir], Flags: dpi.FlagSYN})
			d.segs++
		}
	}
	d.admit(i)
}

// add appends p to the batch of connection i when the actor can use it:
// SYNs, and payload until the budget is handed over.
func (d *shardDPI) add(i uint32, p *packet.Packet, b *packetBatch, dir dpi.Dir) {
	run := d.conn(i).run
	syn := p.Proto == dpi.IPProtoTCP && p.TCPFlags&dpi.FlagSYN != 0
	if len(p.Payload) == 0 && !syn || len(p.Payload) > 0 && run.sent >= d.budget {
		return
	}
	if len(p.Payload) > 0 {
		run.sent++
	}
	m := d.batch(i)
	d.segs++ // numbered from 1, as batch expects
	m.Segs = append(m.Segs, dpi.Segment{Dir: dir, Time: p.Time, Seq: p.TCPSeq,
		Flags:   uint8(p.TCPFlags) & (dpi.FlagFIN | dpi.FlagSYN | dpi.FlagRST),
		Payload: p.Payload})
	if len(p.Payload) > 0 && (len(m.refs) == 0 || m.refs[len(m.refs)-1] != b) {
		m.refs = append(m.refs, b)
		b.dpiRefs++
	}
}

// batch returns the batch being filled for connection i, making one.
func (d *shardDPI) batch(i uint32) *dpiBatch {
	k := d.conn(i)
	if k.run.cur != nil {
		return k.run.cur
	}
	var m *dpiBatch
	if n := len(d.batches); n > 0 {
		m, d.batches = d.batches[n-1], d.batches[:n-1]
	} else {
		m = &dpiBatch{}
	}
	m.conn, m.gen, m.seq = i, k.gen, d.segs+1 // its first segment's number
	k.run.cur = m
	if k.state == connLive || k.state == connEnding {
		d.touched = append(d.touched, i)
	}
	return m
}

// label gives the records recs[from:] their application. A record whose
// connection is still being classified is taken out to wait for the
// verdict, and the connection's actor is told to conclude.
func (d *shardDPI) label(recs []flow.Record, from int) []flow.Record {
	keep := from
	for i := from; i < len(recs); i++ {
		r := &recs[i]
		if !d.labelOne(r) {
			continue
		}
		if keep != i {
			recs[keep] = *r
		}
		keep++
	}
	return recs[:keep]
}

func (d *shardDPI) labelOne(r *flow.Record) bool {
	if r.Tag == 0 { // no DPI slot: not TCP or UDP, or no packet of it was read
		r.App = d.byIPProto(r.Key.Proto)
		return true
	}
	k := d.conn(r.Tag - 1)
	switch k.state {
	case connIdle:
		r.App = d.unknown
		return true
	case connDone:
		r.App = k.app
		return true
	}
	k.run.waiting = append(k.run.waiting, *r)
	d.waiting++
	d.conclude(r.Tag - 1)
	return false
}

// conclude asks the actor of connection i for its verdict now.
func (d *shardDPI) conclude(i uint32) {
	k := d.conn(i)
	switch k.state {
	case connQueued, connHeld:
		k.run.endAsked = true
	case connLive:
		k.state = connEnding
		d.ending++
		d.batch(i).End = true
	}
}

// noteEnded handles the connections tbl ended: their slots are freed once
// they have a verdict, and an actor still reading one concludes.
func (d *shardDPI) noteEnded(tbl *flow.Table) {
	d.ended = tbl.EndedTags(d.ended[:0])
	for _, tag := range d.ended {
		i := tag - 1
		k := d.conn(i)
		k.ended = true
		switch k.state {
		case connIdle, connDone:
			d.freeConn(i)
		default:
			d.conclude(i)
		}
	}
}

// bitset is a set of connection slots.
type bitset []uint64

func (b bitset) has(i uint32) bool {
	w := i / 64
	return int(w) < len(b) && b[w]&(1<<(i%64)) != 0
}

func (b *bitset) set(i uint32) {
	w := int(i / 64)
	for len(*b) <= w {
		*b = append(*b, 0)
	}
	(*b)[w] |= 1 << (i % 64)
}

func (b bitset) unset(i uint32) {
	if w := int(i / 64); w < len(b) {
		b[w] &^= 1 << (i % 64)
	}
}

// byIPProto returns the App of a connection DPI does not read: the name
// its IP protocol number gives ([dpi.ByIPProtocol]; ICMP, OSPF, ...), or
// Unknown, which TCP and UDP always get here.
func (d *shardDPI) byIPProto(ipProto uint8) *flow.App {
	p := dpi.ByIPProtocol(ipProto)
	if p == dpi.ProtoUnknown {
		return d.unknown
	}
	return d.appOf(dpi.Verdict{Proto: p})
}
