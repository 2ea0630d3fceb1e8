package ipfix

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// resendStream encodes a record of every DPI group (each its own
// application) in UDP-sized messages with type records and application
// names, calls ResendAll with one more record pending, then adds a
// record of every group again. It returns the output and how many
// messages went out before ResendAll.
func resendStream(tb testing.TB) (*output, int) {
	tb.Helper()
	var recs []flow.Record
	for g := range numGroups {
		r := withApp(baseRecord(), fmt.Sprintf("app%d", g), uint32(g)+100)
		r.App.Meta = groupMeta(g)
		recs = append(recs, r)
	}
	cfg := testConfig(1, 1400)
	cfg.NameApps = true
	var out output
	e := NewEncoder(cfg, out.emit)
	if err := e.DescribeEnterpriseElements(); err != nil {
		tb.Fatal(err)
	}
	if err := addAll(recs...)(e); err != nil {
		tb.Fatal(err)
	}
	if err := e.AddExporterStats(); err != nil {
		tb.Fatal(err)
	}
	pending := v6(baseRecord())
	if err := e.Add(&pending); err != nil {
		tb.Fatal(err)
	}
	before := len(out.msgs) + 1 // the pending message goes out first
	if err := e.ResendAll(); err != nil {
		tb.Fatal(err)
	}
	if len(out.msgs) < before {
		tb.Fatalf("%d messages after ResendAll, want the pending one emitted", len(out.msgs))
	}
	if err := addAll(recs...)(e); err != nil {
		tb.Fatal(err)
	}
	if err := e.Flush(); err != nil {
		tb.Fatal(err)
	}
	return &out, before
}

// A collector that joins after ResendAll reads every record that follows
// without a warning, with every enterprise element named by a type record
// and every applicationId named by an RFC 6759 record it received; each
// type record and each name is sent once more, and the whole stream still
// decodes without a warning.
func TestResendAll(t *testing.T) {
	out, before := resendStream(t)
	decodeStrict(t, out.stream)
	late := decodeStrict(t, bytes.Join(out.msgs[before:], nil))
	types, apps := map[string]int{}, map[string]string{}
	for _, r := range optionsRecords(late) {
		v := values(r)
		if n, ok := v["informationElementName"].(string); ok {
			types[n]++
		}
		if n, ok := v["applicationName"].(string); ok {
			apps[fmt.Sprint(v["applicationId"])] = n
		}
	}
	for _, el := range DPIElements {
		if types[el.Name] != 1 {
			t.Errorf("%s described %d times after ResendAll, want once", el.Name, types[el.Name])
		}
	}
	flows := DataRecords(late)
	if len(flows) != int(numGroups) {
		t.Fatalf("%d flow records after ResendAll, want %d", len(flows), numGroups)
	}
	for i, r := range flows {
		v := values(r)
		if name := apps[fmt.Sprint(v["applicationId"])]; name != v["applicationName"] {
			t.Errorf("record %d: applicationId named %q, applicationName %q", i, name,
				v["applicationName"])
		}
		checkGroup(t, group(i), v)
	}
	if len(apps) != int(numGroups) {
		t.Errorf("%d applications named again, want %d", len(apps), numGroups)
	}
}

// tshark, receiving only the datagrams from ResendAll on, decodes every
// record without a warning.
func TestResendAllTshark(t *testing.T) {
	out, before := resendStream(t)
	verbose := tshark(t, writePcap(t, out.msgs[before:]), "-V")
	for _, line := range strings.Split(verbose, "\n") {
		if strings.Contains(line, "Malformed") || strings.Contains(line, "Expert Info (Error") ||
			strings.Contains(line, "Expert Info (Warn") {
			t.Errorf("tshark: %s", strings.TrimSpace(line))
		}
	}
	records := 0
	for _, m := range decodeStrict(t, bytes.Join(out.msgs[before:], nil)) {
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
}

// libfixbuf, reading only the messages from ResendAll on, names every
// element and warns of nothing.
func TestResendAllIPFIXDump(t *testing.T) {
	out, before := resendStream(t)
	file := writeTemp(t, "late.ipfix", bytes.Join(out.msgs[before:], nil))
	problems, _ := ipfixDumpProblems(t, file)
	if len(problems) > 0 {
		t.Errorf("ipfixDump: %s", strings.Join(problems, "\n"))
	}
	stdout, err := exec.Command(needTool(t, "ipfixDump"), "--in", file, "--rfc5610").Output()
	if err != nil {
		t.Fatalf("ipfixDump: %v", err)
	}
	dump := string(stdout)
	if strings.Contains(dump, "_alienInformationElement") {
		t.Errorf("ipfixDump left elements unnamed:\n%s", grepLines(dump, "_alien"))
	}
	for _, el := range DPIElements {
		if !strings.Contains(dump, el.Name+" : ") {
			t.Errorf("ipfixDump shows no %s", el.Name)
		}
	}
}

// ResendAll on an encoder that has declared nothing sends nothing.
func TestResendAllEmpty(t *testing.T) {
	var out output
	e := NewEncoder(testConfig(1, 0), out.emit)
	if err := e.ResendAll(); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(out.msgs) != 0 {
		t.Errorf("%d messages, want none", len(out.msgs))
	}
}
