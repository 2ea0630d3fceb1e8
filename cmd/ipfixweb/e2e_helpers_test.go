package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// shared returns a directory of the team's shared data, or skips tb.
func shared(tb testing.TB, sub string) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", sub)
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("%s is not here (%v): the shared captures are needed for this test", dir, err)
	}
	return dir
}

// convert runs "ipfixweb convert" in process with args and returns its
// exit status and output.
func convert(tb testing.TB, args ...string) (code int, stdout, stderr string) {
	tb.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"convert"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// flowLine is a flow record reduced to what the expected files give, as
// one comparable line.
type flowLine struct {
	Src, Dst        string // addr:port, [v6]:port
	Proto           uint64
	Packets, Octets uint64
	Flags           uint64
	StartMS, EndMS  uint64
	Reason          uint64 // 0 when the expected file does not say
}

func (f flowLine) String() string {
	return fmt.Sprintf("%s -> %s proto %d packets %d octets %d flags %#02x start %d end %d "+
		"reason %d", f.Src, f.Dst, f.Proto, f.Packets, f.Octets, f.Flags, f.StartMS, f.EndMS,
		f.Reason)
}

// recordLine summarises a decoded flow record as a flowLine.
func recordLine(r *ipfix.Record) flowLine {
	u := func(name string) uint64 {
		f, ok := r.Field(name)
		if !ok {
			return 0
		}
		v, _ := f.Value.(uint64)
		return v
	}
	addr := func(v4, v6 string) netip.Addr {
		for _, n := range []string{v4, v6} {
			if f, ok := r.Field(n); ok {
				a, _ := f.Value.(netip.Addr)
				return a
			}
		}
		return netip.Addr{}
	}
	src := addr("sourceIPv4Address", "sourceIPv6Address")
	dst := addr("destinationIPv4Address", "destinationIPv6Address")
	var g flowLine
	g.Src = netip.AddrPortFrom(src, uint16(u("sourceTransportPort"))).String()
	g.Dst = netip.AddrPortFrom(dst, uint16(u("destinationTransportPort"))).String()
	g.Proto, g.Packets, g.Octets = u("protocolIdentifier"), u("packetDeltaCount"), u("octetDeltaCount")
	g.Flags, g.StartMS, g.EndMS = u("tcpControlBits"), u("flowStartMilliseconds"), u("flowEndMilliseconds")
	g.Reason = u("flowEndReason")
	return g
}

// outputLines converts inputs with args and returns the flow records of
// the output as sorted lines, after every tool has judged the file.
func outputLines(t *testing.T, args []string, inputs ...string) []string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.ipfix")
	code, _, stderr := convert(t, append(append([]string{"-q", "-o", out}, args...), inputs...)...)
	if code != 0 {
		t.Fatalf("convert exit %d: %s", code, stderr)
	}
	var lines []string
	for _, f := range checkedFlows(t, out) {
		lines = append(lines, f.String())
	}
	return sorted(lines)
}

// checkedFlows has every tool judge an IPFIX file and returns its flow
// records.
func checkedFlows(t *testing.T, file string) []flowLine {
	t.Helper()
	var out []flowLine
	for _, r := range ipfixcheck.FlowRecords(ipfixcheck.All(t, file)) {
		out = append(out, recordLine(r))
	}
	return out
}

// decodeFlows returns the flow records of an IPFIX file, decoded strictly.
func decodeFlows(tb testing.TB, file string) []flowLine {
	tb.Helper()
	var out []flowLine
	for _, r := range ipfixcheck.FlowRecords(ipfixcheck.Decode(tb, file)) {
		out = append(out, recordLine(r))
	}
	return out
}

func sorted(s []string) []string {
	sort.Strings(s)
	return s
}

func lines(flows []flowLine) []string {
	var out []string
	for _, f := range flows {
		out = append(out, f.String())
	}
	return sorted(out)
}

// Expected-file syntax: a flow starts with "F<n>  src -> dst  NAME(proto)",
// then lines with "packets N", "octets N", "tcpControlBits 0xNN", "(N ms)"
// for the start and end, and maybe "flowEndReason N". Reasons may also be
// given for several flows in one line: "flowEndReason: F1/F2 = 3; F3 = 4".
var (
	flowHead    = regexp.MustCompile(`^\s+F(\d+)\s+(\S+)\s+->\s+(\S+)\s+\S+\((\d+)\)`)
	packetsRe   = regexp.MustCompile(`packets (\d+)`)
	octetsRe    = regexp.MustCompile(`octets (\d+)`)
	flagsRe     = regexp.MustCompile(`tcpControlBits (0x[0-9a-f]+)`)
	timesRe     = regexp.MustCompile(`flowStart .*\((\d+) ms\), flowEnd .*\((\d+) ms\)`)
	reasonRe    = regexp.MustCompile(`^\s+flowEndReason (\d)`)
	reasonsLine = regexp.MustCompile(`^flowEndReason(?: values)?: (.*)$`)
	reasonItem  = regexp.MustCompile(`((?:F\d+/?)+) = (\d)`)
)

// parseExpected reads the flows of an expected file, by their F number.
func parseExpected(tb testing.TB, path string) map[int]flowLine {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	flows := map[int]flowLine{}
	cur, indent := -1, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if m := flowHead.FindStringSubmatch(line); m != nil {
			n, _ := strconv.Atoi(m[1])
			proto, _ := strconv.ParseUint(m[4], 10, 8)
			flows[n] = flowLine{Src: m[2], Dst: m[3], Proto: proto}
			cur, indent = n, len(line)-len(strings.TrimLeft(line, " "))
			continue
		}
		if m := reasonsLine.FindStringSubmatch(line); m != nil {
			for _, it := range reasonItem.FindAllStringSubmatch(m[1], -1) {
				reason, _ := strconv.ParseUint(it[2], 10, 8)
				for _, id := range strings.Split(it[1], "/") {
					n, _ := strconv.Atoi(strings.TrimPrefix(id, "F"))
					if f, ok := flows[n]; ok {
						f.Reason = reason
						flows[n] = f
					}
				}
			}
			cur = -1
			continue
		}
		// A flow's details are indented deeper than its first line.
		f, ok := flows[cur]
		if !ok || len(line)-len(strings.TrimLeft(line, " ")) <= indent {
			cur = -1
			continue
		}
		if m := packetsRe.FindStringSubmatch(line); m != nil && strings.Contains(line, "octets") {
			f.Packets, _ = strconv.ParseUint(m[1], 10, 64)
			f.Octets, _ = strconv.ParseUint(octetsRe.FindStringSubmatch(line)[1], 10, 64)
			if m := flagsRe.FindStringSubmatch(line); m != nil {
				f.Flags, _ = strconv.ParseUint(m[1], 0, 16)
			}
		}
		if m := timesRe.FindStringSubmatch(line); m != nil {
			f.StartMS, _ = strconv.ParseUint(m[1], 10, 64)
			f.EndMS, _ = strconv.ParseUint(m[2], 10, 64)
		}
		if m := reasonRe.FindStringSubmatch(line); m != nil {
			f.Reason, _ = strconv.ParseUint(m[1], 10, 8)
		}
		flows[cur] = f
	}
	for n, f := range flows {
		if f.Packets == 0 || f.EndMS == 0 {
			tb.Fatalf("%s: flow F%d is incomplete: %+v", path, n, f)
		}
	}
	return flows
}
