package dpi

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// funcState adapts a function to State.
type funcState func(in *Input, res *Result) Status

func (f funcState) Inspect(in *Input, res *Result) Status { return f(in, res) }

// testDissector returns a dissector whose every flow runs inspect.
func testDissector(name string, t Transport, inspect funcState) Dissector {
	return Dissector{Name: name, Transports: t,
		Start: func(*FlowInfo) State { return inspect }}
}

// mustRegistry builds a registry or fails the test.
func mustRegistry(tb testing.TB, ds ...Dissector) *Registry {
	tb.Helper()
	r, err := NewRegistry(ds...)
	if err != nil {
		tb.Fatalf("NewRegistry: %v", err)
	}
	return r
}

// flowInfo describes a flow from 192.0.2.10:cport to 198.51.100.20:sport.
func flowInfo(ipProto uint8, cport, sport uint16) FlowInfo {
	return FlowInfo{
		IPProto:   ipProto,
		Initiator: netip.AddrPortFrom(netip.MustParseAddr("192.0.2.10"), cport),
		Responder: netip.AddrPortFrom(netip.MustParseAddr("198.51.100.20"), sport),
	}
}

// pkt is one packet of a scripted flow.
type pkt struct {
	dir   Dir
	seq   uint32 // TCP: relative to the ISN of dir, 0 being the SYN
	flags uint8
	data  string
}

// runFlow feeds a session the packets of a scripted flow (TCP sequence
// numbers offset by a per-direction ISN) and returns its verdict and
// whether it said done.
func runFlow(tb testing.TB, reg *Registry, info FlowInfo, pkts []pkt) (Verdict, bool) {
	tb.Helper()
	s := NewSession(Config{Registry: reg}, info)
	isn := [2]uint32{1000, 90000}
	done := false
	for i, p := range pkts {
		seg := Segment{Dir: p.dir, Time: int64(i) * 1e6, Seq: isn[p.dir] + p.seq,
			Flags: p.flags, Payload: []byte(p.data)}
		done = s.Add(&seg)
	}
	return s.Verdict(), done
}

// corpusFlows returns the flows of a corpus capture, or nil (without
// skipping) when the shared corpus is not there: fuzz targets use them as
// seeds when they can.
func corpusFlows(tb testing.TB, file string) []*testFlow {
	tb.Helper()
	path := filepath.Join("..", "..", "..", "shared", "corpus", "pcap", file)
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	return readFlows(tb, path)
}

// seedFlows adds, for each corpus flow the dissector named by keep
// matches, the flow's first payloads to a fuzz target: the initiator's
// and the responder's concatenated, with the offset where the second
// starts.
func seedFlows(f *testing.F, file string, keep func(*testFlow) bool, max int) {
	n := 0
	for _, fl := range corpusFlows(f, file) {
		if n >= max || !keep(fl) {
			continue
		}
		var c2s, s2c []byte
		for _, s := range fl.segs {
			if s.Dir == FromInitiator && len(c2s) < 2048 {
				c2s = append(c2s, s.Payload...)
			} else if s.Dir == FromResponder && len(s2c) < 2048 {
				s2c = append(s2c, s.Payload...)
			}
		}
		f.Add(append(c2s, s2c...), uint16(len(c2s)))
		n++
	}
}

// fuzzTCP feeds a session of reg a TCP flow whose initiator sends
// data[:split] and whose responder sends the rest, both cut into
// segments, and checks the verdict's invariants.
func fuzzTCP(t *testing.T, reg *Registry, port uint16, data []byte, split uint16) {
	c2s, s2c := data, []byte(nil)
	if int(split) < len(data) {
		c2s, s2c = data[:split], data[split:]
	}
	s := NewSession(Config{Registry: reg}, flowInfo(IPProtoTCP, 40000, port))
	s.Add(&Segment{Dir: FromInitiator, Seq: 100, Flags: FlagSYN})
	s.Add(&Segment{Dir: FromResponder, Seq: 900, Flags: FlagSYN})
	var off [2]int
	for off[0] < len(c2s) || off[1] < len(s2c) {
		for d, b := range [][]byte{c2s, s2c} {
			n := min(len(b)-off[d], 700)
			if n <= 0 {
				continue
			}
			seq := []uint32{101, 901}[d] + uint32(off[d])
			s.Add(&Segment{Dir: Dir(d), Seq: seq, Payload: b[off[d] : off[d]+n]})
			off[d] += n
		}
	}
	checkVerdict(t, s.Verdict())
}

// fuzzUDP feeds a session of reg each datagram in turn, from the
// initiator, and checks the verdict's invariants.
func fuzzUDP(t *testing.T, reg *Registry, port uint16, datagrams ...[]byte) {
	s := NewSession(Config{Registry: reg}, flowInfo(IPProtoUDP, 40000, port))
	for _, d := range datagrams {
		s.Add(&Segment{Dir: FromInitiator, Payload: d})
	}
	checkVerdict(t, s.Verdict())
}

// checkVerdict checks that every string of a verdict is bounded and
// printable UTF-8.
func checkVerdict(tb testing.TB, v Verdict) {
	tb.Helper()
	if !v.Proto.Known() {
		tb.Errorf("protocol %d is not an nDPI id", v.Proto)
	}
	m := v.Meta
	if m == nil {
		return
	}
	h, tl, q, d := orZero(m.HTTP), orZero(m.TLS), orZero(m.QUIC), orZero(m.DNS)
	sh, ml, nb, dh := orZero(m.SSH), orZero(m.Mail), orZero(m.NetBIOS), orZero(m.DHCP)
	strs := []struct {
		s     string
		limit int
	}{
		{h.Method, MaxToken}, {h.Host, MaxName}, {h.Target, MaxTarget},
		{h.Version, MaxToken}, {h.UserAgent, MaxAgent}, {tl.ServerName, MaxName},
		{tl.ServerALPN, MaxALPNLen}, {tl.JA4, MaxToken + 4}, {q.UserAgent, MaxAgent},
		{d.Name, MaxName}, {sh.Client, MaxBanner}, {sh.Server, MaxBanner},
		{ml.Banner, MaxBanner}, {ml.Domain, MaxName}, {nb.Name, MaxName},
		{dh.HostName, MaxName}, {dh.VendorClass, MaxAgent},
	}
	for _, a := range tl.ALPN {
		strs = append(strs, struct {
			s     string
			limit int
		}{a, MaxALPNLen})
	}
	if len(tl.ALPN) > MaxALPN {
		tb.Errorf("%d ALPN entries, at most %d", len(tl.ALPN), MaxALPN)
	}
	for _, x := range strs {
		if len(x.s) > x.limit || !utf8.ValidString(x.s) || strings.ContainsFunc(x.s, unicode.IsControl) {
			tb.Errorf("string %q: %d bytes (limit %d), or not printable UTF-8", x.s, len(x.s), x.limit)
		}
	}
}

// benchFlow measures a session over a scripted flow, from NewSession to
// the verdict, reporting the payload bytes it read per second and what a
// session allocates.
func benchFlow(b *testing.B, reg *Registry, info FlowInfo, pkts []pkt) {
	segs := make([]Segment, len(pkts))
	isn := [2]uint32{1000, 90000}
	total := 0
	for i, p := range pkts {
		segs[i] = Segment{Dir: p.dir, Seq: isn[p.dir] + p.seq, Flags: p.flags, Payload: []byte(p.data)}
		total += len(p.data)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	for b.Loop() {
		s := NewSession(Config{Registry: reg}, info)
		for i := range segs {
			if s.Add(&segs[i]) {
				break
			}
		}
		_ = s.Verdict()
	}
}

// orZero returns the group g points to, or its zero value when the Meta
// does not have it.
func orZero[T any](g *T) T {
	if g == nil {
		var zero T
		return zero
	}
	return *g
}
