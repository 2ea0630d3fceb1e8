package main

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
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/collectortest"
	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
)

// collectorCapture is the corpus capture the collector tests stream: IPv4
// and IPv6, TCP and UDP, HTTP, TLS, DNS and more, about 300 flows.
const collectorCapture = "ndpi_1kxun.pcap"

// Totals are what nfdump -I reports of a stream, and what a file holds.
type totals struct{ Flows, Packets, Bytes uint64 }

// fileTotals adds up the flow records of an IPFIX file: both directions
// of a biflow record, as nfdump does.
func fileTotals(tb testing.TB, file string) totals {
	tb.Helper()
	var t totals
	for _, r := range ipfixcheck.FlowRecords(ipfixcheck.Decode(tb, file)) {
		t.Flows++
		for _, name := range []string{"packetDeltaCount", "reversePacketDeltaCount"} {
			if f, ok := r.Field(name); ok {
				t.Packets += f.Value.(uint64)
			}
		}
		for _, name := range []string{"octetDeltaCount", "reverseOctetDeltaCount"} {
			if f, ok := r.Field(name); ok {
				t.Bytes += f.Value.(uint64)
			}
		}
	}
	return t
}

// nfcapd runs nfcapd on a free loopback UDP port, writing into dir, until
// stop: stop sends SIGTERM, which makes nfcapd close its current file
// under its final name, once nfcapd has read every datagram queued on its
// socket. It returns the port.
func nfcapd(t *testing.T, dir string) (port int, stop func() string) {
	t.Helper()
	bin := ipfixcheck.Tool(t, "nfcapd", "nfdump")
	ipfixcheck.Tool(t, "nfdump", "nfdump")
	for range 5 {
		port = freeUDPPort(t)
		var log bytes.Buffer
		cmd := exec.Command(bin, "-b", "127.0.0.1", "-p", strconv.Itoa(port), "-w", dir, "-t", "3600")
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			select {
			case <-exited:
				// The port was taken in the meantime: another one.
			default:
				if _, ok := udpQueue(t, port); !ok {
					continue
				}
				return port, func() string {
					for end := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
						if q, _ := udpQueue(t, port); q == 0 || time.Now().After(end) {
							break
						}
					}
					_ = cmd.Process.Signal(syscall.SIGTERM)
					select {
					case <-exited:
					case <-time.After(10 * time.Second):
						_ = cmd.Process.Kill()
						<-exited
						t.Fatalf("nfcapd did not stop on SIGTERM: %s", log.String())
					}
					return log.String()
				}
			}
			break
		}
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
			t.Fatalf("nfcapd did not bind port %d: %s", port, log.String())
		}
	}
	t.Fatal("nfcapd found no free port")
	return 0, nil
}

// freeUDPPort returns a loopback UDP port nobody listens on.
func freeUDPPort(tb testing.TB) int {
	tb.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// udpQueue returns the octets waiting in the receive queue of the IPv4 UDP
// socket bound to port, from /proc/net/udp; ok is false when none is.
func udpQueue(tb testing.TB, port int) (queued int, ok bool) {
	tb.Helper()
	data, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		tb.Skipf("cannot tell when nfcapd has read everything: %v", err)
	}
	want := fmt.Sprintf(":%04X", port)
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 5 || !strings.HasSuffix(f[1], want) {
			continue
		}
		_, rx, _ := strings.Cut(f[4], ":")
		n, _ := strconv.ParseInt(rx, 16, 64)
		return int(n), true
	}
	return 0, false
}

var nfdumpStat = regexp.MustCompile(`(?m)^(Flows|Packets|Bytes|Sequence failures): (\d+)$`)

// nfdumpTotals runs nfdump -R dir -I and returns its totals and sequence
// failures.
func nfdumpTotals(t *testing.T, dir string) (totals, uint64) {
	t.Helper()
	out, err := exec.Command("nfdump", "-R", dir, "-I").CombinedOutput()
	if err != nil {
		t.Fatalf("nfdump -R %s -I: %v: %s", dir, err, out)
	}
	var got totals
	var seq uint64
	for _, m := range nfdumpStat.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseUint(m[2], 10, 64)
		switch m[1] {
		case "Flows":
			got.Flows = v
		case "Packets":
			got.Packets = v
		case "Bytes":
			got.Bytes = v
		case "Sequence failures":
			seq = v
		}
	}
	return got, seq
}

// nfcapd receives a UDP export of a corpus capture, and nfdump reports
// exactly the flows, packets and bytes of the file written from the same
// encoding. nfcapd counts only flow records in sequence numbers, while
// RFC 7011 counts options records too: a stream whose options records
// (type records, application names) precede flow records shows sequence
// failures there, no flow missing. The export is paced with --udp-rate as
// a user would pace it: nfcapd reads one datagram at a time, and on a busy
// machine an unpaced burst overflows its socket buffer before it wakes.
func TestNfcapdReceivesUDP(t *testing.T) {
	in := filepath.Join(shared(t, "corpus/pcap"), collectorCapture)
	tests := []struct {
		name    string
		args    []string
		seqFree bool // nfcapd counts no sequence failure
	}{
		{name: "uniflow", seqFree: true},
		{name: "biflow with DPI, small datagrams", args: []string{"--biflow", "--dpi",
			"--udp-message-size", "700", "--template-refresh-messages", "8"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			flows := filepath.Join(dir, "flows")
			if err := os.Mkdir(flows, 0o755); err != nil {
				t.Fatal(err)
			}
			port, stop := nfcapd(t, flows)
			out := filepath.Join(dir, "out.ipfix")
			args := append([]string{"-o", out, "--collector", fmt.Sprintf("udp://127.0.0.1:%d", port),
				"--udp-rate", "1000"}, tc.args...)
			code, stdout, stderr := convert(t, append(args, in)...)
			log := stop()
			if code != 0 {
				t.Fatalf("convert exit %d: %s", code, stderr)
			}
			got, seq := nfdumpTotals(t, flows)
			want := fileTotals(t, out)
			if got != want || want.Flows == 0 {
				t.Errorf("nfdump reports %+v, the file holds %+v\n%s\n%s", got, want, stdout, log)
			}
			t.Logf("nfdump: %+v, %d sequence failures", got, seq)
			if strings.Contains(log, "option size error") {
				t.Errorf("nfcapd could not read the application name records:\n%s", log)
			}
			if tc.seqFree && seq != 0 {
				t.Errorf("nfdump reports %d sequence failures", seq)
			}
		})
	}
}

// tshark decodes a loopback capture of a UDP export (DPI, biflow, small
// datagrams, templates resent often) as IPFIX with nothing malformed and
// no expert warning, every datagram one message.
func TestTSharkReadsUDPCapture(t *testing.T) {
	in := filepath.Join(shared(t, "corpus/pcap"), collectorCapture)
	tshark := ipfixcheck.Tool(t, "tshark", "tshark")
	sink := collectortest.ListenUDP(t)
	port := sink.URL()[strings.LastIndex(sink.URL(), ":")+1:]
	pcap := filepath.Join(t.TempDir(), "lo.pcap")
	capt := captureLoopback(t, pcap, port)
	code, stdout, stderr := convert(t, "--dpi", "--biflow", "--udp-message-size", "900",
		"--template-refresh-messages", "10", "--collector", sink.URL(), in)
	if code != 0 {
		t.Fatalf("convert exit %d: %s", code, stderr)
	}
	m := regexp.MustCompile(`collector \S+  messages (\d+)`).FindStringSubmatch(stdout)
	if m == nil {
		t.Fatalf("no collector figures in the summary: %s", stdout)
	}
	n, _ := strconv.Atoi(m[1])
	capt.wait(t, n)
	outp, err := exec.Command(tshark, "-n", "-r", pcap, "-d", "udp.port=="+port+",cflow",
		"-V").CombinedOutput()
	if err != nil {
		t.Fatalf("tshark: %v: %s", err, outp)
	}
	text := string(outp)
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "Malformed") || strings.Contains(line, "Expert Info (Error") ||
			strings.Contains(line, "Expert Info (Warn") {
			t.Errorf("tshark: %s", strings.TrimSpace(line))
		}
	}
	t.Logf("%d datagrams captured and decoded", n)
	if got := strings.Count(text, "\nCisco NetFlow/IPFIX\n"); got != n {
		t.Errorf("tshark shows %d IPFIX messages in %d datagrams", got, n)
	}
}

// The octets a TCP collector receives are the file's, which ipfixDump,
// tshark and the strict decoder read without a warning.
func TestIPFIXDumpReadsTCPStream(t *testing.T) {
	in := filepath.Join(shared(t, "corpus/pcap"), collectorCapture)
	coll := collectortest.ListenTCP(t)
	got := make(chan []byte, 1)
	go func() {
		b, _ := coll.ReadAll()
		got <- b
	}()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.ipfix")
	code, stdout, stderr := convert(t, "--dpi", "--biflow", "-o", out, "--collector", coll.URL(), in)
	if code != 0 {
		t.Fatalf("convert exit %d: %s", code, stderr)
	}
	stream := <-got
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stream, file) {
		t.Fatalf("the collector got %d octets, the file has %d", len(stream), len(file))
	}
	saved := filepath.Join(dir, "stream.ipfix")
	if err := os.WriteFile(saved, stream, 0o644); err != nil {
		t.Fatal(err)
	}
	ipfixcheck.All(t, saved)
	if !strings.Contains(stdout, "connections 1  records possibly lost 0") {
		t.Errorf("summary: %s", stdout)
	}
}
