package flow

import (
	"slices"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// Last names the connection of each metered packet, its opening packet and
// its initiator; a tag set on it reaches every record of that connection
// and of no other, including a record cut by the active timeout and the
// records of a new connection on the same ports.
func TestConnTags(t *testing.T) {
	type step struct {
		pkt      packet.Packet
		ok       bool
		isNew    bool
		fromInit bool
		tag      uint32 // 0: leave the tag alone
	}
	steps := []step{
		{pkt: tcp(baseMS, client, 40001, server, 80, flagSYN, 60), ok: true, isNew: true,
			fromInit: true, tag: 7},
		{pkt: tcp(baseMS+10, server, 80, client, 40001, flagSA, 60), ok: true},
		{pkt: tcp(baseMS+20, client, 40001, server, 80, flagPA, 300), ok: true, fromInit: true},
		// The SYN+ACK seen first makes the client the initiator.
		{pkt: tcp(baseMS+30, server, 443, client, 40002, flagSA, 60), ok: true, isNew: true,
			tag: 8},
		{pkt: tcp(baseMS+40, client, 40002, server, 443, flagACK, 52), ok: true, fromInit: true},
		{pkt: udp(baseMS+50, client, 40003, server, 53, 70), ok: true, isNew: true,
			fromInit: true},
		// RST both ways closes the first connection; a SYN on the same
		// ports after the linger opens a new one, which has no tag.
		{pkt: tcp(baseMS+60, client, 40001, server, 80, flagRA, 40), ok: true, fromInit: true},
		{pkt: tcp(baseMS+5000, client, 40001, server, 80, flagSYN, 60), ok: true, isNew: true,
			fromInit: true},
	}
	icmp := mkpkt(baseMS+70, client, 0, server, 0x0800, 1, 84)
	table := NewTable(Config{Protocols: mustProtocols(t, "tcp", "udp")})
	var recs []Record
	for i, s := range steps {
		recs = table.Add(&steps[i].pkt, recs)
		c, ok := table.Last()
		if ok != s.ok || c.New != s.isNew || c.FromInitiator != s.fromInit {
			t.Fatalf("step %d: Last = %+v, %v; want ok %v new %v from initiator %v", i, c, ok,
				s.ok, s.isNew, s.fromInit)
		}
		if s.tag != 0 {
			table.SetTag(c, s.tag)
		}
		if s.isNew && c.Tag != 0 {
			t.Errorf("step %d: a new connection has tag %d", i, c.Tag)
		}
	}
	if recs = table.Add(&icmp, recs); func() bool { _, ok := table.Last(); return ok }() {
		t.Errorf("Last is set after a packet the table left out")
	}
	recs = table.Flush(EndForced, recs)
	want := map[string]uint32{
		"192.0.2.10:40001>198.51.100.20:80/6": 7, "198.51.100.20:80>192.0.2.10:40001/6": 7,
		"192.0.2.10:40002>198.51.100.20:443/6": 8, "198.51.100.20:443>192.0.2.10:40002/6": 8,
		"192.0.2.10:40003>198.51.100.20:53/17": 0,
	}
	if len(recs) != 6 {
		t.Fatalf("%d records, want 6", len(recs))
	}
	for _, r := range recs {
		k := keyString(r.Key)
		if r.Key.SrcPort == 40001 && r.Start() >= ms(baseMS+5000) {
			if r.Tag != 0 {
				t.Errorf("%s, the second connection: tag %d, want 0", k, r.Tag)
			}
			continue
		}
		if r.Tag != want[k] {
			t.Errorf("%s: tag %d, want %d", k, r.Tag, want[k])
		}
	}
}

// A tag set through a Conn whose connection has ended since is dropped.
func TestSetTagStale(t *testing.T) {
	table := NewTable(Config{IdleTimeout: 1e9})
	p := udp(baseMS, client, 40001, server, 53, 70)
	recs := table.Add(&p, nil)
	old, _ := table.Last()
	q := udp(baseMS+5000, client, 40002, server, 53, 70) // the first one idles out
	recs = table.Add(&q, recs)
	r := udp(baseMS+5001, client, 40003, server, 53, 70) // may reuse its entry
	recs = table.Add(&r, recs)
	table.SetTag(old, 9)
	recs = table.Flush(EndForced, recs)
	for _, rec := range recs {
		if rec.Tag != 0 {
			t.Errorf("%s: tag %d from a stale Conn", keyString(rec.Key), rec.Tag)
		}
	}
}

// Active-timeout cuts keep the tag: the connection goes on.
func TestTagSurvivesActiveCut(t *testing.T) {
	cfg := Config{IdleTimeout: 30e9, ActiveTimeout: 10e9}
	table := NewTable(cfg)
	var recs []Record
	for i := range 5 {
		p := udp(baseMS+int64(i)*6000, client, 40001, server, 53, 70)
		recs = table.Add(&p, recs)
		if i == 0 {
			c, _ := table.Last()
			table.SetTag(c, 3)
		}
	}
	recs = table.Flush(EndForced, recs)
	if len(recs) < 2 {
		t.Fatalf("%d records, want the flow cut at least once", len(recs))
	}
	for _, r := range recs {
		if r.Tag != 3 {
			t.Errorf("record ending %d (reason %d): tag %d, want 3", r.End(), r.EndReason, r.Tag)
		}
	}
}

func mustProtocols(tb testing.TB, names ...string) ProtocolSet {
	tb.Helper()
	s, err := ParseProtocols(names)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// EndedTags reports each tagged connection once, when it ends: on idle
// timeout (also after an active-timeout cut that left it without a
// record), on close, and on Flush.
func TestEndedTags(t *testing.T) {
	cfg := Config{IdleTimeout: 30e9, ActiveTimeout: 10e9}
	table := NewTable(cfg)
	var recs []Record
	var ended []uint32
	add := func(p packet.Packet, tag uint32) {
		recs = table.Add(&p, recs)
		if c, ok := table.Last(); ok && tag != 0 {
			table.SetTag(c, tag)
		}
		ended = table.EndedTags(ended)
	}
	add(udp(baseMS, client, 40001, server, 53, 70), 1)      // idles out
	add(udp(baseMS+9000, client, 40002, server, 53, 70), 2) // cut, then idles out
	add(tcp(baseMS+9500, client, 40003, server, 80, flagRA, 40), 3)
	add(udp(baseMS+9600, client, 40004, server, 53, 70), 0) // no tag: never reported
	add(udp(baseMS+9700, client, 40005, server, 53, 70), 5) // ends at Flush
	if len(ended) != 0 {
		t.Fatalf("ended %v before any end", ended)
	}
	add(udp(baseMS+20000, client, 40006, server, 53, 70), 6) // cuts 2, closes 3
	want := []uint32{3}
	if !slices.Equal(ended, want) {
		t.Errorf("after the cut: ended %v, want %v", ended, want)
	}
	recs = table.Advance(ms(baseMS+45000), recs) // 1, 2 (no record), 4, 5 idle
	ended = table.EndedTags(ended)
	recs = table.Flush(EndForced, recs)
	ended = table.EndedTags(ended)
	slices.Sort(ended)
	if want := []uint32{1, 2, 3, 5, 6}; !slices.Equal(ended, want) {
		t.Errorf("ended %v, want %v", ended, want)
	}
	if got := table.EndedTags(nil); len(got) != 0 {
		t.Errorf("reported again: %v", got)
	}
}
