package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// The bug cases of ../shared/bugcases, converted by the real pipeline and
// judged by ipfixDump and tshark; the flows must be those the case's
// expected file lists.
func TestBugCases(t *testing.T) {
	dir := shared(t, "bugcases")
	// Settings every expected file assumes unless it says otherwise.
	base := []string{"--idle-timeout", "30s", "--active-timeout", "300s"}
	tests := []struct {
		name     string
		expected string
		inputs   []string
		flows    []int // F numbers of the expected file; nil means all
		args     []string
		// reasons fills in flowEndReason where the expected file leaves it
		// to the rules it states (FIN both ways 3, end of input 4).
		reasons map[int]uint64
	}{
		{name: "B01 sll2", expected: "B01-sll2-linktype276", inputs: []string{"B01-sll2-linktype276.pcap"}},
		{name: "B02 mixed link types", expected: "B02-pcapng-mixed-linktypes",
			inputs: []string{"B02-pcapng-mixed-linktypes.pcapng"}},
		{name: "B03 raw 101", expected: "B03-rawip", inputs: []string{"B03-rawip-linktype101.pcap"},
			reasons: map[int]uint64{1: 3, 2: 3, 3: 4, 4: 4}},
		{name: "B03 raw 12", expected: "B03-rawip", inputs: []string{"B03-rawip-linktype12.pcap"},
			reasons: map[int]uint64{1: 3, 2: 3, 3: 4, 4: 4}},
		{name: "B03 raw 228", expected: "B03-rawip", inputs: []string{"B03-rawip-linktype228-ipv4.pcap"},
			flows: []int{1, 2}, reasons: map[int]uint64{1: 3, 2: 3}},
		{name: "B03 raw 229", expected: "B03-rawip", inputs: []string{"B03-rawip-linktype229-ipv6.pcap"},
			flows: []int{3, 4}, reasons: map[int]uint64{3: 4, 4: 4}},
		{name: "B06 big endian", expected: "B06-pcap-big-endian", inputs: []string{"B06-pcap-big-endian.pcap"},
			reasons: map[int]uint64{1: 3, 2: 3}},
		{name: "B07 snaplen", expected: "B07-snaplen-truncated", inputs: []string{"B07-snaplen-truncated.pcap"}},
		{name: "B10 pcapng layouts", expected: "B10-pcapng-blocks-sections",
			inputs: []string{"B10-pcapng-blocks-sections.pcapng"}},
		{name: "B12 fragments", expected: "B12-ipv4-fragments", inputs: []string{"B12-ipv4-fragments.pcap"}},
		{name: "B14 icmp", expected: "B14-icmp-type-code", inputs: []string{"B14-icmp-type-code.pcap"},
			reasons: map[int]uint64{1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4, 7: 4}},
		{name: "B15 vlan", expected: "B15-vlan-qinq", inputs: []string{"B15-vlan-qinq.pcap"},
			reasons: map[int]uint64{1: 4, 2: 4, 3: 4, 4: 4, 5: 4}},
		{name: "B17 mpls", expected: "B17-mpls-label-stack", inputs: []string{"B17-mpls-label-stack.pcap"},
			reasons: map[int]uint64{1: 3, 2: 3, 3: 4}},
		// Tunnels are decapsulated: the inner flows are the flows.
		{name: "B18 tunnels", expected: "B18-tunnels-gre-vxlan", inputs: []string{"B18-tunnels-gre-vxlan.pcap"},
			flows: []int{4, 5, 6}, reasons: map[int]uint64{4: 4, 5: 4, 6: 4}},
		{name: "B20 end reasons", expected: "B20-flowendreason-tcpflags",
			inputs: []string{"B20-flowendreason-tcpflags.pcap"}},
		{name: "B22 2009", expected: "B22-packet-time-not-wall-clock",
			inputs: []string{"B22-packet-time-not-wall-clock-2009.pcap"}, reasons: map[int]uint64{1: 3, 2: 3}},
		{name: "B23 dns over tcp", expected: "B23-dns-over-tcp", inputs: []string{"B23-dns-over-tcp.pcap"},
			reasons: map[int]uint64{1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3}},
		{name: "B24 tls split", expected: "B24-tls-clienthello-split",
			inputs:  []string{"B24-tls-clienthello-split.pcap"},
			reasons: map[int]uint64{1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4}},
		{name: "B30 long strings", expected: "B30-ipfix-variable-length-strings",
			inputs:  []string{"B30-ipfix-variable-length-strings.pcap"},
			reasons: map[int]uint64{1: 3, 2: 3, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3, 8: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			all := parseExpected(t, filepath.Join(dir, tc.expected+".expected.txt"))
			ids := tc.flows
			if ids == nil {
				for n := range all {
					ids = append(ids, n)
				}
			}
			var want []flowLine
			for _, n := range ids {
				f, ok := all[n]
				if !ok {
					t.Fatalf("%s has no flow F%d", tc.expected, n)
				}
				if r, ok := tc.reasons[n]; ok {
					if f.Reason != 0 && f.Reason != r {
						t.Fatalf("F%d: the table says reason %d, the file %d", n, r, f.Reason)
					}
					f.Reason = r
				}
				if f.Reason == 0 {
					t.Fatalf("F%d: no flowEndReason in the file or the table", n)
				}
				want = append(want, f)
			}
			var inputs []string
			for _, in := range tc.inputs {
				inputs = append(inputs, filepath.Join(dir, in))
			}
			got := outputLines(t, append(base, tc.args...), inputs...)
			if strings.Join(got, "\n") != strings.Join(lines(want), "\n") {
				t.Errorf("flows:\n%s\nwant:\n%s", strings.Join(got, "\n"),
					strings.Join(lines(want), "\n"))
			}
		})
	}
}

// B21: the timeouts run on the capture clock, with the case's own
// settings (idle 30 s, active 60 s).
func TestBugCaseB21Timeouts(t *testing.T) {
	dir := shared(t, "bugcases")
	const l, m = "192.0.2.10:40211 -> 198.51.100.20:5211", "192.0.2.10:40212 -> 198.51.100.20:5212"
	const b = 1700000000000
	want := []flowLine{
		{Packets: 5, StartMS: b, EndMS: b + 52000, Reason: 2},
		{Packets: 5, StartMS: b + 65000, EndMS: b + 117000, Reason: 2},
		{Packets: 2, StartMS: b + 130000, EndMS: b + 143000, Reason: 4},
		{Packets: 2, StartMS: b + 500, EndMS: b + 1500, Reason: 1},
		{Packets: 2, StartMS: b + 130500, EndMS: b + 131500, Reason: 4},
	}
	for i := range want {
		key := l
		if i >= 3 {
			key = m
		}
		src, dst, _ := strings.Cut(key, " -> ")
		want[i].Src, want[i].Dst, want[i].Proto = src, dst, 17
		want[i].Octets = 128 * want[i].Packets
	}
	got := outputLines(t, []string{"--idle-timeout", "30s", "--active-timeout", "60s"},
		filepath.Join(dir, "B21-active-idle-timeouts-capture-clock.pcap"))
	if strings.Join(got, "\n") != strings.Join(lines(want), "\n") {
		t.Errorf("flows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(lines(want), "\n"))
	}
}

// B09: a capture cut in the middle of its last record. What was read is
// converted and written; the exit status and the message say which file
// ended where.
func TestBugCaseB09Truncated(t *testing.T) {
	dir := shared(t, "bugcases")
	all := parseExpected(t, filepath.Join(dir, "B09-truncated-last-record.expected.txt"))
	var want []flowLine
	for _, n := range []int{1, 2} {
		f := all[n]
		f.Reason = 3
		want = append(want, f)
	}
	for _, tc := range []struct {
		file   string
		offset string
	}{
		{file: "B09-truncated-last-record.pcap", offset: "869"},
		{file: "B09-truncated-last-record.pcapng", offset: "1072"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			in := filepath.Join(dir, tc.file)
			out := filepath.Join(t.TempDir(), "out.ipfix")
			code, _, stderr := convert(t, "-q", "--idle-timeout", "30s", "-o", out, in)
			if code == 0 {
				t.Errorf("exit 0 for a truncated capture")
			}
			pattern := `(?m)^convert: ` + regexp.QuoteMeta(in) + `: offset ` + tc.offset + `: .*cut short`
			if !regexp.MustCompile(pattern).MatchString(stderr) {
				t.Errorf("stderr %q does not match %q", stderr, pattern)
			}
			var got []string
			for _, r := range decodeFlows(t, out) {
				got = append(got, r.String())
			}
			if strings.Join(sorted(got), "\n") != strings.Join(lines(want), "\n") {
				t.Errorf("flows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(lines(want), "\n"))
			}
		})
	}
}

// convertOne converts one bug-case capture with the usual settings and
// returns the decoded messages, after every tool has judged them.
func convertOne(t *testing.T, file string) []*ipfix.Message {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.ipfix")
	code, _, stderr := convert(t, "-q", "--idle-timeout", "30s", "--active-timeout", "300s",
		"-o", out, filepath.Join(shared(t, "bugcases"), file))
	if code != 0 {
		t.Fatalf("convert exit %d: %s", code, stderr)
	}
	return ipfixcheck.All(t, out)
}

// fieldValues maps each flow record's source port to the values of names.
func fieldValues(msgs []*ipfix.Message, names ...string) map[uint64][]any {
	out := map[uint64][]any{}
	for _, r := range ipfixcheck.FlowRecords(msgs) {
		port, _ := r.Field("sourceTransportPort")
		p, _ := port.Value.(uint64)
		for _, n := range names {
			f, _ := r.Field(n)
			out[p] = append(out[p], f.Value)
		}
	}
	return out
}

// B05: nanosecond pcap; times come out rounded to the millisecond.
func TestBugCaseB05Nanoseconds(t *testing.T) {
	got := fieldValues(convertOne(t, "B05-pcap-nanosecond-magic.pcap"),
		"flowStartMilliseconds", "flowEndMilliseconds", "packetDeltaCount", "octetDeltaCount",
		"flowEndReason")
	want := map[uint64][]any{40051: {uint64(1700000000987), uint64(1700000001000), uint64(2),
		uint64(184), uint64(4)}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// B22: times beyond 2106 in seconds and before 1970 are written in a form
// that holds them, never wrapped.
func TestBugCaseB22FarTimes(t *testing.T) {
	msgs := convertOne(t, "B22-packet-time-not-wall-clock-far-past-future.pcapng")
	future := fieldValues(msgs, "flowStartMilliseconds", "flowEndMilliseconds")[40222]
	if fmt.Sprint(future) != "[4323283200250 4323283200250]" {
		t.Errorf("2107 flow: times %v, want 4323283200250 ms", future)
	}
	past := fieldValues(msgs, "flowStartNanoseconds", "flowEndNanoseconds", "flowStartMilliseconds")[40223]
	want := time.Unix(-82800, 0).UTC()
	if len(past) != 3 || past[0] != want || past[1] != want || past[2] != nil {
		t.Errorf("1969 flow: start, end, ms = %v, want %v twice in the NTP form and no ms", past, want)
	}
}

// B28: sequence numbers count the data records before each message.
func TestBugCaseB28Sequence(t *testing.T) {
	msgs := convertOne(t, "B28-ipfix-sequence-numbers.pcap")
	var total uint32
	for i, m := range msgs {
		if m.Sequence != total {
			t.Errorf("message %d: sequence %d, want %d", i, m.Sequence, total)
		}
		total += uint32(ipfixcheck.Count([]*ipfix.Message{m}).Data)
	}
	reasons := fieldValues(msgs, "flowEndReason", "packetDeltaCount", "octetDeltaCount")
	if len(reasons) != 7 {
		t.Fatalf("%d flows, want 7", len(reasons))
	}
	for port := uint64(40280); port <= 40286; port++ {
		want := "[1 2 116]"
		if port == 40286 {
			want = "[4 2 116]"
		}
		if got := fmt.Sprint(reasons[port]); got != want {
			t.Errorf("flow %d: reason, packets, octets %s, want %s", port, got, want)
		}
	}
}
