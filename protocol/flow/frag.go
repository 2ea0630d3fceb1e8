package flow

import (
	"math/bits"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// fragState follows one fragmented datagram, keyed by (source,
// destination, protocol, fragment id, VLAN). Once its first fragment (the
// one with the ports) is seen, later fragments are counted in that flow;
// until then they are held here.
type fragState struct {
	key     fkey
	flow    fkey  // the connection key, once first is set
	created int64 // capture clock when the state was made
	from    uint8 // side of the connection the datagram was sent from
	first   bool  // the first fragment was seen
	held    side  // fragments that came before the first
}

// fragTable holds fragment states in the order they were made, in a ring
// that grows up to max (a power of two). They end only in that order:
// on timeout, when the ring is full, or on Flush. The index is a Go map:
// fragments are rare, and its occasional rehash (measured: 17 allocations
// per million fragments under churn) is the only allocation of Add.
type fragTable struct {
	index      map[fkey]uint64 // key -> sequence number
	ring       []fragState     // state n is at ring[n&(len(ring)-1)]
	head, tail uint64          // live states are head..tail-1
	max        int
}

func (f *fragTable) init(maxFrags int) {
	f.max = 1 << bits.Len(uint(maxFrags-1))
	f.index = make(map[fkey]uint64)
}

func (f *fragTable) find(k *fkey) *fragState {
	n, ok := f.index[*k]
	if !ok {
		return nil
	}
	return &f.ring[n&uint64(len(f.ring)-1)]
}

func (f *fragTable) grow() {
	ring := make([]fragState, max(16, 2*len(f.ring)))
	for n := f.head; n < f.tail; n++ {
		ring[n&uint64(len(ring)-1)] = f.ring[n&uint64(len(f.ring)-1)]
	}
	f.ring = ring
}

// laterFragment handles a non-first fragment. It returns the state of its
// datagram when the first fragment was seen; otherwise it holds p's counts
// and returns nil.
func (t *Table) laterFragment(p *packet.Packet, out *[]Record) *fragState {
	t.stats.Fragments++
	k := fragKey(p)
	s := t.frags.find(&k)
	if s != nil && s.first {
		return s
	}
	if s == nil {
		s = t.newFrag(&k, out)
	}
	s.held.add(p)
	return nil
}

// firstFragment joins the datagram of p, the first fragment, to entry i
// (key k, sent from side from), adding fragments held before it.
func (t *Table) firstFragment(p *packet.Packet, k *fkey, i uint32, from uint8,
	out []Record) []Record {
	fk := fragKey(p)
	s := t.frags.find(&fk)
	switch {
	case s == nil:
		s = t.newFrag(&fk, &out)
	case s.first:
		return out // a duplicate first fragment
	case s.held.packets != 0:
		e := t.ent(i)
		e.dir[from].merge(&s.held)
		e.last = max(e.last, s.held.end)
		if e.state&stActive != 0 {
			e.timerAt = min(e.timerAt, s.held.start)
		}
		s.held = side{}
	}
	s.flow, s.from, s.first = *k, from, true
	return out
}

// newFrag adds a state for k, dropping the oldest if the table is full.
func (t *Table) newFrag(k *fkey, out *[]Record) *fragState {
	f := &t.frags
	if f.tail-f.head >= uint64(f.max) {
		t.stats.FragDropped++
		*out = t.popFrag(EndResource, *out)
	}
	if f.tail-f.head == uint64(len(f.ring)) {
		f.grow()
	}
	s := &f.ring[f.tail&uint64(len(f.ring)-1)]
	*s = fragState{key: *k, created: t.clock}
	f.index[*k] = f.tail
	f.tail++
	return s
}

// popFrag ends the oldest state. Fragments whose first never came are
// exported as a flow with ports zero.
func (t *Table) popFrag(reason EndReason, out []Record) []Record {
	f := &t.frags
	s := &f.ring[f.head&uint64(len(f.ring)-1)]
	if !s.first && s.held.packets != 0 {
		t.stats.FragOrphans++
		t.stats.Records++
		r := Record{Key: s.key.dirKey(0, true), IPVersion: s.key.ipVersion(),
			Fwd: s.held.counters(), Biflow: t.cfg.biflow, EndReason: reason}
		s.held.fill(&r)
		out = append(out, r)
	}
	delete(f.index, s.key)
	f.head++
	return out
}

func (t *Table) expireFragments(out []Record) []Record {
	f := &t.frags
	for f.head < f.tail &&
		t.clock-f.ring[f.head&uint64(len(f.ring)-1)].created > t.cfg.fragTimeout {
		out = t.popFrag(EndIdle, out)
	}
	return out
}

func (t *Table) flushFragments(reason EndReason, out []Record) []Record {
	for t.frags.head < t.frags.tail {
		out = t.popFrag(reason, out)
	}
	return out
}
