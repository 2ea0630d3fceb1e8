package service

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/collectortest"
	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// Bad collector settings get a 400 naming the field.
func TestCollectorRequestErrors(t *testing.T) {
	n := startNode(t, Config{})
	good := n.capture("good.pcap", synth.Config{Seed: 9, Packets: 100})
	out := n.outPath("x.ipfix")
	udp, tcp := "udp://127.0.0.1:2055", "tcp://127.0.0.1:4739"
	only := func(extra ...any) map[string]any {
		b := body([]string{good}, "", extra...)
		delete(b, "output_path")
		return b
	}
	tests := []struct {
		name   string
		body   map[string]any
		field  string
		reason string // regexp
	}{
		{name: "neither file nor collector", body: only(), field: "output_path",
			reason: "unless a collector is given"},
		{name: "scheme", body: only("collector", "http://h:80"), field: "collector",
			reason: `scheme "http".*udp://host:port or tcp://host:port`},
		{name: "no port", body: only("collector", "udp://collector"), field: "collector",
			reason: "no port"},
		{name: "port out of range", body: only("collector", "tcp://h:70000"), field: "collector",
			reason: "not 1 to 65535"},
		{name: "no host", body: only("collector", "udp://:2055"), field: "collector",
			reason: "no host"},
		{name: "path", body: only("collector", "tcp://h:4739/ipfix"), field: "collector",
			reason: "nothing may follow"},
		{name: "not a string", body: only("collector", 4739), field: "collector",
			reason: "a string"},
		{name: "udp setting without collector", body: body([]string{good}, out, "udp_rate", 10),
			field: "udp_rate", reason: "needs a collector"},
		{name: "udp setting with tcp", body: only("collector", tcp, "udp_message_size", 1000),
			field: "udp_message_size", reason: "only to a udp:// collector"},
		{name: "message too small", body: only("collector", udp, "udp_message_size", 100),
			field: "udp_message_size", reason: "512 to 65507"},
		{name: "rate zero", body: only("collector", udp, "udp_rate", 0), field: "udp_rate",
			reason: "more than 0"},
		{name: "refresh too short", body: only("collector", udp, "template_refresh", "100ms"),
			field: "template_refresh", reason: "1s to 24h"},
		{name: "refresh not a duration", body: only("collector", udp, "template_refresh", "often"),
			field: "template_refresh", reason: "duration"},
		{name: "refresh messages zero", body: only("collector", udp, "template_refresh_messages", 0),
			field: "template_refresh_messages", reason: "1 to 1000000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, resp, _ := n.do("POST", "/api/export-task", tc.body)
			if code != 400 || str(resp["field"]) != tc.field ||
				!regexp.MustCompile(tc.reason).MatchString(str(resp["error"])) {
				t.Errorf("%d %v, want 400 on %s matching %q", code, resp, tc.field, tc.reason)
			}
		})
	}
}

// A task with a UDP collector and no output_path streams its records and
// writes no file; its status, kept in the journal, says what was sent.
func TestCollectorOnlyTask(t *testing.T) {
	base := t.TempDir()
	cfg := Config{DataDir: filepath.Join(base, "data")}
	n := startNode(t, cfg)
	in := n.capture("a.pcap", synth.Config{Seed: 21, Packets: 5000})
	sink := collectortest.ListenUDP(t)
	b := body([]string{in}, "", "collector", sink.URL(), "udp_message_size", 1000,
		"template_refresh", "10s", "template_refresh_messages", 5, "udp_rate", 20000)
	delete(b, "output_path")
	code, resp := n.submit(b)
	if code != 202 {
		t.Fatalf("submit: %d %v", code, resp)
	}
	id := str(resp["task_id"])
	tk := n.waitFor(id, 30*time.Second, final)
	if tk.Status != task.Completed || tk.Output != nil || tk.Summary == nil || tk.Delivery == nil {
		t.Fatalf("task %s: %s, output %+v, summary %+v, delivery %+v", tk.Status, tk.Error,
			tk.Output, tk.Summary, tk.Delivery)
	}
	d := tk.Delivery
	if d.Collector != sink.URL() || d.State != "closed" || d.Messages == 0 || d.Refused != 0 ||
		d.RecordsPossiblyLost != 0 {
		t.Errorf("delivery %+v", d)
	}
	msgs := sink.Datagrams(t, d.Messages)
	var octets uint64
	for _, m := range msgs {
		octets += uint64(len(m))
		if len(m) > 1000 {
			t.Fatalf("datagram of %d octets, asked for 1000 at most", len(m))
		}
	}
	recs, err := ipfix.ReadAllStrict(bytes.NewReader(bytes.Join(msgs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if got := uint64(len(ipfix.DataRecords(recs))); got != tk.Progress.RecordsWritten ||
		got != tk.Summary.Records || octets != d.Octets {
		t.Errorf("%d records in %d octets came; status says %d records, summary %d, %d octets",
			got, octets, tk.Progress.RecordsWritten, tk.Summary.Records, d.Octets)
	}
	n.stop()
	again := startNode(t, cfg)
	if tk := again.task(id); tk.Delivery == nil || *tk.Delivery != *d {
		t.Errorf("after a restart the journal gives delivery %+v, want %+v", tk.Delivery, d)
	}
}

// A TCP collector that hangs and crashes in the middle of an export, then
// comes back, gets the rest after the reconnection: a stream that starts
// with templates and that ipfixDump reads without a warning. Together the
// two connections hold the file's records but a run in the middle, which
// the status counts as possibly lost (but for what the collector's host
// acknowledged and the collector never read, which no exporter can see).
func TestCollectorRestartsMidExport(t *testing.T) {
	n := startNode(t, Config{Tune: func(s *actors.Spec) {
		if s.Collector != nil {
			s.Collector.SendBuffer = 32 << 10
			s.Collector.RetryMin = 20 * time.Millisecond
		}
	}})
	in := n.capture("a.pcap", synth.Config{Seed: 22, Packets: 40000,
		Mix: synth.Mix{DNS: 80, TLS: 10, UDP: 10}})
	coll := collectortest.ListenTCP(t)
	out := n.outPath("a.ipfix")
	code, resp := n.submit(body([]string{in}, out, "collector", coll.URL(), "idle_timeout", 1))
	if code != 202 {
		t.Fatalf("submit: %d %v", code, resp)
	}
	id := str(resp["task_id"])
	read, unread := coll.Crash(t, 3000, func() bool {
		d := n.task(id).Delivery
		return d != nil && d.WaitingSince != nil && time.Since(*d.WaitingSince) > 200*time.Millisecond
	})
	n.waitFor(id, 30*time.Second, func(tk *task.Task) bool {
		return tk.Delivery != nil && tk.Delivery.DownSince != nil
	})
	coll.Restart(t)
	second, err := coll.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	tk := n.waitFor(id, 30*time.Second, final)
	if tk.Status != task.Completed {
		t.Fatalf("task %s: %s", tk.Status, tk.Error)
	}

	dir := t.TempDir()
	for name, data := range map[string][]byte{"first.ipfix": read, "second.ipfix": second} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ipfixcheck.IPFIXDump(t, path, ipfixcheck.Count(ipfixcheck.Decode(t, path)))
	}
	if m := second[:int(second[2])<<8|int(second[3])]; m[16] != 0 || m[17] != 2 ||
		len(collectortest.DataRecords(t, m)) != 0 {
		t.Error("the second connection does not start with a template message")
	}
	all := render(collectortest.DataRecords(t, readFile(t, out)))
	first, rest := render(collectortest.DataRecords(t, read)), render(collectortest.DataRecords(t, second))
	missing := len(all) - len(first) - len(rest)
	if !slices.Equal(first, all[:len(first)]) || !slices.Equal(rest, all[len(all)-len(rest):]) ||
		missing < 0 {
		t.Fatalf("first connection %d records, second %d, file %d: not a prefix and a suffix",
			len(first), len(rest), len(all))
	}
	d := tk.Delivery
	t.Logf("records: %d, %d missing (%d unread by the collector), %d counted possibly lost",
		len(all), missing, unread, d.RecordsPossiblyLost)
	if d.Connections != 2 || d.State != "closed" || uint64(missing-unread) > d.RecordsPossiblyLost ||
		d.LastError == "" {
		t.Errorf("delivery %+v", d)
	}
}

// A TCP collector that never answers holds its task until the task's
// timeout, which says why.
func TestCollectorPastTimeout(t *testing.T) {
	n := startNode(t, Config{TaskTimeout: 500 * time.Millisecond, CollectorRetry: time.Hour})
	in := n.capture("a.pcap", synth.Config{Seed: 23, Packets: 1000})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "tcp://" + ln.Addr().String()
	ln.Close() // nobody listens there now
	_, resp := n.submit(body([]string{in}, n.outPath("late.ipfix"), "collector", url))
	tk := n.waitFor(str(resp["task_id"]), 10*time.Second, final)
	want := regexp.MustCompile(`timeout of 500ms while collector ` + regexp.QuoteMeta(url) +
		` unreachable for .* attempts; last: dial tcp .*connection refused`)
	if tk.Status != task.TimedOut || !want.MatchString(tk.Error) {
		t.Errorf("task %s: %q", tk.Status, tk.Error)
	}
	if _, err := os.Stat(n.outPath("late.ipfix")); !os.IsNotExist(err) {
		t.Errorf("output of a timed-out task: %v", err)
	}
}

// render turns records into comparable strings: their encoded values.
func render(recs []*ipfix.Record) []string {
	out := make([]string, 0, len(recs))
	var b []byte
	for _, r := range recs {
		b = b[:0]
		for _, f := range r.Fields {
			b = append(append(b, byte(len(f.Raw))), f.Raw...)
		}
		out = append(out, string(b))
	}
	return out
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
