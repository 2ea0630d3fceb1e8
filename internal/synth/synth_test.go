package synth

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

func generate(tb testing.TB, cfg Config) ([]byte, Stats) {
	tb.Helper()
	var buf bytes.Buffer
	st, err := Write(&buf, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes(), st
}

func TestDeterministic(t *testing.T) {
	a, sa := generate(t, Config{Seed: 7, Packets: 5000})
	b, _ := generate(t, Config{Seed: 7, Packets: 5000})
	c, _ := generate(t, Config{Seed: 8, Packets: 5000})
	if !bytes.Equal(a, b) {
		t.Error("the same seed gave different captures")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same capture")
	}
	if sa.Packets != 5000 || sa.Bytes != int64(len(a)) {
		t.Errorf("stats %+v for %d bytes", sa, len(a))
	}
}

// Every frame reads back and decodes as IP; times never go backwards;
// every kind of flow is there; many flows are open at once.
func TestReadsBack(t *testing.T) {
	data, st := generate(t, Config{Seed: 1, Bytes: 4 << 20})
	if st.Bytes < 4<<20 || st.Bytes > 4<<20+70000 {
		t.Errorf("%d bytes written for a 4 MiB target", st.Bytes)
	}
	for _, k := range []string{"tls", "http", "dns", "ssh", "bulk", "udp", "icmp"} {
		if st.Kinds[k] == 0 {
			t.Errorf("no %s flow in %v", k, st.Kinds)
		}
	}
	r, err := capture.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var fr capture.Frame
	var d packet.Decoder
	var p packet.Packet
	var n int64
	last := int64(0)
	for {
		err := r.Next(&fr)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Decode(fr.LinkType, fr.Data, &p); err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		if fr.Time < last {
			t.Fatalf("frame %d goes back in time", n)
		}
		last = fr.Time
		n++
	}
	if n != st.Packets {
		t.Errorf("read %d frames, wrote %d", n, st.Packets)
	}
	if span := st.Last.Sub(st.First).Seconds(); float64(st.Flows)/span < 500 {
		t.Errorf("%d flows in %.1f s: too few at once", st.Flows, span)
	}
}

// tshark reads the handshakes as what they claim to be.
func TestTShark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark is not installed (apt-get install tshark)")
	}
	data, st := generate(t, Config{Seed: 3, Packets: 3000})
	path := filepath.Join(t.TempDir(), "s.pcap")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	quic, qst := generate(t, Config{Seed: 3, Packets: 3000, Mix: Mix{QUIC: 1}})
	quicPath := filepath.Join(t.TempDir(), "q.pcap")
	if err := os.WriteFile(quicPath, quic, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := exec.Command(tshark, append([]string{"-n", "-r", path}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("tshark %v: %v", args, err)
		}
		return string(out)
	}
	if out := run("-Y", "_ws.malformed or _ws.expert.severity == error"); out != "" {
		t.Errorf("tshark finds malformed packets:\n%s", out)
	}
	snis := strings.Fields(run("-Y", "tls.handshake.type == 1", "-T", "fields",
		"-e", "tls.handshake.extensions_server_name"))
	if len(snis) == 0 || int64(len(snis)) > st.Kinds["tls"] {
		t.Errorf("%d ClientHellos with a name for %d TLS flows", len(snis), st.Kinds["tls"])
	}
	for _, s := range snis {
		if !strings.Contains(s, ".example.") {
			t.Errorf("server name %q", s)
		}
	}
	hosts := strings.Fields(run("-Y", "http.request", "-T", "fields", "-e", "http.host"))
	dns := strings.Fields(run("-Y", "dns.flags.response == 0", "-T", "fields", "-e", "dns.qry.name"))
	ssh := run("-Y", "ssh.protocol", "-T", "fields", "-e", "ssh.protocol")
	if len(hosts) == 0 || len(dns) == 0 || !strings.Contains(ssh, "SSH-2.0-") {
		t.Errorf("http hosts %d, dns queries %d, ssh banners %q", len(hosts), len(dns), ssh)
	}
	path = quicPath // tshark decrypts the Initials as a DPI engine does
	if out := run("-Y", "_ws.malformed or _ws.expert.severity == error"); out != "" {
		t.Errorf("tshark finds malformed QUIC packets:\n%s", out)
	}
	quicSNIs := strings.Fields(run("-Y", "quic.long.packet_type == 0 && tls.handshake.type == 1",
		"-T", "fields", "-e", "tls.handshake.extensions_server_name"))
	initials := strings.Count(run("-Y", "quic.long.packet_type == 0 && udp.dstport == 443"), "\n")
	if len(quicSNIs) != initials || len(quicSNIs) == 0 || int64(len(quicSNIs)) > qst.Kinds["quic"] {
		t.Errorf("%d QUIC ClientHellos with a name in %d client Initials for %d QUIC flows",
			len(quicSNIs), initials, qst.Kinds["quic"])
	}
}

// testdata/sample.pcap is what the generator writes today.
func TestSampleUpToDate(t *testing.T) {
	got, _ := generate(t, Sample)
	have, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sample.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, have) {
		t.Error("testdata/sample.pcap is stale: run go run ./testdata/gen")
	}
}

// Every QUIC connection's first datagram is an Initial that the project's
// QUIC dissector decrypts to a ClientHello with the server's name.
func TestQUICInitialsDecrypt(t *testing.T) {
	data, st := generate(t, Config{Seed: 4, Packets: 3000, Mix: Mix{QUIC: 1}})
	r, err := capture.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sessions := map[uint16]*dpi.Session{} // by client port
	var fr capture.Frame
	var d packet.Decoder
	var p packet.Packet
	for r.Next(&fr) == nil {
		if err := d.Decode(fr.LinkType, fr.Data, &p); err != nil {
			t.Fatal(err)
		}
		if p.DstPort != 443 {
			continue
		}
		s := sessions[p.SrcPort]
		if s == nil {
			s = dpi.NewSession(dpi.Config{}, dpi.FlowInfo{IPProto: dpi.IPProtoUDP,
				Initiator: netip.AddrPortFrom(p.Src, p.SrcPort),
				Responder: netip.AddrPortFrom(p.Dst, p.DstPort)})
			sessions[p.SrcPort] = s
		}
		s.Add(&dpi.Segment{Time: fr.Time, Payload: p.Payload})
	}
	if int64(len(sessions)) != st.Kinds["quic"] || len(sessions) < 20 {
		t.Fatalf("%d client ports for %d QUIC flows", len(sessions), st.Kinds["quic"])
	}
	for port, s := range sessions {
		v := s.Verdict()
		if v.Name() != "QUIC" || !strings.Contains(v.ServerName(), ".example.") ||
			fmt.Sprint(v.Meta.TLS.ALPN) != "[h3]" || !strings.HasPrefix(v.Meta.TLS.JA4, "q13") {
			t.Errorf("port %d: %s %q %+v", port, v.Name(), v.ServerName(), v.Meta)
		}
	}
}

// The benchmark shape has every kind of flow and small packets: about as
// many packets per byte as the large captures meters are compared on.
func TestBenchShape(t *testing.T) {
	_, st := generate(t, Config{Seed: 1, Bytes: 8 << 20, Mix: BenchMix, Sizes: BenchSizes})
	for _, k := range []string{"tls", "http", "dns", "ssh", "bulk", "udp", "icmp", "quic"} {
		if st.Kinds[k] == 0 {
			t.Errorf("no %s flow in %v", k, st.Kinds)
		}
	}
	perPacket := float64(st.Bytes) / float64(st.Packets)
	perFlow := float64(st.Packets) / float64(st.Flows)
	if perPacket < 250 || perPacket > 450 || perFlow < 5 || perFlow > 20 {
		t.Errorf("%.0f bytes per packet, %.1f packets per flow", perPacket, perFlow)
	}
}
