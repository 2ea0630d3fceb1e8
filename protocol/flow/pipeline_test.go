package flow_test

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// The single-core packet path of a conversion: capture reading, decoding
// and metering, over the benchmark shape of internal/synth (small packets,
// many flows, TLS, QUIC, DNS, bulk transfers).

var (
	pipelineOnce    sync.Once
	pipelineCapture []byte
)

// benchCapture is a 32 MiB capture of the benchmark shape, made once.
func benchCapture(tb testing.TB) []byte {
	tb.Helper()
	pipelineOnce.Do(func() {
		var buf bytes.Buffer
		if _, err := synth.Write(&buf, synth.Config{Seed: 9, Bytes: 32 << 20,
			Mix: synth.BenchMix, Sizes: synth.BenchSizes}); err != nil {
			panic(err)
		}
		pipelineCapture = buf.Bytes()
	})
	return pipelineCapture
}

// meter reads, decodes and meters every frame of a capture.
type meter struct {
	src   bytes.Reader
	r     capture.Reader
	fr    capture.Frame
	dec   packet.Decoder
	p     packet.Packet
	tbl   *flow.Table
	out   []flow.Record
	shift int64 // added to every time, so that passes follow one another
	last  int64 // time of the last packet metered
	pkts  int
	stage string // where step stops: "read", "decode", or "" and "meter" for all
}

func newMeter() *meter {
	return &meter{tbl: flow.NewTable(flow.Config{}), out: make([]flow.Record, 0, 1024)}
}

// pass meters the whole capture once, then ends every flow; each pass
// starts later than the one before ended.
func (m *meter) pass(tb testing.TB, data []byte) {
	m.open(tb, data)
	for m.step(tb) {
	}
	m.end()
}

// open starts reading data.
func (m *meter) open(tb testing.TB, data []byte) {
	m.src.Reset(data)
	if err := m.r.Reset(&m.src); err != nil {
		tb.Fatal(err)
	}
}

// step reads, decodes and meters one frame; it reports false at the end
// of the capture.
func (m *meter) step(tb testing.TB) bool {
	err := m.r.Next(&m.fr)
	if errors.Is(err, io.EOF) {
		return false
	}
	if err != nil {
		tb.Fatal(err)
	}
	m.pkts++
	if m.stage == "read" || m.dec.Decode(m.fr.LinkType, m.fr.Data, &m.p) != nil ||
		m.stage == "decode" {
		return true
	}
	m.p.Time, m.last = m.fr.Time+m.shift, m.fr.Time+m.shift
	m.out = m.tbl.Add(&m.p, m.out[:0])
	if m.pkts%256 == 0 {
		m.out = m.tbl.Advance(m.last, m.out[:0])
	}
	return true
}

// end expires every flow and moves the clock past the pass.
func (m *meter) end() {
	m.out = m.tbl.Advance(m.last+int64(time.Hour), m.out[:0])
	m.shift = m.last + int64(2*time.Hour) - m.shift
}

// TestPacketPathAllocs makes "the per-packet path allocates nothing" a
// failing test: once the table has grown to the capture's flows, reading,
// decoding and metering a packet allocates nothing. (Opening a capture
// allocates, once per file.)
func TestPacketPathAllocs(t *testing.T) {
	data := wholeRecords(t, benchCapture(t)[:4<<20])
	m := newMeter()
	m.pass(t, data)
	m.open(t, data)
	m.pkts = 0
	n := packetsIn(t, data)
	allocs := testing.AllocsPerRun(n-1, func() {
		if !m.step(t) {
			t.Fatal("the capture ended early")
		}
	})
	if allocs != 0 || m.pkts != n {
		t.Errorf("%v allocations per packet over %d packets, want 0", allocs, m.pkts)
	}
}

func packetsIn(tb testing.TB, data []byte) int {
	tb.Helper()
	r, err := capture.NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	var fr capture.Frame
	n := 0
	for r.Next(&fr) == nil {
		n++
	}
	return n
}

// wholeRecords cuts data after its last complete pcap record.
func wholeRecords(tb testing.TB, data []byte) []byte {
	tb.Helper()
	r, err := capture.NewReader(bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	var fr capture.Frame
	end := int64(0)
	for r.Next(&fr) == nil {
		end = r.Offset()
	}
	return data[:end]
}

// BenchmarkPacketPath is one core's conversion without DPI or export,
// stage by stage as benchmarks/floor measures gopacket: read the capture,
// then decode, then meter. MB/s is of the capture file.
func BenchmarkPacketPath(b *testing.B) {
	data := wholeRecords(b, benchCapture(b))
	for _, stage := range []string{"read", "decode", "meter"} {
		b.Run(stage, func(b *testing.B) {
			m := newMeter()
			m.stage = stage
			m.pass(b, data) // grow the table
			m.pkts = 0
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				m.pass(b, data)
			}
			b.ReportMetric(float64(m.pkts)/b.Elapsed().Seconds(), "pkts/s")
		})
	}
}
