package actors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

func newSystem(tb testing.TB) *actor.ActorSystem {
	tb.Helper()
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.DiscardHandler)
	}))
	tb.Cleanup(sys.Shutdown)
	return sys
}

// capture writes a synthetic capture into dir and returns its path.
func synthCapture(tb testing.TB, dir string, cfg synth.Config) string {
	tb.Helper()
	path := filepath.Join(dir, fmt.Sprintf("in-%d-%d.pcap", cfg.Seed, cfg.Packets+cfg.Bytes))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := synth.Write(f, cfg); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// meterDirect meters the captures with one flow table, without actors,
// and returns the records as the lines [renderIPFIX] gives, and the
// number of connections it opened.
func meterDirect(tb testing.TB, cfg flow.Config, inputs ...string) ([]string, uint64) {
	tb.Helper()
	t := flow.NewTable(cfg)
	var recs []flow.Record
	var d packet.Decoder
	for _, in := range inputs {
		data, err := os.ReadFile(in)
		if err != nil {
			tb.Fatal(err)
		}
		r, err := capture.NewReader(bytes.NewReader(data))
		if err != nil {
			tb.Fatal(err)
		}
		var fr capture.Frame
		for {
			if err := r.Next(&fr); err != nil {
				if !errors.Is(err, io.EOF) {
					tb.Fatal(err)
				}
				break
			}
			var p packet.Packet
			p.Time, p.Interface = fr.Time, fr.Interface
			if d.Decode(fr.LinkType, fr.Data, &p) == nil {
				recs = t.Add(&p, recs)
			}
		}
	}
	recs = t.Flush(flow.EndForced, recs)
	var out []byte
	enc := ipfix.NewEncoder(ipfix.EncoderConfig{}, func(m []byte) error {
		out = append(out, m...)
		return nil
	})
	for i := range recs {
		if err := enc.Add(&recs[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		tb.Fatal(err)
	}
	return renderIPFIX(tb, out), t.Stats().Flows
}

// renderIPFIX decodes an IPFIX stream strictly and renders each flow
// record as one line of name=value pairs, sorted.
func renderIPFIX(tb testing.TB, stream []byte) []string {
	tb.Helper()
	msgs, err := ipfix.ReadAllStrict(bytes.NewReader(stream))
	if err != nil {
		tb.Fatal(err)
	}
	var lines []string
	for _, r := range ipfix.DataRecords(msgs) {
		if r.Options() {
			continue
		}
		var b strings.Builder
		for _, f := range r.Fields {
			fmt.Fprintf(&b, "%s=%v ", f.Name, f.Value)
		}
		lines = append(lines, b.String())
	}
	sort.Strings(lines)
	return lines
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

// leftovers lists the files in dir other than the named ones.
func leftovers(tb testing.TB, dir string, keep ...string) []string {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		kept := false
		for _, k := range keep {
			kept = kept || k == name
		}
		if !kept {
			out = append(out, name)
		}
	}
	return out
}

// The sharded pipeline, with small batches and windows so that every
// credit path runs, writes exactly the records one flow table gives.
func TestPipelineMatchesOneTable(t *testing.T) {
	dir := t.TempDir()
	in1 := synthCapture(t, dir, synth.Config{Seed: 11, Packets: 30000})
	in2 := synthCapture(t, dir, synth.Config{Seed: 12, Packets: 10000,
		Start: time.Date(2024, 3, 1, 9, 0, 30, 0, time.UTC)})
	meter := flow.Config{IdleTimeout: 5 * time.Second, ActiveTimeout: 20 * time.Second}
	want, flows := meterDirect(t, meter, in1, in2)
	tests := []struct {
		name                  string
		shards, batch, window int
		biflow                bool
	}{
		{name: "one shard", shards: 1},
		{name: "two shards", shards: 2},
		{name: "seven shards, tiny batches, window 1", shards: 7, batch: 3, window: 1},
		{name: "four shards, batch 64, window 2", shards: 4, batch: 64, window: 2},
	}
	sys := newSystem(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipfix")
			spec := Spec{Inputs: []string{in1, in2}, Output: out, Meter: meter,
				Shards: tc.shards, BatchSize: tc.batch, Window: tc.window}
			res := Run(context.Background(), sys, spec, 0, nil)
			if res.Err != nil || len(res.Errors) > 0 {
				t.Fatalf("result %v, errors %v", res.Err, res.Errors)
			}
			got := renderIPFIX(t, readFile(t, out))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%d records, one table gives %d", len(got), len(want))
				for i := range min(len(got), len(want)) {
					if got[i] != want[i] {
						t.Fatalf("first difference:\n got %s\nwant %s", got[i], want[i])
					}
				}
			}
			// Flows are connections: uniflow records of both directions,
			// and the cuts of the active timeout, make more records.
			if res.Records != uint64(len(want)) || res.Flows != flows || res.Flows >= res.Records ||
				res.Packets != 40000 {
				t.Errorf("progress %+v", res.Progress)
			}
			if left := leftovers(t, filepath.Dir(out), "out.ipfix"); len(left) > 0 {
				t.Errorf("files left beside the output: %v", left)
			}
		})
	}
}
