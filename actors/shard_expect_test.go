package actors

import (
	"net/netip"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// holdBench drives a shard's DPI bookkeeping by hand, without actors: it
// opens connections, hands them payload, and plays an actor giving a
// batch back.
type holdBench struct {
	tb     testing.TB
	d      *shardDPI
	client netip.Addr
	server netip.Addr
	batch  packetBatch
	now    int64
}

func newHoldBench(tb testing.TB) *holdBench {
	return &holdBench{tb: tb, d: newShardDPI(&Spec{Shards: 1}),
		client: netip.MustParseAddr("192.0.2.10"), server: netip.MustParseAddr("198.51.100.20")}
}

// conn opens a TCP connection from the client's port cport to the
// server's port sport at its first payload, and returns its slot.
func (h *holdBench) conn(cport, sport uint16) uint32 {
	i := h.d.open() - 1
	h.d.begin(i, h.packet(cport, sport), dpi.FromInitiator)
	h.payload(i)
	return i
}

func (h *holdBench) packet(cport, sport uint16) *packet.Packet {
	h.now += 1e6
	return &packet.Packet{Src: h.client, Dst: h.server, SrcPort: cport, DstPort: sport,
		Proto: dpi.IPProtoTCP, Time: h.now, Payload: []byte("x")}
}

// payload hands connection i one more segment.
func (h *holdBench) payload(i uint32) {
	info := h.d.conn(i).run.info
	h.d.add(i, h.packet(info.Initiator.Port(), info.Responder.Port()), &h.batch,
		dpi.FromInitiator)
}

// send plays the shard sending connection i's filled batch to its actor.
func (h *holdBench) send(i uint32) {
	run := h.d.conn(i).run
	if run.pid == nil {
		run.pid = &actor.PID{Id: "fake"}
	}
	run.inflight = append(run.inflight, run.cur)
	run.cur = nil
}

// back plays connection i's actor giving back its oldest batch (sending
// the one being filled if none is on its way), with the data connections
// it announced in it and whether it may announce more.
func (h *holdBench) back(i uint32, announcing bool, ports ...uint16) {
	run := h.d.conn(i).run
	if len(run.inflight) == 0 {
		h.send(i)
	}
	m := run.inflight[0]
	m.Announcing = announcing
	last := m.Segs[len(m.Segs)-1].Time
	for _, p := range ports {
		m.Expect = append(m.Expect, dpi.Expectation{Proto: dpi.ProtoFTPData,
			IPProto: dpi.IPProtoTCP, Initiator: h.client,
			Responder: netip.AddrPortFrom(h.server, p), Time: last})
	}
	h.d.returned(nil, m)
}

// state returns connection i's state and the protocol it was told it
// was announced as.
func (h *holdBench) state(i uint32) (uint8, dpi.Proto) {
	k := h.d.conn(i)
	return k.state, k.run.info.Expected
}

func (h *holdBench) want(i uint32, state uint8, expected dpi.Proto) {
	h.tb.Helper()
	if s, p := h.state(i); s != state || p != expected {
		h.tb.Fatalf("connection %d: state %d, expected %v; want %d, %v", i, s, p, state,
			expected)
	}
}

// A connection that begins right after a segment of a connection of its
// pair that may announce it waits until that segment was read, then
// takes what it announced.
func TestHeldUntilAnnouncerRead(t *testing.T) {
	h := newHoldBench(t)
	control := h.conn(50000, 21)
	data := h.conn(50001, 2000)
	h.want(data, connHeld, dpi.ProtoUnknown)
	h.back(control, true, 2000)
	h.want(data, connQueued, dpi.ProtoFTPData)
	if h.d.held != 0 {
		t.Errorf("%d connections counted as held", h.d.held)
	}
}

// Segments handed out after a connection began do not hold it, and
// connections that can announce no more hold nothing.
func TestHeldOnlyForEarlierSegments(t *testing.T) {
	h := newHoldBench(t)
	control := h.conn(50000, 21)
	h.send(control)
	web := h.conn(50001, 80)
	h.want(web, connHeld, dpi.ProtoUnknown)
	h.payload(control) // after web began
	h.back(control, true)
	h.want(web, connQueued, dpi.ProtoUnknown)
	mail := h.conn(50002, 25) // control's segment and web's came before it
	h.want(mail, connHeld, dpi.ProtoUnknown)
	h.back(control, false)
	h.want(mail, connHeld, dpi.ProtoUnknown)
	h.back(web, false)
	h.want(mail, connQueued, dpi.ProtoUnknown)
	if len(h.d.pairs) != 1 || h.d.held != 0 {
		t.Errorf("%d pairs tracked, %d connections held", len(h.d.pairs), h.d.held)
	}
	h.back(mail, false)
	if len(h.d.pairs) != 0 {
		t.Errorf("%d pairs tracked after every connection left", len(h.d.pairs))
	}
}

// Held connections go on in the order they began, each once the
// connections that began before it were read.
func TestHeldInOrder(t *testing.T) {
	h := newHoldBench(t)
	control := h.conn(50000, 21)
	first := h.conn(50001, 2000)
	second := h.conn(50002, 2000)
	h.back(control, true, 2000)
	h.want(first, connQueued, dpi.ProtoFTPData)
	h.want(second, connHeld, dpi.ProtoUnknown) // first's segment is unread
	h.back(first, false)
	h.want(second, connQueued, dpi.ProtoUnknown) // the announcement was taken
}
