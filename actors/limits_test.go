package actors

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// tinyFlows writes a pcap of n one-packet UDP flows, each from its own
// source address and port, all within one second.
func tinyFlows(tb testing.TB, path string, n int) {
	tb.Helper()
	le, be := binary.LittleEndian, binary.BigEndian
	b := le.AppendUint32(nil, 0xa1b2c3d4)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint16(b, 4)
	b = append(b, make([]byte, 8)...)
	b = le.AppendUint32(b, 65535)
	b = le.AppendUint32(b, 1) // Ethernet
	for i := range n {
		frame := make([]byte, 14, 42)
		frame[12], frame[13] = 0x08, 0x00
		ip := []byte{0x45, 0, 0, 28, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 0, 192, 168, 0, 1}
		be.PutUint32(ip[12:], 0x0a000000|uint32(i>>8))
		frame = append(frame, ip...)
		frame = be.AppendUint16(frame, uint16(1024+i&0xff))
		frame = be.AppendUint16(frame, 53)
		frame = be.AppendUint16(frame, 8)
		frame = be.AppendUint16(frame, 0)
		b = le.AppendUint32(b, 1_000_000)
		b = le.AppendUint32(b, uint32(i%1_000_000))
		b = le.AppendUint32(b, uint32(len(frame)))
		b = le.AppendUint32(b, uint32(len(frame)))
		b = append(b, frame...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// A flood of flows past the memory cap: every flow still comes out once,
// and those the full tables pushed out early say so with flowEndReason 5.
func TestFlowMemoryCap(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "tiny.pcap")
	const flows = 20000
	tinyFlows(t, in, flows)
	tests := []struct {
		name    string
		memory  int64
		evicted bool
	}{
		{name: "default cap", memory: 0},
		{name: "tiny cap", memory: 1, evicted: true},
	}
	sys := newSystem(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipfix")
			spec := Spec{Inputs: []string{in}, Output: out, Shards: 2, FlowMemory: tc.memory}
			res := Run(context.Background(), sys, spec, 0, nil)
			if res.Err != nil || res.Records != flows {
				t.Fatalf("%v: %d records, want %d", res.Err, res.Records, flows)
			}
			lines := renderIPFIX(t, readFile(t, out))
			resource := 0
			for _, l := range lines {
				if strings.Contains(l, "flowEndReason=5 ") {
					resource++
				}
			}
			// Each shard holds at most minFlowsPerShard flows under the
			// tiny cap; the rest left early.
			want := 0
			if tc.evicted {
				want = flows - 2*minFlowsPerShard
			}
			if resource < want || !tc.evicted && resource != 0 {
				t.Errorf("%d records ended for lack of resources, want at least %d", resource, want)
			}
			// Every flow here is one record, so the progress counts each
			// of those records as a flow exported early.
			if res.Evicted != uint64(resource) {
				t.Errorf("progress counts %d flows exported early, the output %d", res.Evicted, resource)
			}
		})
	}
}

func TestWithFlowMemory(t *testing.T) {
	tests := []struct {
		name   string
		spec   Spec
		flows  int
		frags  int
		atMost int64 // bytes per shard
	}{
		{name: "default", spec: Spec{Shards: 2}, atMost: DefaultFlowMemory / 2},
		{name: "small", spec: Spec{Shards: 4, FlowMemory: 64 << 20}, atMost: 16 << 20},
		{name: "floor", spec: Spec{Shards: 1, FlowMemory: 1}, flows: minFlowsPerShard,
			frags: minFragmentsPerShard},
		{name: "explicit wins", spec: Spec{Shards: 1, Meter: flow.Config{MaxFlows: 7}}, flows: 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := withFlowMemory(tc.spec)
			m := s.Meter
			if tc.flows != 0 && m.MaxFlows != tc.flows || tc.frags != 0 && m.MaxFragments != tc.frags {
				t.Errorf("MaxFlows %d MaxFragments %d", m.MaxFlows, m.MaxFragments)
			}
			used := int64(m.MaxFlows)*flow.ConnBytes(false) + flow.FragmentBytes(m.MaxFragments)
			if tc.atMost != 0 && (used > tc.atMost || used < tc.atMost*9/10) {
				t.Errorf("a shard may use %d bytes of its %d", used, tc.atMost)
			}
		})
	}
}
