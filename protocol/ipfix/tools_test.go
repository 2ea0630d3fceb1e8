package ipfix

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// needTool skips the test when a program is not installed.
func needTool(tb testing.TB, name string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		tb.Skipf("%s is not installed", name)
	}
	return path
}

// writeTemp writes data to a file in the test's temporary directory.
func writeTemp(tb testing.TB, name string, data []byte) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// ipfixDumpProblems runs libfixbuf's ipfixDump on an IPFIX file and
// returns its problem reports (it exits 0 even then: warnings and errors
// go to stderr) and its file statistics line.
func ipfixDumpProblems(tb testing.TB, file string) (problems []string, stats string) {
	tb.Helper()
	cmd := exec.Command(needTool(tb, "ipfixDump"), "--in", file, "--rfc5610")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		problems = append(problems, "exit: "+err.Error())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.TrimSpace(line) != "" {
			problems = append(problems, line)
		}
	}
	bad := regexp.MustCompile(`(?i)warning|error|illegal|expected`)
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "*** File Stats") {
			stats = line
		} else if bad.MatchString(line) {
			problems = append(problems, line)
		}
	}
	return problems, stats
}

func TestIPFIXDump(t *testing.T) {
	out := sampleStream(t, 0)
	msgs := decodeStrict(t, out.stream)
	data, templates := 0, 0
	for _, m := range msgs {
		for _, s := range m.Sets {
			data += len(s.Records)
			templates += len(s.Templates) + len(s.OptionsTemplates)
		}
	}
	problems, stats := ipfixDumpProblems(t, writeTemp(t, "sample.ipfix", out.stream))
	if len(problems) > 0 {
		t.Errorf("ipfixDump reports:\n%s", strings.Join(problems, "\n"))
	}
	want := fmt.Sprintf("*** File Stats: %d Messages, %d Data Records, %d Template Records ***",
		len(msgs), data, templates)
	if stats != want {
		t.Errorf("ipfixDump: %q, want %q", stats, want)
	}

	// The check must be able to fail: a sequence number off by one.
	broken := bytes.Clone(out.stream)
	broken = append(broken, out.msgs[len(out.msgs)-1]...)
	if problems, _ := ipfixDumpProblems(t, writeTemp(t, "broken.ipfix", broken)); len(problems) == 0 {
		t.Error("ipfixDump found nothing wrong with a repeated message")
	}
}

// writePcap wraps each message in an Ethernet/IPv4/UDP frame to port 4739.
func writePcap(tb testing.TB, msgs [][]byte) string {
	tb.Helper()
	var buf bytes.Buffer
	w := pcapgo.NewWriter(&buf)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		tb.Fatal(err)
	}
	for i, m := range msgs {
		eth := &layers.Ethernet{SrcMAC: net.HardwareAddr{2, 0, 0, 0, 0, 1},
			DstMAC: net.HardwareAddr{2, 0, 0, 0, 0, 2}, EthernetType: layers.EthernetTypeIPv4}
		ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP,
			SrcIP: net.IP{192, 0, 2, 1}, DstIP: net.IP{192, 0, 2, 2}}
		udp := &layers.UDP{SrcPort: 40000, DstPort: 4739}
		if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
			tb.Fatal(err)
		}
		sb := gopacket.NewSerializeBuffer()
		opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
		err := gopacket.SerializeLayers(sb, opts, eth, ip, udp, gopacket.Payload(m))
		if err != nil {
			tb.Fatal(err)
		}
		ci := gopacket.CaptureInfo{Timestamp: exportTime.Add(time.Duration(i) * time.Millisecond),
			CaptureLength: len(sb.Bytes()), Length: len(sb.Bytes())}
		if err := w.WritePacket(ci, sb.Bytes()); err != nil {
			tb.Fatal(err)
		}
	}
	return writeTemp(tb, "ipfix.pcap", buf.Bytes())
}

// tshark runs tshark on a pcap with UDP/4739 decoded as IPFIX.
func tshark(tb testing.TB, pcap string, args ...string) string {
	tb.Helper()
	args = append([]string{"-r", pcap, "-d", "udp.port==4739,cflow"}, args...)
	cmd := exec.Command(needTool(tb, "tshark"), args...)
	cmd.Env = append(os.Environ(), "HOME="+tb.TempDir()) // no user profile
	outb, err := cmd.Output()
	if err != nil {
		tb.Fatalf("tshark %v: %v", args, err)
	}
	return string(outb)
}

func TestTshark(t *testing.T) {
	out := sampleStream(t, 1400)
	msgs := decodeStrict(t, out.stream)
	pcap := writePcap(t, out.msgs)
	verbose := tshark(t, pcap, "-V")
	for _, line := range strings.Split(verbose, "\n") {
		if strings.Contains(line, "Malformed") || strings.Contains(line, "Expert Info (Error") ||
			strings.Contains(line, "Expert Info (Warn") {
			t.Errorf("tshark: %s", strings.TrimSpace(line))
		}
	}
	records := 0
	var want []string
	for _, m := range msgs {
		want = append(want, fmt.Sprint(m.Sequence))
		for _, s := range m.Sets {
			records += len(s.Records)
		}
	}
	shown := 0
	sets := regexp.MustCompile(`(?m)^\s+Set \d+ \[id=\d+\] \((\d+) flows?\)$`)
	for _, m := range sets.FindAllStringSubmatch(verbose, -1) {
		n, _ := strconv.Atoi(m[1])
		shown += n
	}
	if shown != records {
		t.Errorf("tshark shows %d data records, want %d", shown, records)
	}
	got := strings.Fields(tshark(t, pcap, "-T", "fields", "-e", "cflow.sequence"))
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("tshark sequence numbers %v, want %v", got, want)
	}

	// The check must be able to fail: a lost message.
	lost := tshark(t, writePcap(t, append(out.msgs[:1:1], out.msgs[2:]...)), "-V")
	if !strings.Contains(lost, "Expert Info (Warn") {
		t.Error("tshark found nothing wrong with a lost message")
	}
}

// ipfixDump --rfc5610 names every DPI element from the type records the
// encoder sends, and reads the values the encoder wrote.
func TestIPFIXDumpNamesDPIElements(t *testing.T) {
	out := sampleStream(t, 0)
	cmd := exec.Command(needTool(t, "ipfixDump"), "--in",
		writeTemp(t, "dpi.ipfix", out.stream), "--rfc5610")
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("ipfixDump: %v", err)
	}
	dump := string(stdout)
	if strings.Contains(dump, "_alienInformationElement") {
		t.Errorf("ipfixDump left elements unnamed:\n%s", grepLines(dump, "_alien"))
	}
	for _, g := range []group{groupHTTP, groupQUIC, groupDNSAnswer, groupSSH, groupMail,
		groupNetBIOS, groupDHCP} {
		for _, w := range groupValues(g) {
			var v string
			switch x := w.value.(type) {
			case string:
				v = fmt.Sprintf(`%s : (len: %d) %s`, w.name, len(x), x)
			case bool:
				v = fmt.Sprintf(`%s : %d`, w.name, map[bool]int{true: 1, false: 2}[x])
			default:
				v = fmt.Sprintf(`%s : %v`, w.name, x)
			}
			if !strings.Contains(dump, v) {
				t.Errorf("ipfixDump shows no %q", v)
			}
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
