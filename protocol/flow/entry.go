package flow

import "github.com/ipfixweb/ipfixweb/protocol/packet"

// TCP flag bits as they appear in packet.Packet.TCPFlags.
const (
	tcpFIN = 0x01
	tcpSYN = 0x02
	tcpRST = 0x04
	tcpACK = 0x10
)

// Entry state bits.
const (
	stFinA   uint8 = 1 << iota // FIN seen from side a
	stFinB                     // FIN seen from side b
	stClosed                   // RST or FIN both ways: on the closed list
	stActive                   // the record has packets: on the active list
	stInitB                    // the initiator is side b (forward is b to a)
)

// side holds one direction of a connection's current record and the
// attributes of its first packet.
type side struct {
	start, end      int64
	packets, octets uint64
	flags           uint16
	tos             uint8
	ttlMin, ttlMax  uint8
	innerVLAN       uint16
	iface, mpls     uint32
}

// add counts p in the direction; the first packet sets the attributes.
func (d *side) add(p *packet.Packet) {
	t := p.Time
	if d.packets == 0 {
		*d = side{start: t, end: t, tos: p.TOS, ttlMin: p.TTL, ttlMax: p.TTL,
			innerVLAN: p.InnerVLAN, iface: p.Interface, mpls: p.MPLSTop}
	} else {
		d.start, d.end = min(d.start, t), max(d.end, t)
		d.ttlMin, d.ttlMax = min(d.ttlMin, p.TTL), max(d.ttlMax, p.TTL)
	}
	d.packets++
	d.octets += uint64(p.Octets)
	d.flags |= p.TCPFlags
}

// merge adds the counts of o (which has packets) to d (which has too).
func (d *side) merge(o *side) {
	d.start, d.end = min(d.start, o.start), max(d.end, o.end)
	d.ttlMin, d.ttlMax = min(d.ttlMin, o.ttlMin), max(d.ttlMax, o.ttlMax)
	d.packets += o.packets
	d.octets += o.octets
	d.flags |= o.flags
}

func (d *side) counters() Counters {
	return Counters{Start: d.start, End: d.end, Packets: d.packets, Octets: d.octets,
		TCPFlags: d.flags}
}

// fill copies the first-packet attributes into r.
func (d *side) fill(r *Record) {
	r.TOS, r.TTLMin, r.TTLMax = d.tos, d.ttlMin, d.ttlMax
	r.Interface, r.InnerVLAN, r.MPLSTop = d.iface, d.innerVLAN, d.mpls
}

// entry is one connection. It lives in Table.entries and is linked by
// index (0 is the nil index). It holds no pointer. The fields a packet
// touches come first, and the size is three cache lines.
type entry struct {
	key     fkey
	last    int64  // latest packet time, either direction
	timerAt int64  // record start (active list) or close time (closed list)
	hash    uint32 // the key's hash as stored in the slot
	state   uint8

	// queued is the time the entry was put on the idle list; queued <=
	// last. The idle list is ordered by queued and is only fixed up when
	// its head is looked at, so a packet never touches other entries.
	queued               int64
	idlePrev, idleNext   uint32  // idle list; idleNext also links free entries
	timerPrev, timerNext uint32  // active or closed list
	gen                  uint32  // bumped on release
	tag                  uint32  // the caller's tag (SetTag), copied into records
	dir                  [2]side // by sender: 0 is a to b, 1 is b to a
}

// idleReason is why an idle entry ends: a TCP connection that saw a FIN
// (either way) has ended, and says so (B20 F6/F7).
// recordStart returns the time of the first packet of e's current record,
// and false when the record has no packet yet.
func (e *entry) recordStart() (int64, bool) {
	a, b := &e.dir[0], &e.dir[1]
	switch {
	case a.packets == 0 && b.packets == 0:
		return 0, false
	case a.packets == 0:
		return b.start, true
	case b.packets == 0:
		return a.start, true
	}
	return min(a.start, b.start), true
}

func (e *entry) idleReason() EndReason {
	if e.state&(stFinA|stFinB|stClosed) != 0 {
		return EndOfFlow
	}
	return EndIdle
}

// initiator returns the side of the forward direction.
func (e *entry) initiator() uint8 {
	if e.state&stInitB != 0 {
		return 1
	}
	return 0
}

// list is the head and tail of an index-linked list of entries.
type list struct{ head, tail uint32 }

func (t *Table) idlePush(i uint32) {
	e := t.ent(i)
	e.idlePrev, e.idleNext = t.idle.tail, 0
	if t.idle.tail != 0 {
		t.ent(t.idle.tail).idleNext = i
	} else {
		t.idle.head = i
	}
	t.idle.tail = i
}

func (t *Table) idleRemove(i uint32) {
	e := t.ent(i)
	if e.idlePrev != 0 {
		t.ent(e.idlePrev).idleNext = e.idleNext
	} else {
		t.idle.head = e.idleNext
	}
	if e.idleNext != 0 {
		t.ent(e.idleNext).idlePrev = e.idlePrev
	} else {
		t.idle.tail = e.idlePrev
	}
	e.idlePrev, e.idleNext = 0, 0
}

func (t *Table) timerPush(l *list, i uint32) {
	e := t.ent(i)
	e.timerPrev, e.timerNext = l.tail, 0
	if l.tail != 0 {
		t.ent(l.tail).timerNext = i
	} else {
		l.head = i
	}
	l.tail = i
}

func (t *Table) timerRemove(l *list, i uint32) {
	e := t.ent(i)
	if e.timerPrev != 0 {
		t.ent(e.timerPrev).timerNext = e.timerNext
	} else {
		l.head = e.timerNext
	}
	if e.timerNext != 0 {
		t.ent(e.timerNext).timerPrev = e.timerPrev
	} else {
		l.tail = e.timerPrev
	}
	e.timerPrev, e.timerNext = 0, 0
}
