package ipfix

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// A stream that restarts at any message of an earlier one, after the
// template messages, decodes strictly to the same records from there on.
func TestTemplateMessagesStartASession(t *testing.T) {
	var recs []flow.Record
	for _, s := range allShapes() {
		recs = append(recs, shapeRecord(s))
	}
	tests := []struct {
		name    string
		max     int
		options bool
	}{
		{name: "one message holds every template", max: 0, options: true},
		{name: "templates split over datagram-sized messages", max: 1400, options: true},
		{name: "small messages, no options templates", max: 600},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(7, tc.max)
			cfg.NameApps = tc.options
			var out output
			e := NewEncoder(cfg, out.emit)
			if tc.options {
				if err := e.DescribeEnterpriseElements(); err != nil {
					t.Fatal(err)
				}
			}
			for i := range recs {
				if err := e.Add(&recs[i]); err != nil {
					t.Fatal(err)
				}
				if i%9 == 0 {
					if err := e.Flush(); err != nil { // more restart points
						t.Fatal(err)
					}
				}
			}
			if err := e.Flush(); err != nil {
				t.Fatal(err)
			}
			whole := decodeStrict(t, out.stream)
			for k := range out.msgs {
				seq := MessageSequence(out.msgs[k])
				tms := e.TemplateMessages(seq)
				var stream []byte
				for _, m := range tms {
					if tc.max > 0 && len(m) > tc.max {
						t.Fatalf("template message of %d octets, max %d", len(m), tc.max)
					}
					stream = append(stream, m...)
				}
				for _, m := range out.msgs[k:] {
					stream = append(stream, m...)
				}
				got := decodeStrict(t, stream)
				if len(got) != len(tms)+len(out.msgs)-k {
					t.Fatalf("restart at %d: %d messages", k, len(got))
				}
				for _, m := range got[:len(tms)] {
					if m.Sequence != seq || m.Domain != 7 {
						t.Errorf("template message: sequence %d domain %d, want %d 7",
							m.Sequence, m.Domain, seq)
					}
				}
				if a, b := render(DataRecords(got)), render(DataRecords(whole[k:])); !slices.Equal(a, b) {
					t.Fatalf("restart at %d: records differ", k)
				}
			}
		})
	}
}

// TemplateMessages changes nothing the encoder emits afterwards.
func TestTemplateMessagesLeaveEncoder(t *testing.T) {
	var a, b output
	ea, eb := NewEncoder(testConfig(1, 1400), a.emit), NewEncoder(testConfig(1, 1400), b.emit)
	if len(ea.TemplateMessages(0)) != 0 {
		t.Error("template messages before any template")
	}
	for i := range 50 {
		r := baseRecord()
		if i%2 == 1 {
			r = v6(r)
		}
		for _, e := range []*Encoder{ea, eb} {
			if err := e.Add(&r); err != nil {
				t.Fatal(err)
			}
		}
		ea.TemplateMessages(uint32(i))
	}
	for _, e := range []*Encoder{ea, eb} {
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if string(a.stream) != string(b.stream) || ea.Stats() != eb.Stats() {
		t.Error("TemplateMessages changed the encoder's output")
	}
}

// render turns records into comparable lines. Fields go by element and
// raw value: a new session has not seen the type records that named and
// typed the enterprise elements.
func render(recs []*Record) []string {
	var out []string
	for _, r := range recs {
		line := fmt.Sprint(r.TemplateID)
		for _, f := range r.Fields {
			line += fmt.Sprintf(" %v=%x", f.IE, f.Raw)
		}
		out = append(out, line)
	}
	return out
}
