package ipfix

import (
	"bytes"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// discard is an emit function that drops messages.
func discard([]byte) error { return nil }

func BenchmarkEncoderAdd(b *testing.B) {
	tests := []struct {
		name string
		rec  flow.Record
	}{
		{name: "uniflow IPv4", rec: baseRecord()},
		{name: "biflow IPv6 DPI", rec: withApp(biflow(v6(baseRecord())), "TLS.YouTube", 124)},
		{name: "uniflow IPv4 TLS metadata", rec: withMeta(withApp(baseRecord(), "TLS", 91),
			groupTLS)},
		{name: "uniflow IPv4 HTTP metadata", rec: withMeta(withApp(baseRecord(), "HTTP", 7),
			groupHTTP)},
	}
	for _, tc := range tests {
		b.Run(tc.name, func(b *testing.B) {
			e := NewEncoder(testConfig(1, 1400), discard)
			s, _ := recordShape(&tc.rec)
			t, _ := e.flowTemplate(s)
			n := t.minLen
			if tc.rec.App != nil {
				n += len(tc.rec.App.Name) + metaExtra(s.group(), tc.rec.App.Meta)
			}
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if err := e.Add(&tc.rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// withMeta gives a record's App the metadata of group g.
func withMeta(r flow.Record, g group) flow.Record {
	r.App.Meta = groupMeta(g)
	return r
}

func TestAddAllocations(t *testing.T) {
	cfg := testConfig(1, 1400)
	cfg.NameApps = true
	e := NewEncoder(cfg, discard)
	recs := []flow.Record{baseRecord(), withApp(biflow(v6(baseRecord())), "DNS", 5)}
	for g := range numGroups {
		recs = append(recs, withMeta(withApp(baseRecord(), "app", uint32(g)), g))
	}
	for i := range recs { // declare the templates
		if err := e.Add(&recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(1000, func() {
		for i := range recs {
			if err := e.Add(&recs[i]); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Add allocates %v times per call in steady state, want 0", allocs)
	}
}

func BenchmarkDecoder(b *testing.B) {
	recs := []flow.Record{baseRecord(), v6(baseRecord()), withApp(baseRecord(), "DNS", 5),
		biflow(baseRecord())}
	stream := encode(b, testConfig(1, 0), func(e *Encoder) error {
		for i := range 2000 {
			if err := e.Add(&recs[i%len(recs)]); err != nil {
				return err
			}
		}
		return nil
	}).stream
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		if err := ReadMessages(bytes.NewReader(stream), func(*Message) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
