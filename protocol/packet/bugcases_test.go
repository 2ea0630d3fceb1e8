package packet

import (
	"bufio"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// flowKey is a unidirectional 5-tuple.
type flowKey struct {
	src, dst     netip.Addr
	sport, dport uint16
	proto        uint8
}

// flowSum is what the bug cases' expected.txt states per flow, plus the
// link-layer and tunnel fields the tests check from their prose.
type flowSum struct {
	packets, octets uint64
	flags           uint16
	vlan, inner     uint16
	mplsLabel       uint32
	tunnel          Tunnel
	tunnelID        uint32
}

var (
	flowLine    = regexp.MustCompile(`^\s*(F\d+)\s+(\S+):(\d+) -> (\S+):(\d+)\s+\S+\((\d+)\)`)
	countLine   = regexp.MustCompile(`^\s*packets (\d+)\b.*?octets (\d+)`)
	tcpBitsLine = regexp.MustCompile(`tcpControlBits 0x([0-9a-f]+)`)
)

// parseExpected reads the flows F1, F2, ... of a bug case's expected.txt.
func parseExpected(tb testing.TB, path string) (map[string]flowKey, map[string]flowSum) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	keys, sums := map[string]flowKey{}, map[string]flowSum{}
	pending := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if m := flowLine.FindStringSubmatch(line); m != nil {
			keys[m[1]] = flowKey{src: parseAddr(tb, m[2]), dst: parseAddr(tb, m[4]),
				sport: parseU16(tb, m[3]), dport: parseU16(tb, m[5]),
				proto: uint8(parseU16(tb, m[6]))}
			pending = m[1]
			continue
		}
		if m := countLine.FindStringSubmatch(line); m != nil && pending != "" {
			s := flowSum{packets: uint64(parseU16(tb, m[1])), octets: parseU64(tb, m[2])}
			if b := tcpBitsLine.FindStringSubmatch(line); b != nil {
				v, _ := strconv.ParseUint(b[1], 16, 16)
				s.flags = uint16(v)
			}
			sums[pending], pending = s, ""
		}
	}
	if len(keys) == 0 || len(keys) != len(sums) {
		tb.Fatalf("%s: parsed %d flows and %d counts", path, len(keys), len(sums))
	}
	return keys, sums
}

func parseAddr(tb testing.TB, s string) netip.Addr {
	tb.Helper()
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func parseU16(tb testing.TB, s string) uint16 {
	tb.Helper()
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		tb.Fatal(err)
	}
	return uint16(v)
}

func parseU64(tb testing.TB, s string) uint64 {
	tb.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// meter decodes every frame and sums them per 5-tuple, as a flow table
// would. Later fragments take the ports of their first fragment (found by
// addresses, protocol and id, in any order), as DESIGN.md asks of the
// meter. Every frame must decode.
func meter(tb testing.TB, d *Decoder, frames []frame) map[flowKey]flowSum {
	tb.Helper()
	pkts := make([]Packet, len(frames))
	type fragKey struct {
		src, dst netip.Addr
		proto    uint8
		id       uint32
	}
	firsts := map[fragKey]Packet{}
	for i, fr := range frames {
		if err := d.Decode(fr.link, fr.data, &pkts[i]); err != nil {
			tb.Fatalf("frame %d: %v", i+1, err)
		}
		p := pkts[i]
		pkts[i].Payload = nil // the frames stay, but no need to keep them alive
		if p.Fragmented && p.FirstFrag {
			firsts[fragKey{p.Src, p.Dst, p.Proto, p.FragID}] = p
		}
	}
	flows := map[flowKey]flowSum{}
	for _, p := range pkts {
		if p.Fragmented && !p.FirstFrag {
			if f, ok := firsts[fragKey{p.Src, p.Dst, p.Proto, p.FragID}]; ok {
				p.SrcPort, p.DstPort = f.SrcPort, f.DstPort
			}
		}
		k := flowKey{src: p.Src, dst: p.Dst, sport: p.SrcPort, dport: p.DstPort, proto: p.Proto}
		s := flows[k]
		s.packets++
		s.octets += uint64(p.Octets)
		s.flags |= p.TCPFlags
		s.vlan, s.inner, s.mplsLabel = p.VLAN, p.InnerVLAN, p.MPLSTop>>4
		s.tunnel, s.tunnelID = p.Tunnel, p.TunnelID
		flows[k] = s
	}
	return flows
}

func TestBugCases(t *testing.T) {
	dir := sharedDir(t, "bugcases")
	all := func(n int) []string {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = "F" + strconv.Itoa(i+1)
		}
		return ids
	}
	tests := []struct {
		name     string
		file     string
		expected string
		flows    []string           // exactly the flows the file must give
		noDecap  bool               // keep tunnels as they are
		link     map[string]flowSum // VLAN, MPLS and tunnel fields per flow
	}{
		{name: "B01 sll2", file: "B01-sll2-linktype276.pcap", flows: all(4)},
		{name: "B02 mixed link types", file: "B02-pcapng-mixed-linktypes.pcapng", flows: all(6)},
		{name: "B03 raw 101", file: "B03-rawip-linktype101.pcap",
			expected: "B03-rawip.expected.txt", flows: all(4)},
		{name: "B03 raw 12", file: "B03-rawip-linktype12.pcap",
			expected: "B03-rawip.expected.txt", flows: all(4)},
		{name: "B03 ipv4 228", file: "B03-rawip-linktype228-ipv4.pcap",
			expected: "B03-rawip.expected.txt", flows: []string{"F1", "F2"}},
		{name: "B03 ipv6 229", file: "B03-rawip-linktype229-ipv6.pcap",
			expected: "B03-rawip.expected.txt", flows: []string{"F3", "F4"}},
		{name: "B07 snaplen", file: "B07-snaplen-truncated.pcap", flows: all(3)},
		{name: "B12 fragments", file: "B12-ipv4-fragments.pcap", flows: all(1)},
		{name: "B14 icmp", file: "B14-icmp-type-code.pcap", flows: all(7)},
		{name: "B15 vlan", file: "B15-vlan-qinq.pcap", flows: all(5),
			link: map[string]flowSum{"F1": {vlan: 100, inner: 200}, "F2": {vlan: 300, inner: 400},
				"F3": {vlan: 500, inner: 600}, "F4": {vlan: 700}, "F5": {}}},
		{name: "B17 mpls", file: "B17-mpls-label-stack.pcap", flows: all(3),
			link: map[string]flowSum{"F1": {mplsLabel: 16}, "F2": {mplsLabel: 16},
				"F3": {mplsLabel: 2002}}},
		{name: "B18 tunnels inner", file: "B18-tunnels-gre-vxlan.pcap",
			flows: []string{"F4", "F5", "F6"},
			link: map[string]flowSum{"F4": {tunnel: TunnelGRE},
				"F5": {tunnel: TunnelVXLAN, tunnelID: 5001},
				"F6": {tunnel: TunnelVXLAN, tunnelID: 5001}}},
		{name: "B18 tunnels outer", file: "B18-tunnels-gre-vxlan.pcap", noDecap: true,
			flows: all(3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			expected := tc.expected
			if expected == "" {
				expected = strings.TrimSuffix(tc.file, filepath.Ext(tc.file)) + ".expected.txt"
			}
			keys, sums := parseExpected(t, filepath.Join(dir, expected))
			frames, err := readCapture(t, filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatalf("read %s: %v", tc.file, err)
			}
			d := Decoder{NoDecap: tc.noDecap}
			got := meter(t, &d, frames)
			for _, id := range tc.flows {
				k, ok := keys[id]
				if !ok {
					t.Fatalf("%s not in %s", id, expected)
				}
				want := sums[id]
				if l, ok := tc.link[id]; ok {
					want.vlan, want.inner, want.mplsLabel = l.vlan, l.inner, l.mplsLabel
					want.tunnel, want.tunnelID = l.tunnel, l.tunnelID
				}
				g, ok := got[k]
				if !ok {
					t.Errorf("%s %+v missing", id, k)
					continue
				}
				if g.packets != want.packets || g.octets != want.octets || g.flags != want.flags {
					t.Errorf("%s: packets %d octets %d flags %#x, want %d %d %#x", id,
						g.packets, g.octets, g.flags, want.packets, want.octets, want.flags)
				}
				if tc.link != nil && (g.vlan != want.vlan || g.inner != want.inner ||
					g.mplsLabel != want.mplsLabel || g.tunnel != want.tunnel ||
					g.tunnelID != want.tunnelID) {
					t.Errorf("%s: vlan %d/%d mpls %d tunnel %v/%d, want %d/%d %d %v/%d", id,
						g.vlan, g.inner, g.mplsLabel, g.tunnel, g.tunnelID,
						want.vlan, want.inner, want.mplsLabel, want.tunnel, want.tunnelID)
				}
			}
			if len(got) != len(tc.flows) {
				t.Errorf("got %d flows, want %d: %+v", len(got), len(tc.flows), got)
			}
		})
	}
}
