// Package ipfixcheck holds test helpers that judge an IPFIX file the way a
// collector would: with our strict decoder, with libfixbuf's ipfixDump and
// with tshark. The tools are optional: a check whose tool is not installed
// skips the test with a message naming the Debian package to install.
package ipfixcheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// Tool returns the path of an installed program, or skips tb.
func Tool(tb testing.TB, name, pkg string) string {
	tb.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		tb.Skipf("%s is not installed (apt-get install %s)", name, pkg)
	}
	return path
}

// Decode reads an IPFIX file with the strict decoder: any warning (a
// sequence number that jumps, a data set without its template, ...) fails
// tb. It returns the messages.
func Decode(tb testing.TB, file string) []*ipfix.Message {
	tb.Helper()
	f, err := os.Open(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	msgs, err := ipfix.ReadAllStrict(f)
	if err != nil {
		tb.Fatalf("decode %s: %v", file, err)
	}
	return msgs
}

// Counts are the totals of a decoded stream.
type Counts struct {
	Messages, Templates, Data, Options int
}

// Count totals the sets of msgs. Data counts every data record, options
// records included.
func Count(msgs []*ipfix.Message) Counts {
	var c Counts
	c.Messages = len(msgs)
	for _, m := range msgs {
		for _, s := range m.Sets {
			c.Templates += len(s.Templates) + len(s.OptionsTemplates)
			c.Data += len(s.Records)
			for i := range s.Records {
				if s.Records[i].Options() {
					c.Options++
				}
			}
		}
	}
	return c
}

// FlowRecords returns the data records of msgs that are not options
// records.
func FlowRecords(msgs []*ipfix.Message) []*ipfix.Record {
	var out []*ipfix.Record
	for _, r := range ipfix.DataRecords(msgs) {
		if !r.Options() {
			out = append(out, r)
		}
	}
	return out
}

var dumpProblem = regexp.MustCompile(`(?i)warning|error|illegal|expected|unknown`)

// dumpField is a line of ipfixDump that shows a field of a template or a
// record: its value is data ("Unknown" is an application name), not a
// report.
var dumpField = regexp.MustCompile(`^\s+(\(\d+(/\d+)?\)( \(S\))?\s+\w+ : |ent: +\d+ +id: +\d+ +type: )`)

// IPFIXDump runs ipfixDump --rfc5610 on file and fails tb on any warning
// or error it prints, or when its statistics disagree with want.
func IPFIXDump(tb testing.TB, file string, want Counts) {
	tb.Helper()
	cmd := exec.Command(Tool(tb, "ipfixDump", "libfixbuf-tools"), "--in", file, "--rfc5610")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Errorf("ipfixDump %s: %v: %s", file, err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.TrimSpace(line) != "" {
			tb.Errorf("ipfixDump %s: %s", file, line)
		}
	}
	stats := ""
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(line, "*** File Stats") {
			stats = line
		} else if dumpProblem.MatchString(line) && !strings.Contains(line, "unknown(") &&
			!dumpField.MatchString(line) {
			tb.Errorf("ipfixDump %s: %s", file, strings.TrimSpace(line))
		}
	}
	wantStats := fmt.Sprintf("*** File Stats: %d Messages, %d Data Records, %d Template Records ***",
		want.Messages, want.Data, want.Templates)
	if stats != wantStats {
		tb.Errorf("ipfixDump %s: %q, want %q", file, stats, wantStats)
	}
}

var tsharkMessage = regexp.MustCompile(`(?m)^Cisco NetFlow/IPFIX$`)

var tsharkSet = regexp.MustCompile(`(?m)^\s+Set \d+ \[id=\d+\] \((\d+) flows?\)$`)

// TShark has tshark read file as an RFC 5655 IPFIX file and fails tb when
// it cannot, when it marks anything malformed or worth a warning, or when
// the messages and data records it shows disagree with want.
func TShark(tb testing.TB, file string, want Counts) {
	tb.Helper()
	cmd := exec.Command(Tool(tb, "tshark", "tshark"), "-n", "-r", file, "-V")
	cmd.Env = append(os.Environ(), "HOME="+tb.TempDir()) // no user profile
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tb.Errorf("tshark -r %s: %v: %s", file, err, stderr.String())
		return
	}
	out := stdout.String()
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "Malformed") || strings.Contains(line, "Expert Info (Error") ||
			strings.Contains(line, "Expert Info (Warn") {
			tb.Errorf("tshark %s: %s", file, strings.TrimSpace(line))
		}
	}
	frames := len(tsharkMessage.FindAllStringIndex(out, -1))
	if frames != want.Messages {
		tb.Errorf("tshark %s: %d IPFIX messages, want %d", file, frames, want.Messages)
	}
	shown := 0
	for _, m := range tsharkSet.FindAllStringSubmatch(out, -1) {
		n, _ := strconv.Atoi(m[1])
		shown += n
	}
	if shown != want.Data {
		tb.Errorf("tshark %s: %d data records, want %d", file, shown, want.Data)
	}
}

// All decodes file strictly and has ipfixDump and tshark agree with the
// decoder. It returns the decoded messages. A missing tool skips only its
// own check.
func All(t *testing.T, file string) []*ipfix.Message {
	t.Helper()
	msgs := Decode(t, file)
	want := Count(msgs)
	t.Run("ipfixDump", func(t *testing.T) { IPFIXDump(t, file, want) })
	t.Run("tshark", func(t *testing.T) { TShark(t, file, want) })
	return msgs
}
