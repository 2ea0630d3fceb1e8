package flow

import "github.com/ipfixweb/ipfixweb/protocol/packet"

// batchAhead is how many packets ahead AddBatch loads the index slot of a
// packet; it loads the packet's entry half as far ahead, once the slot is
// likely in cache.
const batchAhead = 8

// prepared is a packet's connection key, worked out ahead of its turn.
type prepared struct {
	k    fkey
	h    uint32
	from uint8
	ok   bool // false: let Add handle the packet from scratch
}

// AddBatch meters pkts in order and gives the same records as calling
// [Table.Add] on each. On a table much larger than the CPU caches it is
// faster: while it meters one packet it already loads the index slot and
// the entry of the packets a few places behind, so their memory latencies
// overlap instead of adding up.
func (t *Table) AddBatch(pkts []packet.Packet, out []Record) []Record {
	return t.AddBatchFunc(pkts, out, nil)
}

// AddBatchFunc is [Table.AddBatch] for callers that keep state beside the
// table: after it meters pkts[i] it calls after(i, out), with out as Add
// would have returned it and [Table.Last] naming pkts[i]'s connection,
// and goes on with the out after returns (which may have taken records
// off out's end). The records are those of calling Add and after on each
// packet in turn. after may be nil.
func (t *Table) AddBatchFunc(pkts []packet.Packet, out []Record,
	after func(i int, out []Record) []Record) []Record {
	var pre [2 * batchAhead]prepared
	const ring = len(pre) - 1
	var sink uint64
	for j := range min(batchAhead, len(pkts)) {
		sink += t.prepare(&pkts[j], &pre[j&ring])
	}
	for i := range pkts {
		if j := i + batchAhead; j < len(pkts) {
			sink += t.prepare(&pkts[j], &pre[j&ring])
		}
		if j := i + batchAhead/2; j < len(pkts) {
			sink += t.touchEntry(&pre[j&ring])
		}
		p, pp := &pkts[i], &pre[i&ring]
		if !pp.ok {
			out = t.Add(p, out)
		} else {
			t.lastOK = false
			t.stats.Packets++
			if p.Time > t.clock {
				t.clock = p.Time
				out = t.expire(out)
			}
			out = t.addKeyed(p, &pp.k, pp.from, pp.h, out)
		}
		if after != nil {
			out = after(i, out)
		}
	}
	t.sink += sink
	return out
}

// prepare works out p's key if Add would meter it by its own key (not
// filtered, valid, not a later fragment) and loads its index slot.
func (t *Table) prepare(p *packet.Packet, pp *prepared) uint64 {
	pp.ok = t.cfg.protos[p.Proto>>6]&(1<<(p.Proto&63)) != 0 &&
		p.Src.IsValid() && p.Dst.IsValid() && p.Src.Is4() == p.Dst.Is4() &&
		!(p.Fragmented && !p.FirstFrag)
	if !pp.ok {
		return 0
	}
	pp.k, pp.from = connKey(p)
	pp.h = uint32(pp.k.hash(t.seed) >> 32)
	return t.slots[pp.h&uint32(len(t.slots)-1)]
}

// touchEntry loads the entry in the home slot of a prepared packet.
func (t *Table) touchEntry(pp *prepared) uint64 {
	if !pp.ok {
		return 0
	}
	s := t.slots[pp.h&uint32(len(t.slots)-1)]
	if s == 0 {
		return 0
	}
	return uint64(t.ent(uint32(s)).last)
}
