package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// sampleIPFIX writes an IPFIX file of three flow records (uniflow IPv4,
// biflow IPv6 with DPI, one before 1970) and options records, and returns
// its path and the offset where its second message starts.
func sampleIPFIX(tb testing.TB) (path string, second int) {
	tb.Helper()
	var out []byte
	var starts []int
	enc := ipfix.NewEncoder(ipfix.EncoderConfig{ObservationDomain: 3,
		Now: func() time.Time { return time.Unix(1700000100, 0) }},
		func(msg []byte) error {
			starts = append(starts, len(out))
			out = append(out, msg...)
			return nil
		})
	v4 := flow.Record{Key: flow.Key{Src: netip.MustParseAddr("192.0.2.10"),
		Dst: netip.MustParseAddr("198.51.100.20"), SrcPort: 40221, DstPort: 80, Proto: 6},
		Fwd: flow.Counters{Start: 1234567890000e6, End: 1234567890090e6, Packets: 6,
			Octets: 316, TCPFlags: 0x1b}, EndReason: flow.EndOfFlow}
	v6 := v4
	v6.Key.Src, v6.Key.Dst = netip.MustParseAddr("2001:db8::10"), netip.MustParseAddr("2001:db8::20")
	v6.Biflow, v6.Rev = true, flow.Counters{Start: 1234567890010e6, End: 1234567890080e6,
		Packets: 4, Octets: 229, TCPFlags: 0x1b}
	v6.App = &flow.App{Name: "HTTP", ID: 7}
	old := v4
	old.Fwd.Start, old.Fwd.End = -82800e9, -82800e9
	for _, step := range []func() error{
		enc.DescribeEnterpriseElements,
		func() error { return enc.Add(&v4) },
		enc.Flush,
		func() error { return enc.Add(&v6) },
		func() error { return enc.Add(&old) },
		func() error { return enc.AddAppNames([]flow.App{*v6.App}) },
		enc.AddExporterStats,
		enc.Flush,
	} {
		if err := step(); err != nil {
			tb.Fatal(err)
		}
	}
	path = filepath.Join(tb.TempDir(), "sample.ipfix")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		tb.Fatal(err)
	}
	return path, starts[1]
}

// inspect runs the command and returns its exit status and output.
func inspect(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runInspect(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestInspectText(t *testing.T) {
	path, _ := sampleIPFIX(t)
	code, out, errOut := inspect(path)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"message 1 at offset 0: length ",
		"export time 2023-11-14T22:15:00Z, sequence 0, domain 3",
		"    template 256: 17 fields\n      sourceIPv4Address (8), length 4\n",
		"      reverseOctetDeltaCount (29305/1), length 8\n",
		"      applicationName (96), variable length\n",
		"    options template 260: 2 fields, 1 scope\n      scope applicationId (95), length 5\n",
		"      sourceIPv4Address = 192.0.2.10\n",
		"      flowStartMilliseconds = 1234567890000 (2009-02-13T23:31:30Z)\n",
		"      flowStartNanoseconds = 1969-12-31T01:00:00Z\n",
		"      applicationName = \"HTTP\"\n",
		"      applicationId = 0600000007 (engine 6, selector 7)\n",
		"      scope applicationId = 0600000007 (engine 6, selector 7: \"HTTP\")\n",
		"    options record at offset ",
		"      scope informationElementId = 1\n",
		"      informationElementName = \"reverseOctetDeltaCount\"\n",
		"      scope observationDomainId = 3\n",
		"2 messages, 6 templates, 10 data records (7 options records), 0 warnings\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestInspectJSON(t *testing.T) {
	path, _ := sampleIPFIX(t)
	for _, args := range [][]string{{"--json", path}, {"-json", path}, {path, "--json"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := inspect(args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != 3 {
				t.Fatalf("%d lines, want one per flow record (3):\n%s", len(lines), out)
			}
			var recs []map[string]any
			for _, line := range lines {
				d := json.NewDecoder(strings.NewReader(line))
				d.UseNumber()
				var m map[string]any
				if err := d.Decode(&m); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				recs = append(recs, m)
			}
			checks := []struct {
				rec  int
				name string
				want any
			}{
				{rec: 0, name: "sourceIPv4Address", want: "192.0.2.10"},
				{rec: 0, name: "octetDeltaCount", want: json.Number("316")},
				{rec: 0, name: "flowStartMilliseconds", want: json.Number("1234567890000")},
				{rec: 0, name: "tcpControlBits", want: json.Number("27")},
				{rec: 1, name: "sourceIPv6Address", want: "2001:db8::10"},
				{rec: 1, name: "reverseOctetDeltaCount", want: json.Number("229")},
				{rec: 1, name: "reverseFlowEndMilliseconds", want: json.Number("1234567890080")},
				{rec: 1, name: "applicationId", want: "0600000007"},
				{rec: 1, name: "applicationName", want: "HTTP"},
				{rec: 2, name: "flowStartNanoseconds", want: "1969-12-31T01:00:00Z"},
			}
			for _, c := range checks {
				if got := recs[c.rec][c.name]; got != c.want {
					t.Errorf("record %d: %s = %#v, want %#v", c.rec, c.name, got, c.want)
				}
			}
			if n := len(recs[0]); n != 17 {
				t.Errorf("record 0 has %d keys, want the 17 elements only", n)
			}
			if strings.Contains(out, "informationElementName") {
				t.Error("options records in JSON output")
			}
		})
	}
}

func TestInspectErrors(t *testing.T) {
	path, second := sampleIPFIX(t)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := write("truncated.ipfix", data[:len(data)-3])
	badSet := bytes.Clone(data)
	badSet[second+18], badSet[second+19] = 0, 2 // first set of message 2: length 2
	broken := write("broken.ipfix", badSet)
	repeated := write("repeated.ipfix", append(data[:second:second], data[:second]...))
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string // regexp
	}{
		{name: "truncated", args: []string{truncated}, code: 1,
			stderr: `^inspect: ` + regexp.QuoteMeta(truncated) + `: offset ` +
				itoa(second) + `: message length \d+, stream ends after \d+: truncated\n$`},
		{name: "bad set length", args: []string{"--json", broken}, code: 1,
			stderr: `^inspect: ` + regexp.QuoteMeta(broken) + `: offset ` + itoa(second+16) +
				`: set \d+ length 2, \d+ octets left: bad set length\n$`},
		{name: "repeated message", args: []string{repeated}, code: 0,
			stderr: `^inspect: .*: warning: offset ` + itoa(second) +
				`: sequence number 0, expected 1 .*\n$`},
		{name: "no such file", args: []string{filepath.Join(dir, "none.ipfix")}, code: 1,
			stderr: `^inspect: open .*none.ipfix: no such file or directory\n$`},
		{name: "no file", args: nil, code: 2, stderr: `Usage: ipfixweb inspect`},
		{name: "two files", args: []string{path, path}, code: 2, stderr: `Usage:`},
		{name: "unknown flag", args: []string{"--xml", path}, code: 2, stderr: `-xml`},
		{name: "help", args: []string{"-h"}, code: 0, stderr: `--json|-json`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := inspect(tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !regexp.MustCompile(tc.stderr).MatchString(errOut) {
				t.Errorf("stderr %q does not match %q", errOut, tc.stderr)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// inspect names the DPI elements of a converted file: IANA ones from its
// registry, enterprise ones from the RFC 5610 type records in the file
// (without them they are only "e<pen>id<id>"), and it names each
// applicationId from the RFC 6759 options records.
func TestInspectDPI(t *testing.T) {
	in := filepath.Join(shared(t, "bugcases"), "B24-tls-clienthello-split.pcap")
	out := filepath.Join(t.TempDir(), "b24.ipfix")
	if code, _, stderr := convert(t, "-q", "--dpi", "-o", out, in); code != 0 {
		t.Fatalf("convert exit %d: %s", code, stderr)
	}
	code, text, errOut := inspect(out)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"      tlsServerName (32473/1), variable length\n",
		"      tlsJA4 (32473/5), variable length\n",
		"      scope informationElementId = 1\n",
		"      informationElementName = \"tlsServerName\"\n",
		"      applicationId = 060000005b (engine 6, selector 91: \"TLS\")\n",
		"      applicationName = \"TLS\"\n",
		"      tlsServerName = \"www.example.org\"\n",
		"      tlsClientALPN = \"h2,http/1.1\"\n",
		"      tlsVersion = 772\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	_, js, _ := inspect("--json", out)
	if !strings.Contains(js, `"applicationName":"TLS","tlsServerName":"api.example.com",`+
		`"tlsVersion":772,"tlsClientALPN":"h2,http/1.1"`) {
		t.Errorf("JSON lacks the DPI elements by name:\n%s", js)
	}

	// The same record without type records: the names came from them.
	bare := filepath.Join(t.TempDir(), "bare.ipfix")
	var data []byte
	enc := ipfix.NewEncoder(ipfix.EncoderConfig{}, func(m []byte) error {
		data = append(data, m...)
		return nil
	})
	r := flow.Record{Key: flow.Key{Src: netip.MustParseAddr("192.0.2.10"),
		Dst: netip.MustParseAddr("198.51.100.20"), SrcPort: 40241, DstPort: 443, Proto: 6},
		Fwd:       flow.Counters{Start: 1700000000000e6, End: 1700000000040e6, Packets: 4, Octets: 1595},
		EndReason: flow.EndForced, App: &flow.App{Name: "TLS", ID: 91,
			Meta: &dpi.Meta{TLS: &dpi.TLSMeta{ServerName: "www.example.com"}}}}
	if err := enc.Add(&r); err != nil {
		t.Fatal(err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bare, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, js, _ = inspect("--json", bare)
	if !strings.Contains(js, `"e32473id1":"7777772e6578616d706c652e636f6d"`) ||
		strings.Contains(js, "tlsServerName") {
		t.Errorf("without type records: %s", js)
	}
}
