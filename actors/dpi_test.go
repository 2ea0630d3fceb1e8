package actors

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// With DPI, the sharded pipeline (small batches and windows so that every
// credit path runs, and the DPI actors' batches hold the reader's) writes
// exactly the records, applications and metadata of the synchronous
// rule: however the packets are batched and whichever actor runs first,
// a flow's verdict is what its first packets say.
func TestDPIMatchesModel(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 21, Packets: 15000})
	meter := flow.Config{IdleTimeout: 20e9, ActiveTimeout: 60e9}
	want := meterDirectDPI(t, meter, dpi.Config{}, in)
	labelled := 0
	for _, l := range want {
		if strings.Contains(l, "tlsServerName=") || strings.Contains(l, "httpRequestHost=") {
			labelled++
		}
	}
	if labelled < 100 {
		t.Fatalf("the model labels only %d TLS or HTTP records: the capture is not a test", labelled)
	}
	tests := []struct {
		name                  string
		shards, batch, window int
		biflow                bool
	}{
		{name: "one shard", shards: 1},
		{name: "three shards, batch 7, window 1", shards: 3, batch: 7, window: 1},
		{name: "two shards, batch 64, window 2", shards: 2, batch: 64, window: 2},
	}
	sys := newSystem(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipfix")
			spec := Spec{Inputs: []string{in}, Output: out, Meter: meter, DPI: true,
				Shards: tc.shards, BatchSize: tc.batch, Window: tc.window}
			res := Run(context.Background(), sys, spec, 0, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			got := renderIPFIX(t, readFile(t, out))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%d records, the model gives %d", len(got), len(want))
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("first difference:\n got %s\nwant %s", got[i], want[i])
					}
				}
			}
			if res.DPIFailures != 0 || res.DPIActors != 0 || res.DPIFlows == 0 ||
				res.DPITracked != 0 {
				t.Errorf("DPI figures: %d failures, %d actors left, %d flows inspected, "+
					"%d connections still tracked", res.DPIFailures, res.DPIActors, res.DPIFlows,
					res.DPITracked)
			}
			if n := liveActors(sys, "/dpi"); n != 0 {
				t.Errorf("%d DPI actors alive after the task", n)
			}
		})
	}
}

// Live DPI actors stay within the limit however many flows are open at
// once; the flows that could not have an actor still get one in turn
// (the oldest live one concludes to make room), every record has an
// application, and every DPI actor has stopped when the task ends.
func TestDPIActorsBounded(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 22, Packets: 8000, FlowsPerSecond: 4000})
	sys := newSystem(t)
	tests := []struct {
		name          string
		limit, shards int
	}{
		{name: "one actor, one shard", limit: 1, shards: 1},
		{name: "four actors, two shards", limit: 4, shards: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipfix")
			res := Run(context.Background(), sys, Spec{Inputs: []string{in}, Output: out,
				DPI: true, MaxDPIActors: tc.limit, Shards: tc.shards, BatchSize: 32}, 0, nil)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.DPIPeak > tc.limit || res.DPIPeak == 0 {
				t.Errorf("peak %d live DPI actors, limit %d", res.DPIPeak, tc.limit)
			}
			if res.DPIActors != 0 || res.DPITracked != 0 {
				t.Errorf("%d DPI actors live, %d connections tracked at the end", res.DPIActors,
					res.DPITracked)
			}
			if n := liveActors(sys, "/dpi"); n != 0 {
				t.Errorf("%d DPI actors alive after the task", n)
			}
			names := apps(t, out)
			counts := map[string]int{}
			for _, n := range names {
				counts[n]++
			}
			if counts[""] != 0 || counts["TLS"] == 0 || counts["DNS"] == 0 {
				t.Errorf("applications %v: every record needs one", counts)
			}
			if res.DPIFlows < 100 {
				t.Errorf("%d flows inspected", res.DPIFlows)
			}
		})
	}
}

// A dissector that panics stops only the DPI actor of the flow it was
// reading: that flow is exported as Unknown and counted in DPIFailures,
// every other flow is labelled as usual, and the task completes.
func TestDPIPanicStopsOnlyItsActor(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 23, Packets: 6000})
	explode := dpi.Dissector{Name: "explode", Transports: dpi.UDP,
		Start: func(info *dpi.FlowInfo) dpi.State {
			if info.Responder.Port() != 53 {
				return nil
			}
			return panicState{}
		}}
	reg, err := dpi.NewRegistry(append([]dpi.Dissector{explode}, dpi.Builtins()...)...)
	if err != nil {
		t.Fatal(err)
	}
	sys := newSystem(t)
	out := filepath.Join(t.TempDir(), "out.ipfix")
	res := Run(context.Background(), sys, Spec{Inputs: []string{in}, Output: out, DPI: true,
		DPIRegistry: reg, Shards: 2, BatchSize: 64}, 0, nil)
	if res.Err != nil {
		t.Fatalf("the task failed: %v", res.Err)
	}
	dnsConns := map[string]bool{}
	counts := map[string]int{}
	for key, name := range apps(t, out) {
		counts[name]++
		src, dst, _ := strings.Cut(strings.TrimSuffix(key, "/17"), ">")
		if !strings.HasSuffix(key, "/17") {
			continue
		}
		switch {
		case strings.HasSuffix(dst, ":53"):
			dnsConns[src+">"+dst] = true
		case strings.HasSuffix(src, ":53"):
			dnsConns[dst+">"+src] = true
		default:
			continue
		}
		if name != "Unknown" {
			t.Errorf("%s: %s, want Unknown after its dissector panicked", key, name)
		}
	}
	if len(dnsConns) < 20 || res.DPIFailures != uint64(len(dnsConns)) {
		t.Errorf("%d DPI failures, %d DNS connections", res.DPIFailures, len(dnsConns))
	}
	if counts["TLS"] == 0 || counts["HTTP"] == 0 || counts["DNS"] != 0 {
		t.Errorf("applications %v: TLS and HTTP still labelled, no DNS", counts)
	}
	if n := liveActors(sys, "/dpi"); n != 0 {
		t.Errorf("%d DPI actors alive after the task", n)
	}
}

// panicState is a dissector state whose Inspect panics.
type panicState struct{}

func (panicState) Inspect(*dpi.Input, *dpi.Result) dpi.Status { panic("dissector bug") }

// The list of live actors, oldest first, does not grow with the number
// of flows the task inspects.
func TestDPIOrderStaysSmall(t *testing.T) {
	d := &shardDPI{live: 1}
	for i := range uint32(10000) {
		d.conn(d.open() - 1).state = connLive
		d.remember(ticket{conn: i})
		if i > 0 {
			d.conn(i - 1).state = connDone // only the newest is live
		}
	}
	if n := len(d.order.items); n > 4+64+1 {
		t.Errorf("%d tickets kept for one live actor", n)
	}
	live := 0
	for {
		tk, ok := d.order.pop()
		if !ok {
			break
		}
		if d.isLive(tk) {
			live++
		}
	}
	if live != 1 {
		t.Errorf("%d tickets of live actors, want the one", live)
	}
}
