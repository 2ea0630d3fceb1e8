package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
)

// Every capture of ../shared/corpus converts into a file that every tool
// reads without a warning, and its flow records add up to the IP packets
// tshark counts in the capture (frames carrying IPv4 or IPv6, fragments
// included).
func TestCorpus(t *testing.T) {
	dir := shared(t, "corpus/pcap")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s (%v)", dir, err)
	}
	if testing.Short() {
		files = files[:8]
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipfix")
			code, _, stderr := convert(t, "-q", "-o", out, in)
			if code != 0 && !knownBroken[filepath.Base(in)] {
				t.Errorf("convert exit %d: %s", code, stderr)
			}
			if code == 0 && knownBroken[filepath.Base(in)] {
				t.Errorf("convert exit 0 for a capture that is cut short")
			}
			var packets uint64
			for _, r := range ipfixcheck.FlowRecords(ipfixcheck.All(t, out)) {
				f, _ := r.Field("packetDeltaCount")
				n, _ := f.Value.(uint64)
				packets += n
			}
			if want := tsharkIPPackets(t, in); packets != want {
				t.Errorf("output holds %d packets, tshark counts %d IP packets", packets, want)
			}
		})
	}
}

// knownBroken lists corpus captures that end in the middle of a record:
// conversion reports the fault and still writes what came before it.
var knownBroken = map[string]bool{
	"ndpi_fuzz-2021-10-13.pcap": true,
}

// tsharkIPPackets counts the frames of a capture that carry IPv4 or IPv6.
// Frames that are not sound IP packets are left out, as the converter
// counts them as bad packets: an IPv4 header of another version or
// shorter than 20 bytes (tshark flags both "Bogus"), and an IPv6 header
// behind the IPv4 EtherType (which tshark dissects as IPv6 anyway).
func tsharkIPPackets(tb testing.TB, capture string) uint64 {
	tb.Helper()
	cmd := exec.Command(ipfixcheck.Tool(tb, "tshark", "tshark"), "-n", "-r", capture,
		"-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
		"-Y", "(ip.version == 4 and ip.hdr_len >= 20) or (ipv6.version == 6 and not eth.type == 0x0800)", "-T", "fields", "-e", "frame.number")
	cmd.Env = append(os.Environ(), "HOME="+tb.TempDir())
	out, err := cmd.Output()
	if err != nil && len(out) == 0 {
		// tshark exits non-zero on a capture cut short, after printing
		// what it read.
		tb.Logf("tshark -r %s: %v", capture, err)
	}
	return uint64(len(strings.Fields(string(out))))
}
