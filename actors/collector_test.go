package actors

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/collectortest"
	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// A task with both a file and a TCP collector sends the collector the
// very octets of the file; a UDP-only task sends datagrams within their
// size that carry the same records, templates coming again on schedule.
func TestCollectorDestinations(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 41, Packets: 20000})
	meter := flow.Config{IdleTimeout: 5 * time.Second, Biflow: true}
	want, _ := meterDirect(t, flow.Config{IdleTimeout: 5 * time.Second, Biflow: true}, in)
	sys := newSystem(t)

	t.Run("file and tcp", func(t *testing.T) {
		sink := newTCPSink(t, nil)
		out := filepath.Join(t.TempDir(), "out.ipfix")
		res := Run(context.Background(), sys, Spec{Inputs: []string{in}, Output: out, Meter: meter,
			Shards: 2, Collector: &export.Config{URL: collectorURL(t, sink.URL())}}, 0, nil)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		file := readFile(t, out)
		if got := sink.stream(t); !bytes.Equal(got, file) {
			t.Fatalf("collector read %d octets, the file has %d", len(got), len(file))
		}
		if got := renderIPFIX(t, file); !slices.Equal(got, want) {
			t.Errorf("%d records, one table gives %d", len(got), len(want))
		}
		d := res.Delivery
		if d == nil || d.State != export.StateClosed || d.Connections != 1 || d.PossiblyLost != 0 ||
			d.Octets != uint64(len(file)) || d.Messages != res.Messages {
			t.Errorf("delivery %+v, %d messages", d, res.Messages)
		}
	})
	t.Run("udp only", func(t *testing.T) {
		sink := collectortest.ListenUDP(t)
		res := Run(context.Background(), sys, Spec{Inputs: []string{in}, Meter: meter, Shards: 2,
			Collector: &export.Config{URL: collectorURL(t, sink.URL()), MessageSize: 600,
				RefreshMessages: 10, Rate: 5000}}, 0, nil)
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		msgs := sink.Datagrams(t, res.Delivery.Messages)
		withTemplates := 0
		for _, m := range msgs {
			if len(m) > 600 {
				t.Fatalf("datagram of %d octets, max 600", len(m))
			}
			// A template set, or the options template set ahead of the
			// type records and application names sent again.
			if m[16] == 0 && (m[17] == 2 || m[17] == 3) {
				withTemplates++
			}
		}
		if got := renderIPFIX(t, bytes.Join(msgs, nil)); !slices.Equal(got, want) {
			t.Errorf("%d records, one table gives %d", len(got), len(want))
		}
		if least := len(msgs) / 11; withTemplates < least {
			t.Errorf("%d of %d datagrams start with templates, want at least %d", withTemplates,
				len(msgs), least)
		}
		if res.OutputBytes != 0 || res.SHA256 != "" || res.Delivery.Refused != 0 {
			t.Errorf("result %+v", res)
		}
	})
}

// The last message carries an exporting process statistics record (RFC
// 7011 §4.3) with the totals of what went before it.
func TestExporterStatistics(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 42, Packets: 30000})
	out := filepath.Join(dir, "out.ipfix")
	res := Run(context.Background(), newSystem(t), Spec{Inputs: []string{in}, Output: out,
		Meter: flow.Config{IdleTimeout: 5 * time.Second}}, 0, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	file := readFile(t, out)
	msgs, err := ipfix.ReadAllStrict(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	last := msgs[len(msgs)-1]
	set := last.Sets[len(last.Sets)-1]
	stats := set.Records[len(set.Records)-1]
	values := map[string]any{}
	for _, f := range stats.Fields {
		values[f.Name] = f.Value
	}
	before := uint64(len(file)) - uint64(last.Length)
	flowsBefore := res.Records - uint64(len(ipfix.DataRecords(msgs[len(msgs)-1:])))
	if !stats.Options() || values["exportedMessageTotalCount"] != uint64(len(msgs)-1) ||
		values["exportedFlowRecordTotalCount"] != flowsBefore ||
		values["exportedOctetTotalCount"] != before || values["observationDomainId"] != uint64(0) {
		t.Errorf("statistics record %v; %d messages, %d flow records, %d octets before it",
			values, len(msgs)-1, flowsBefore, before)
	}
}

// A collector that reads nothing holds the whole task: the writer waits
// on it, the shards on the writer, and the reader on the shards, so the
// reader stops long before the end of its input and nothing piles up.
// Once the collector reads, the task ends with every record delivered.
func TestCollectorBackpressure(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 43, Packets: 120000,
		Mix: synth.Mix{DNS: 90, UDP: 10}})
	release := make(chan struct{})
	sink := newTCPSink(t, release)
	sys := newSystem(t)
	// Flows end a second after their last packet, so records leave the
	// shards as the input is read, not at its end.
	spec := Spec{Inputs: []string{in}, Shards: 2, Meter: flow.Config{IdleTimeout: time.Second},
		Collector: &export.Config{URL: collectorURL(t, sink.URL()), SendBuffer: 32 << 10}}
	done := make(chan Result, 1)
	var mu sync.Mutex
	var latest Progress
	go func() {
		done <- Run(context.Background(), sys, spec, 10*time.Millisecond, func(p Progress) {
			mu.Lock()
			latest = p
			mu.Unlock()
		})
	}()

	// Stalled: the writer waits on the collector, and the reader has not
	// moved for a while.
	var p Progress
	last, same := int64(-1), 0
	for end := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		p = latest
		mu.Unlock()
		if p.BytesRead == last && p.BytesRead > 0 {
			same++
		} else {
			last, same = p.BytesRead, 0
		}
		if d := p.Delivery; same >= 20 && d != nil && !d.WaitingSince.IsZero() &&
			time.Since(d.WaitingSince) > 200*time.Millisecond {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("no stall: the reader read %d of %d octets; delivery %+v", p.BytesRead,
				p.BytesTotal, p.Delivery)
		}
	}
	if p.BytesRead >= p.BytesTotal/2 {
		t.Errorf("with the collector not reading, the reader read %d of %d octets",
			p.BytesRead, p.BytesTotal)
	}
	close(release)
	res := <-done
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	got := renderIPFIX(t, sink.stream(t))
	if uint64(len(got)) != res.Records || res.Records < res.Flows || res.BytesRead != p.BytesTotal {
		t.Errorf("%d records delivered, %d written for %d flows; %d of %d octets read", len(got),
			res.Records, res.Flows, res.BytesRead, p.BytesTotal)
	}
	t.Logf("stalled at %d of %d octets of input", p.BytesRead, p.BytesTotal)
}

// A TCP collector nobody listens on fails the task once the retry window
// has passed, with a message that says so.
func TestCollectorUnreachable(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 44, Packets: 1000})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := collectorURL(t, "tcp://"+ln.Addr().String())
	ln.Close() // nobody listens there now
	res := Run(context.Background(), newSystem(t), Spec{Inputs: []string{in},
		Collector: &export.Config{URL: u, RetryFor: 300 * time.Millisecond,
			RetryMin: 20 * time.Millisecond}}, 0, nil)
	if res.Err == nil || !strings.Contains(res.Err.Error(), "unreachable for") ||
		!strings.Contains(res.Err.Error(), u.String()) {
		t.Fatalf("result error %v", res.Err)
	}
}

// Cancelling a task whose collector does not read ends it at once, and
// its error says the collector was holding it up.
func TestCollectorStallCancelled(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 45, Packets: 60000,
		Mix: synth.Mix{DNS: 90, UDP: 10}})
	release := make(chan struct{})
	defer close(release)
	sink := newTCPSink(t, release)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Result, 1)
	var mu sync.Mutex
	var waiting time.Time
	go func() {
		done <- Run(ctx, newSystem(t), Spec{Inputs: []string{in}, Shards: 2,
			Meter:     flow.Config{IdleTimeout: time.Second},
			Collector: &export.Config{URL: collectorURL(t, sink.URL()), SendBuffer: 16 << 10}}, 10*time.Millisecond,
			func(p Progress) {
				mu.Lock()
				if p.Delivery != nil {
					waiting = p.Delivery.WaitingSince
				}
				mu.Unlock()
			})
	}()
	for {
		time.Sleep(10 * time.Millisecond)
		mu.Lock()
		w := waiting
		mu.Unlock()
		if !w.IsZero() && time.Since(w) > 1500*time.Millisecond {
			break
		}
	}
	cancel()
	select {
	case res := <-done:
		if !errors.Is(res.Err, ErrCancelled) || !strings.Contains(res.Err.Error(), "has not read for") {
			t.Errorf("result error %v", res.Err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the task did not end after its cancellation")
	}
}

// A record whose DPI metadata does not fit in a datagram goes without it,
// its application kept, and is counted.
func TestCollectorTrimsOversizeMetadata(t *testing.T) {
	sink := collectortest.ListenUDP(t)
	spec := &Spec{DPI: true, Collector: &export.Config{URL: collectorURL(t, sink.URL()), MessageSize: 800}}
	w := newWriter(spec, nil, newLink())
	if err := w.open(); err != nil {
		t.Fatal(err)
	}
	defer w.abortStream()
	long := strings.Repeat("a", 500)
	r := flow.Record{Key: flow.Key{Src: netip.MustParseAddr("192.0.2.1"),
		Dst: netip.MustParseAddr("198.51.100.1"), SrcPort: 40000, DstPort: 80, Proto: 6},
		Fwd: flow.Counters{Start: 1e18, End: 1e18, Packets: 1, Octets: 60}, EndReason: flow.EndIdle,
		App: &flow.App{Name: "HTTP", ID: 7, Meta: &dpi.Meta{HTTP: &dpi.HTTPMeta{Method: "GET",
			Host: long[:250], Target: "/" + long, Version: "HTTP/1.1", UserAgent: long}}}}
	if err := w.add(&r); err != nil {
		t.Fatal(err)
	}
	if err := w.endExport(); err != nil {
		t.Fatal(err)
	}
	if w.stream.trimmed != 1 {
		t.Errorf("%d records trimmed, want 1", w.stream.trimmed)
	}
	msgs, err := ipfix.ReadAllStrict(bytes.NewReader(bytes.Join(
		sink.Datagrams(t, w.stream.sender.Stats().Messages), nil)))
	if err != nil {
		t.Fatal(err)
	}
	recs := ipfix.DataRecords(msgs)
	if len(recs) != 1 {
		t.Fatalf("%d records", len(recs))
	}
	names := map[string]any{}
	for _, f := range recs[0].Fields {
		names[f.Name] = f.Value
	}
	if names["applicationName"] != "HTTP" || names["httpRequestHost"] != nil {
		t.Errorf("record %v", names)
	}
}
