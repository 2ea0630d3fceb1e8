package ipfix

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// exportTime is the clock of every test encoder.
var exportTime = time.Unix(1700000100, 0)

// testConfig returns an encoder config with a fixed clock.
func testConfig(domain uint32, max int) EncoderConfig {
	return EncoderConfig{ObservationDomain: domain, MaxMessageSize: max,
		Now: func() time.Time { return exportTime }}
}

// output collects what an encoder emits.
type output struct {
	msgs   [][]byte
	stream []byte
}

func (o *output) emit(msg []byte) error {
	o.msgs = append(o.msgs, bytes.Clone(msg))
	o.stream = append(o.stream, msg...)
	return nil
}

// encode runs fn on a new encoder, flushes it and returns its output.
func encode(tb testing.TB, cfg EncoderConfig, fn func(e *Encoder) error) *output {
	tb.Helper()
	var out output
	e := NewEncoder(cfg, out.emit)
	if err := fn(e); err != nil {
		tb.Fatalf("encode: %v", err)
	}
	if err := e.Flush(); err != nil {
		tb.Fatalf("flush: %v", err)
	}
	return &out
}

// addAll returns an encode function that adds recs in order.
func addAll(recs ...flow.Record) func(e *Encoder) error {
	return func(e *Encoder) error {
		for i := range recs {
			if err := e.Add(&recs[i]); err != nil {
				return err
			}
		}
		return nil
	}
}

// decodeStrict decodes a stream and fails the test on any error or warning.
func decodeStrict(tb testing.TB, stream []byte) []*Message {
	tb.Helper()
	msgs, err := ReadAllStrict(bytes.NewReader(stream))
	if err != nil {
		tb.Fatalf("decode: %v", err)
	}
	return msgs
}

// values maps the field names of a record to their values.
func values(r *Record) map[string]any {
	m := make(map[string]any, len(r.Fields))
	for _, f := range r.Fields {
		m[f.Name] = f.Value
	}
	return m
}

// names lists the field names of a record in order.
func names(r *Record) []string {
	s := make([]string, len(r.Fields))
	for i, f := range r.Fields {
		s[i] = f.Name
	}
	return s
}

// ms converts Unix seconds and nanoseconds to the int64 ns of flow times.
func ns(sec, nsec int64) int64 { return sec*1e9 + nsec }

// baseRecord is a uniflow IPv4 TCP record with every field set.
func baseRecord() flow.Record {
	return flow.Record{
		Key: flow.Key{Src: netip.MustParseAddr("192.0.2.10"),
			Dst: netip.MustParseAddr("198.51.100.20"), SrcPort: 40221, DstPort: 80,
			Proto: 6, VLAN: 100},
		IPVersion: 4, TOS: 0x28, TTLMin: 60, TTLMax: 64, Interface: 3,
		Fwd: flow.Counters{Start: ns(1234567890, 0), End: ns(1234567890, 90e6),
			Packets: 6, Octets: 316, TCPFlags: 0x1b},
		EndReason: flow.EndOfFlow,
	}
}

// v6 turns a record into an IPv6 one.
func v6(r flow.Record) flow.Record {
	r.Key.Src = netip.MustParseAddr("2001:db8::10")
	r.Key.Dst = netip.MustParseAddr("2001:db8::20")
	r.IPVersion = 6
	return r
}

// biflow gives a record a reverse direction.
func biflow(r flow.Record) flow.Record {
	r.Biflow = true
	r.Rev = flow.Counters{Start: r.Fwd.Start + 10e6, End: r.Fwd.End - 10e6,
		Packets: 4, Octets: 229, TCPFlags: 0x12}
	return r
}

// withApp gives a record a DPI result.
func withApp(r flow.Record, name string, id uint32) flow.Record {
	r.App = &flow.App{Name: name, ID: id}
	return r
}

// sampleRecords returns a record of every shape and the records of the
// IPFIX bug cases (B05, B22, B28, B30).
func sampleRecords() []flow.Record {
	var recs []flow.Record
	for _, s := range allShapes() {
		recs = append(recs, shapeRecord(s))
	}
	b05 := baseRecord()
	b05.Key.Proto, b05.Fwd.TCPFlags = 17, 0
	b05.Fwd.Start, b05.Fwd.End = ns(1700000000, 987054321), ns(1700000001, 500)
	future, past := b05, b05
	future.Fwd.Start, future.Fwd.End = ns(4323283200, 250e6), ns(4323283200, 250e6)
	past.Fwd.Start, past.Fwd.End = ns(-82800, 0), ns(-82800, 0)
	recs = append(recs, b05, future, past)
	for _, n := range []int{254, 255, 300, 0} {
		recs = append(recs, withApp(baseRecord(), string(bytes.Repeat([]byte{'h'}, n)), 80))
	}
	return recs
}

// sampleStream encodes sampleRecords with every kind of options record.
func sampleStream(tb testing.TB, max int) *output {
	tb.Helper()
	return encode(tb, testConfig(1, max), func(e *Encoder) error {
		if err := e.DescribeEnterpriseElements(); err != nil {
			return err
		}
		recs := sampleRecords()
		for i := range recs {
			if err := e.Add(&recs[i]); err != nil {
				return err
			}
			if i%25 == 24 {
				if err := e.AddExporterStats(); err != nil {
					return err
				}
			}
		}
		return e.AddAppNames([]flow.App{{Name: "HTTP", ID: 7}, {Name: "Unknown", ID: 0},
			{Name: string(bytes.Repeat([]byte{'n'}, 300)), ID: 80}})
	})
}
