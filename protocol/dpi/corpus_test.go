package dpi

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// ndpiRow is one DPI-confidence flow of EXPECTED-ndpi.tsv.
type ndpiRow struct {
	file     string
	ipProto  uint8
	src, dst netip.AddrPort
	master   string // ndpi_proto before the dot
	host     string
	conf     string // confidence: "DPI", "Match by port", "Unknown", ...
}

// ipLabels are nDPI labels given from the IP protocol alone; the corpus
// goal leaves them out.
var ipLabels = map[string]bool{
	"ICMP": true, "ICMPV6": true, "IGMP": true, "GRE": true, "SCTP": true, "OSPF": true,
	"EGP": true, "IP_in_IP": true, "IPsec": true, "VRRP": true,
}

// corpusNotes lists corpus flows where this package and nDPI 4.2 disagree
// and the packets show why: nDPI is wrong, or the flow is not metered as
// nDPI meters it. Each gives what we report and why; the test checks that
// we still report exactly that. A disagreement without a note is a miss
// of ours.
var corpusNotes = []struct {
	file, src, dst string
	proto, host    string // what we report
	why            string
}{
	{file: "ndpi_quic-v2.pcapng", src: "[::1]:42086", dst: "[::1]:4443", proto: "QUIC", host: "test",
		why: "QUIC version 2 (RFC 9369) came after nDPI 4.2, which reports Unknown; the Initial " +
			"opens with the version 2 salt and labels and its ClientHello names server \"test\""},
	{file: "ndpi_pop3.pcap", src: "192.168.0.4:26383", dst: "212.227.15.166:110", proto: "POP3",
		why: popMissed},
	{file: "ndpi_pop3.pcap", src: "192.168.0.4:26308", dst: "212.227.15.166:110", proto: "POP3",
		why: popMissed},
	{file: "ndpi_pop3.pcap", src: "192.168.0.4:26284", dst: "212.227.15.166:110", proto: "POP3",
		why: popMissed},
	{file: "ndpi_pop3.pcap", src: "192.168.0.4:26272", dst: "212.227.15.166:110", proto: "POP3",
		why: popMissed},
	{file: "ndpi_pop3.pcap", src: "192.168.0.4:26304", dst: "212.227.15.166:110", proto: "POP3",
		why: popMissed},
	{file: "zeek_dhcp_dhcp.pcap", src: "0.0.0.0:68", dst: "255.255.255.255:67", proto: "DHCP",
		host: "btest.is.cool", why: "the DHCPREQUEST's option 12 is 13 bytes long and reads " +
			"\"btest.is.cool\" (tshark agrees); nDPI 4.2 shows only its first 10 bytes"},
	{file: "ndpi_ja3_lots_of_cipher_suites_2_anon.pcap", src: "132.190.244.12:2152",
		dst: "151.121.185.44:2152", proto: "Unknown", why: gtpOpened},
	{file: "zeek_tunnels_gtp_gtp1_gn_normal_incl_fragmentation.pcap", src: "239.114.155.111:2152",
		dst: "63.94.149.181:2152", proto: "Unknown", why: gtpOpened},
}

// gtpOpened says why two GTP flows of nDPI's are not flows of ours.
const gtpOpened = "every packet is a GTP-U G-PDU (tshark); protocol/packet decapsulates " +
	"GTP-U, so the flows metered and labelled are the inner TCP connections, and no flow " +
	"between the tunnel endpoints exists; nDPI 4.2 does not open the tunnel"

// popMissed says why five POP3 flows are ours and only nDPI's port guess.
const popMissed = "the server greets with \"+OK POP server ready\" and the client sends " +
	"AUTH and CAPA: POP3 by its payload; nDPI 4.2 only guesses POP3 from the port"

// hostNoise lists files whose host names are not a reference, with why.
// Their rows still count for the protocol names.
var hostNoise = map[string]string{
	// A fuzzer altered random bytes of this capture: a query and its
	// retransmissions differ by the bytes flipped in each copy. nDPI
	// reports the name of the last copy it parsed, we the first intact
	// one; neither is the name the client asked for.
	"ndpi_fuzz-2006-06-26-2594.pcap": "names damaged by a fuzzer",
}

func readNDPI(tb testing.TB, path string) []ndpiRow {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open expectations: %v", err)
	}
	defer f.Close()
	var rows []ndpiRow
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 17 || strings.HasPrefix(c[0], "#") || c[0] == "file" {
			continue
		}
		var ipProto uint8
		switch c[2] {
		case "TCP":
			ipProto = IPProtoTCP
		case "UDP":
			ipProto = IPProtoUDP
		}
		src, err1 := netip.ParseAddrPort(c[3])
		dst, err2 := netip.ParseAddrPort(c[5])
		if err1 != nil || err2 != nil {
			continue // an IP-protocol flow, printed without ports
		}
		master, _, _ := strings.Cut(c[6], ".")
		rows = append(rows, ndpiRow{file: c[0], ipProto: ipProto, src: src, dst: dst,
			master: master, host: c[16], conf: c[8]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("read expectations: %v", err)
	}
	return rows
}

// ndpiHost returns what nDPI shows in its host column for our verdict.
// For SSH that is the identification line that came first, whichever
// side sent it; first is the direction of the flow's first payload.
func ndpiHost(v Verdict, first Dir) string {
	if v.Meta != nil && v.Proto == ProtoSSH {
		if first == FromResponder {
			return orZero(v.Meta.SSH).Server
		}
		return orZero(v.Meta.SSH).Client
	}
	return v.Host()
}

// firstPayload returns the direction of a flow's first payload.
func firstPayload(fl *testFlow) Dir {
	for _, s := range fl.segs {
		if len(s.Payload) > 0 {
			return s.Dir
		}
	}
	return FromInitiator
}

// sameHost compares a host of ours with nDPI's, in which every byte that
// is not printable ASCII was printed as '?'.
func sameHost(ours, theirs string) bool {
	if len(ours) != len(theirs) {
		return false
	}
	for i := 0; i < len(ours); i++ {
		c := ours[i]
		if c < 0x20 || c >= 0x7f {
			c = '?'
		}
		if c != theirs[i] {
			return false
		}
	}
	return true
}

type agreement struct{ rows, names, hosts, hostsAgree int }

func TestCorpusAgainstNDPI(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the whole corpus")
	}
	dir := sharedDir(t, "corpus")
	rows := readNDPI(t, filepath.Join(dir, "EXPECTED-ndpi.tsv"))
	reg := DefaultRegistry()
	covered := map[string]bool{}
	for _, d := range reg.Dissectors() {
		covered[d.Proto.String()] = true
	}
	notes := map[string]int{}
	for i, n := range corpusNotes {
		notes[n.file+" "+n.src+" "+n.dst] = i
	}

	type result struct {
		v     Verdict
		first Dir
	}
	verdicts := map[string]map[flowKey]result{}
	by := map[string]*agreement{}
	var all, mine, cached agreement
	var misses []string
	for _, row := range rows {
		if row.ipProto == 0 {
			continue
		}
		vs, ok := verdicts[row.file]
		if !ok {
			vs = map[flowKey]result{}
			flows := readFlows(t, filepath.Join(dir, "pcap", row.file))
			for i, v := range classifyAll(reg, flows) {
				vs[flows[i].key] = result{v, firstPayload(flows[i])}
			}
			verdicts[row.file] = vs
		}
		r, ok := vs[flowKey{row.ipProto, row.src, row.dst}]
		if !ok {
			r = vs[flowKey{row.ipProto, row.dst, row.src}]
		}
		name, host := r.v.DPI().String(), ndpiHost(r.v, r.first)
		if i, ok := notes[row.file+" "+row.src.String()+" "+row.dst.String()]; ok {
			delete(notes, row.file+" "+row.src.String()+" "+row.dst.String())
			n := corpusNotes[i]
			if name != n.proto || host != n.host {
				t.Errorf("%s %s -> %s: we report %s %q, the notes say %s %q (%s)",
					row.file, row.src, row.dst, name, host, n.proto, n.host, n.why)
			}
		}
		if row.conf == "DPI (cache)" {
			// nDPI labelled the flow from an earlier one's verdict on the
			// same endpoints; shown apart, as it is not payload inspection.
			cached.rows++
			if name == row.master {
				cached.names++
			}
		}
		if row.conf != "DPI" {
			if name != "Unknown" && row.conf != "DPI (cache)" {
				t.Logf("nDPI %s %s: %s %s -> %s: we %s %q", row.conf, row.master,
					row.file, row.src, row.dst, name, host)
			}
			continue
		}
		if ipLabels[row.master] {
			continue
		}
		a := by[row.master]
		if a == nil {
			a = new(agreement)
			by[row.master] = a
		}
		for _, g := range []*agreement{a, &all, &mine} {
			if g == &mine && !covered[row.master] {
				continue
			}
			g.rows++
			if name == row.master {
				g.names++
			}
			if row.host != "" && hostNoise[row.file] == "" {
				g.hosts++
				if sameHost(host, row.host) {
					g.hostsAgree++
				}
			}
		}
		hostDiffers := row.host != "" && hostNoise[row.file] == "" && !sameHost(host, row.host)
		if covered[row.master] && (name != row.master || hostDiffers) {
			misses = append(misses, fmt.Sprintf("%s %s -> %s: nDPI %s %q, we %s %q",
				row.file, row.src, row.dst, row.master, row.host, name, host))
		}
	}

	for k := range notes {
		t.Errorf("corpusNotes row %s matches no flow of EXPECTED-ndpi.tsv", k)
	}
	var b strings.Builder
	b.WriteString("\nDPI-confidence rows of EXPECTED-ndpi.tsv by nDPI master protocol; hosts are\n" +
		"the rows where nDPI gives one (files in hostNoise left out)\n")
	fmt.Fprintf(&b, "%-14s %5s %6s %6s %6s %6s\n", "nDPI master", "rows", "names", "%", "hosts", "agree")
	masters := make([]string, 0, len(by))
	for m := range by {
		masters = append(masters, m)
	}
	sort.Slice(masters, func(i, j int) bool { return by[masters[i]].rows > by[masters[j]].rows })
	line := func(label string, a *agreement) {
		fmt.Fprintf(&b, "%-14s %5d %6d %5.1f%% %6d %6d\n", label, a.rows, a.names,
			pct(a.names, a.rows), a.hosts, a.hostsAgree)
	}
	for _, m := range masters {
		line(m, by[m])
	}
	line("all", &all)
	line("ours", &mine)
	line("DPI (cache)", &cached)
	t.Log(b.String())
	for _, m := range misses {
		t.Log("differs: " + m)
	}
	if p := pct(all.names, all.rows); p < 90 {
		t.Errorf("name agreement %.1f%%, want >= 90%%", p)
	}
	if p := pct(all.hostsAgree, all.hosts); p < 95 {
		t.Errorf("host agreement %.1f%%, want >= 95%%", p)
	}
}

func pct(n, d int) float64 {
	if d == 0 {
		return 100
	}
	return 100 * float64(n) / float64(d)
}
