package flow

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// Stats are a table's running counts since it was made.
type Stats struct {
	Packets     uint64 // packets handed to Add or AddBatch
	Skipped     uint64 // not metered: protocol not in Config.Protocols
	Invalid     uint64 // skipped: an address missing, or of two families
	Flows       uint64 // connections opened
	Records     uint64 // records returned
	Evicted     uint64 // connections ended early because MaxFlows was reached
	Fragments   uint64 // non-first fragments seen
	FragOrphans uint64 // datagrams exported port-less: first fragment never seen
	FragDropped uint64 // datagrams forgotten early because MaxFragments was reached
}

// Table meters packets into flow records; see the package doc for the
// rules. Make one with [NewTable]. A Table is not safe for concurrent use.
//
// Connections live in entries, in pages that never move, linked by index
// into three lists: the idle list (by last packet, lazily), the active
// list (open connections by record start) and the closed list (by close
// time). An open-addressing index maps keys to entries. In steady state
// Add and [Table.AddBatch] allocate nothing; AddBatch is the faster of the
// two on large tables.
type Table struct {
	cfg settings
	// seed is random per table so that crafted captures cannot aim for
	// index collisions; records never depend on it.
	seed  uint64
	clock int64 // capture clock: latest packet time or Advance time

	pages []page   // the entries, by index; entry 0 is unused: index 0 means none
	mem   *offHeap // the pages off the heap
	made  uint32   // entries made so far, entry 0 included
	free  uint32   // free entries, linked by idleNext
	live  int      // connections in the table
	slots []uint64 // hash<<32 | entry index; 0 is empty

	idle, active, closed list
	frags                fragTable
	stats                Stats
	sink                 uint64 // keeps AddBatch's early loads alive

	// The connection the latest Add metered its packet into, for Last.
	last     uint32
	lastFrom uint8
	lastNew  bool
	lastOK   bool
	ended    []uint32 // tags of connections ended since EndedTags
}

// NewTable returns an empty table set up by cfg.
func NewTable(cfg Config) *Table {
	t := &Table{cfg: cfg.resolve(), seed: rand.Uint64(), clock: math.MinInt64, mem: new(offHeap)}
	runtime.AddCleanup(t, (*offHeap).free, t.mem)
	t.newEntry() // entry 0
	t.slots = make([]uint64, 128)
	t.frags.init(t.cfg.maxFrags)
	return t
}

// Len returns the number of connections in the table.
func (t *Table) Len() int { return t.live }

// Stats returns the table's counts.
func (t *Table) Stats() Stats { return t.stats }

// Clock returns the capture clock in nanoseconds since the epoch, or
// math.MinInt64 before the first packet or Advance.
func (t *Table) Clock() int64 { return t.clock }

// Add meters one packet. It moves the capture clock to p.Time if that is
// later, appends to out every record that ends on the way (timeouts passed
// on the new clock, a closed connection's linger, the table being full, a
// record of p's own flow cut by its active timeout) and returns out. Add
// keeps nothing of p: its Payload is not looked at.
func (t *Table) Add(p *packet.Packet, out []Record) []Record {
	t.lastOK = false
	t.stats.Packets++
	if t.cfg.protos[p.Proto>>6]&(1<<(p.Proto&63)) == 0 {
		t.stats.Skipped++
		return out
	}
	if !p.Src.IsValid() || !p.Dst.IsValid() || p.Src.Is4() != p.Dst.Is4() {
		t.stats.Invalid++
		return out
	}
	if p.Time > t.clock {
		t.clock = p.Time
		out = t.expire(out)
	}

	if p.Fragmented && !p.FirstFrag {
		s := t.laterFragment(p, &out)
		if s == nil {
			return out // held until its first fragment comes
		}
		k := s.flow
		return t.addKeyed(p, &k, s.from, uint32(k.hash(t.seed)>>32), out)
	}
	k, from := connKey(p)
	return t.addKeyed(p, &k, from, uint32(k.hash(t.seed)>>32), out)
}

// addKeyed meters p, sent from side from of connection k (hash h), once
// the clock has moved.
func (t *Table) addKeyed(p *packet.Packet, k *fkey, from uint8, h uint32,
	out []Record) []Record {
	i := t.lookup(k, h)
	if i != 0 {
		i, out = t.check(i, p, out)
	}
	t.lastNew = i == 0
	if i == 0 {
		i, out = t.open(k, h, p, from, out)
	}
	t.last, t.lastFrom, t.lastOK = i, from, true
	t.count(i, from, p)
	if p.Fragmented && p.FirstFrag {
		out = t.firstFragment(p, k, i, from, out)
	}
	return out
}

// Advance moves the capture clock to now (ns since the epoch) if that is
// later and appends every record whose timeout has passed.
func (t *Table) Advance(now int64, out []Record) []Record {
	if now > t.clock {
		t.clock = now
	}
	return t.expire(out)
}

// Flush ends every connection and appends its records: closed TCP
// connections with EndOfFlow, all others with reason (EndForced at the end
// of the input or on stop). Fragments still waiting for their first are
// exported port-less with reason too. The table is then empty and can be
// used again; its clock stays.
func (t *Table) Flush(reason EndReason, out []Record) []Record {
	// One allocation of the most it can take, rather than growing out
	// record by record: a large table would allocate about five times its
	// records' size on the way, and hold twice at the peak.
	n := t.live
	if !t.cfg.biflow {
		n *= 2 // a record per direction
	}
	out = slices.Grow(out, n)
	out, _ = t.FlushSome(reason, t.live, out)
	return out
}

// FlushSome ends at most n connections as [Table.Flush] does, those
// queued longest first, and appends their records. When no connection is
// left it ends the fragments still held too, and reports done: the table
// is then as Flush leaves it. Calling it until done gives the records of
// Flush in the same order, a bounded number at a time, so the records of
// a large table never all exist at once. Between calls the table may be
// used as usual.
func (t *Table) FlushSome(reason EndReason, n int, out []Record) (_ []Record, done bool) {
	for ; n > 0 && t.idle.head != 0; n-- {
		i := t.idle.head
		r := reason
		if t.ent(i).state&stClosed != 0 {
			r = EndOfFlow
		}
		out = t.end(i, r, out)
	}
	if t.idle.head != 0 {
		return out, false
	}
	out = t.flushFragments(reason, out)
	t.forgetEntries()
	return out, true
}

// check applies the end rules to entry i before p is counted in it. It
// returns 0 when the connection ended and p must open a new one.
func (t *Table) check(i uint32, p *packet.Packet, out []Record) (uint32, []Record) {
	e := t.ent(i)
	switch {
	case t.clock-e.last > t.cfg.idle:
		return 0, t.end(i, e.idleReason(), out)
	case e.state&stClosed != 0 && p.Proto == protoTCP &&
		p.TCPFlags&(tcpSYN|tcpACK) == tcpSYN:
		return 0, t.end(i, EndOfFlow, out) // a new connection on the same ports
	case e.state&stActive != 0 && t.clock-e.timerAt >= t.cfg.active:
		return i, t.cut(i, out)
	case e.state&stClosed != 0:
		// A closed connection lingers off the active list; a packet that
		// would stretch its record past the active timeout starts a new one.
		if start, ok := e.recordStart(); ok && t.clock-start >= t.cfg.active {
			out = t.emit(e, EndActive, out)
			e.dir = [2]side{}
		}
	}
	return i, out
}

// open adds a connection for k, first making room if the table is full.
// from is the side that sent p, the connection's first packet.
func (t *Table) open(k *fkey, h uint32, p *packet.Packet, from uint8,
	out []Record) (uint32, []Record) {
	if t.live >= t.cfg.maxFlows {
		out = t.evict(out)
	}
	i := t.free
	if i != 0 {
		t.free = t.ent(i).idleNext
	} else {
		i = t.newEntry()
	}
	e := t.ent(i)
	*e = entry{key: *k, hash: h, gen: e.gen, last: p.Time, queued: p.Time}
	init := from
	if p.Proto == protoTCP && p.TCPFlags&(tcpSYN|tcpACK) == tcpSYN|tcpACK {
		init ^= 1 // a SYN+ACK answers the initiator
	}
	if init == 1 {
		e.state = stInitB
	}
	t.insertSlot(i, h)
	t.idlePush(i)
	t.live++
	t.stats.Flows++
	return i, out
}

// count adds p, sent from side from, to entry i.
func (t *Table) count(i uint32, from uint8, p *packet.Packet) {
	e := t.ent(i)
	e.dir[from].add(p)
	e.last = max(e.last, p.Time)
	switch {
	case e.state&(stActive|stClosed) == 0:
		e.state |= stActive // p starts a record
		e.timerAt = p.Time
		t.timerPush(&t.active, i)
	case e.state&stActive != 0:
		e.timerAt = min(e.timerAt, p.Time)
	}
	if p.Proto == protoTCP && p.TCPFlags&(tcpFIN|tcpRST) != 0 {
		t.tcpEnd(i, from, p.TCPFlags)
	}
}

// tcpEnd notes a FIN or RST. RST either way or FIN both ways closes the
// connection: it moves to the closed list and ends after the linger, so
// packets still in flight (the last ACK) count.
func (t *Table) tcpEnd(i uint32, from uint8, flags uint16) {
	e := t.ent(i)
	if flags&tcpFIN != 0 {
		e.state |= stFinA << from
	}
	if e.state&stClosed != 0 ||
		flags&tcpRST == 0 && e.state&(stFinA|stFinB) != stFinA|stFinB {
		return
	}
	if e.state&stActive != 0 {
		t.timerRemove(&t.active, i)
	}
	e.state = e.state&^stActive | stClosed
	e.timerAt = t.clock
	t.timerPush(&t.closed, i)
}
