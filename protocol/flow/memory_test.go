package flow

import (
	"fmt"
	"testing"
)

// A full table holds no more entries than MaxFlows allows, and every
// connection pushed out for room ends with EndResource.
func TestEntriesStayWithinMaxFlows(t *testing.T) {
	tests := []struct {
		name     string
		maxFlows int
		flows    int
	}{
		{name: "under the cap", maxFlows: 1000, flows: 600},
		{name: "at the cap", maxFlows: 1000, flows: 1000},
		{name: "over the cap", maxFlows: 1000, flows: 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := NewTable(Config{MaxFlows: tc.maxFlows})
			var out []Record
			for i := range tc.flows {
				p := udp(int64(i), fmt.Sprintf("10.0.%d.%d", i>>8, i&0xff), 1000, "192.0.2.1", 53, 28)
				out = tb.Add(&p, out)
			}
			if c := tb.entryCap(); c > tc.maxFlows+1 {
				t.Errorf("entries capacity %d for MaxFlows %d", c, tc.maxFlows)
			}
			if want := max(0, tc.flows-tc.maxFlows); len(out) != want {
				t.Fatalf("%d records before the end, want %d", len(out), want)
			}
			for _, r := range out {
				if r.EndReason != EndResource {
					t.Fatalf("record ended with %d, want %d", r.EndReason, EndResource)
				}
			}
		})
	}
}

func TestMaxFlowsFor(t *testing.T) {
	tests := []struct {
		name   string
		budget int64
		biflow bool
		least  int
		want   int
	}{
		{name: "floor", budget: 1, least: 10, want: 10},
		{name: "uniflow", budget: FragmentBytes(0) + 100*ConnBytes(false), want: 100},
		{name: "biflow fits more", budget: FragmentBytes(0) + 100*ConnBytes(false), biflow: true,
			want: int(100 * ConnBytes(false) / ConnBytes(true))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MaxFlowsFor(tc.budget, tc.biflow, 0, tc.least); got != tc.want {
				t.Errorf("MaxFlowsFor = %d, want %d", got, tc.want)
			}
		})
	}
}
