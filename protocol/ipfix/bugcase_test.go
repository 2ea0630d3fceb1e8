package ipfix

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// Bug case B05: nanosecond packet times; the NTP fraction is in units of
// 2^-32 s, not 10^-9 s, and the epoch is 1900.
func TestB05NTPFraction(t *testing.T) {
	tests := []struct {
		name     string
		ns       int64
		sec      uint32
		fraction uint32
	}{
		{name: "packet 1", ns: ns(1700000000, 987054321), sec: 3908988800,
			fraction: 4239366028},
		{name: "packet 2", ns: ns(1700000001, 500), sec: 3908988801, fraction: 2147},
		{name: "B22 1969", ns: ns(-82800, 0), sec: 2208906000, fraction: 0},
		{name: "1900", ns: ns(-ntpUnixOffset, 0), sec: 0, fraction: 0},
		{name: "last of era 0", ns: ns(1<<32-1-ntpUnixOffset, 999999999),
			sec: math.MaxUint32, fraction: 4294967291},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := ntpFromUnixNano(tc.ns)
			if !ok || uint32(v>>32) != tc.sec || uint32(v) != tc.fraction {
				t.Fatalf("ntp(%d) = %d, %d (%v), want %d, %d", tc.ns, v>>32, uint32(v), ok,
					tc.sec, tc.fraction)
			}
			if back := timeFromNTP(v, false).UnixNano(); back != tc.ns {
				t.Errorf("back to %d ns, want %d", back, tc.ns)
			}
		})
	}
	// The same values in an encoded record: flowEndNanoseconds of a record
	// that needs the NTP form.
	r := baseRecord()
	r.Fwd.Start, r.Fwd.End = ns(-1, 0), ns(1700000001, 500)
	out := encode(t, testConfig(1, 0), addAll(r))
	f, _ := DataRecords(decodeStrict(t, out.stream))[0].Field("flowEndNanoseconds")
	if want := []byte{0xe8, 0xfe, 0x6f, 0x81, 0, 0, 0x08, 0x63}; !bytes.Equal(f.Raw, want) {
		t.Errorf("flowEndNanoseconds % x, want % x", f.Raw, want)
	}
	// In the normal form the record carries milliseconds.
	r.Fwd.Start = ns(1700000000, 987054321)
	out = encode(t, testConfig(1, 0), addAll(r))
	v := values(DataRecords(decodeStrict(t, out.stream))[0])
	if v["flowStartMilliseconds"] != uint64(1700000000987) ||
		v["flowEndMilliseconds"] != uint64(1700000001000) {
		t.Errorf("times %v, %v", v["flowStartMilliseconds"], v["flowEndMilliseconds"])
	}
}

// Bug case B22: times far in the future stay 64-bit milliseconds; times
// before 1970 switch to the NTP form and never wrap.
func TestB22FarPastAndFuture(t *testing.T) {
	future := baseRecord()
	future.Fwd.Start, future.Fwd.End = ns(4323283200, 250e6), ns(4323283200, 250e6)
	past := baseRecord()
	past.Key.SrcPort = 40223
	past.Fwd.Start, past.Fwd.End = ns(-82800, 0), ns(-82800, 0)
	out := encode(t, testConfig(1, 0), addAll(future, past))
	recs := DataRecords(decodeStrict(t, out.stream))
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if v := values(recs[0])["flowStartMilliseconds"]; v != uint64(4323283200250) {
		t.Errorf("2107: flowStartMilliseconds %v, want 4323283200250", v)
	}
	f, ok := recs[1].Field("flowStartNanoseconds")
	want := time.Date(1969, 12, 31, 1, 0, 0, 0, time.UTC)
	if !ok || !f.Value.(time.Time).Equal(want) {
		t.Errorf("1969: flowStartNanoseconds %v, want %v", f.Value, want)
	}
	if sec := binary.BigEndian.Uint32(f.Raw); sec != 2208906000 {
		t.Errorf("1969: NTP seconds %d, want 2208906000", sec)
	}
	if _, ok := recs[1].Field("flowStartMilliseconds"); ok {
		t.Error("1969 record written with dateTimeMilliseconds")
	}
}

// Bug case B28: the sequence number counts data records (options records
// included) sent before the message; template-only messages do not
// advance it.
func TestB28SequenceNumbers(t *testing.T) {
	var out output
	e := NewEncoder(testConfig(9, 0), out.emit)
	add := func(n int) {
		t.Helper()
		for i := range n {
			r := baseRecord()
			r.Key.SrcPort = uint16(40280 + i)
			r.Fwd.Packets, r.Fwd.Octets, r.EndReason = 2, 116, flow.EndIdle
			if err := e.Add(&r); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	add(3)
	add(2)
	add(2)
	if err := e.AddExporterStats(); err != nil {
		t.Fatal(err)
	}
	add(1)
	e.ResendTemplates()
	add(0) // nothing pending: no message at all
	add(1)
	msgs := decodeStrict(t, out.stream)
	var got []uint32
	for _, m := range msgs {
		got = append(got, m.Sequence)
	}
	want := []uint32{0, 3, 5, 7, 9}
	if !equal(got, want) {
		t.Errorf("sequence numbers %v, want %v", got, want)
	}
	if s := e.Stats(); s.DataRecords != 10 || s.FlowRecords != 9 {
		t.Errorf("stats %+v", s)
	}

	// A template-only message carries the sequence number of the next one.
	out = output{}
	e = NewEncoder(testConfig(9, headerLen+2*setHeaderLen+4+17*4+20), out.emit)
	r := baseRecord()
	for range 3 {
		if err := e.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, m := range decodeStrict(t, out.stream) {
		got = append(got, m.Sequence)
	}
	if want := []uint32{0, 0, 1, 2}; !equal(got, want) {
		t.Errorf("with a template-only message: sequence numbers %v, want %v", got, want)
	}

	// The count is modulo 2^32.
	out = output{}
	e = NewEncoder(testConfig(9, 0), out.emit)
	e.seq = math.MaxUint32 - 1
	for range 2 {
		for range 2 {
			if err := e.Add(&r); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	msgs = decodeStrict(t, out.stream)
	if msgs[0].Sequence != math.MaxUint32-1 || msgs[1].Sequence != 0 {
		t.Errorf("wrap: %d, %d", msgs[0].Sequence, msgs[1].Sequence)
	}
}

func equal(a, b []uint32) bool {
	return len(a) == len(b) && bytes.Equal(u32bytes(a), u32bytes(b))
}

func u32bytes(s []uint32) []byte {
	var b []byte
	for _, v := range s {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}

// Bug case B30: variable-length values use one length octet below 255 and
// 255 plus a 2-octet length from 255 on; 0 is legal. The options record
// that names the application holds the name in a field of its own length
// (an empty name in a variable-length one).
func TestB30VariableLength(t *testing.T) {
	tests := []struct {
		name   string
		n      int
		prefix []byte
	}{
		{name: "254", n: 254, prefix: []byte{0xfe}},
		{name: "255", n: 255, prefix: []byte{0xff, 0x00, 0xff}},
		{name: "300", n: 300, prefix: []byte{0xff, 0x01, 0x2c}},
		{name: "0", n: 0, prefix: []byte{0x00}},
		{name: "1000", n: 1000, prefix: []byte{0xff, 0x03, 0xe8}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			name := string(bytes.Repeat([]byte{'a'}, tc.n))
			out := encode(t, testConfig(1, 0), func(e *Encoder) error {
				r := withApp(baseRecord(), name, 1)
				if err := e.Add(&r); err != nil {
					return err
				}
				return e.AddAppNames([]flow.App{{Name: name, ID: 1}})
			})
			msgs := decodeStrict(t, out.stream)
			var recs []*Record
			for _, s := range msgs[0].Sets {
				for i := range s.Records {
					recs = append(recs, &s.Records[i])
				}
			}
			if len(recs) != 2 {
				t.Fatalf("%d records, want a flow and an options record", len(recs))
			}
			for _, r := range recs {
				off := r.Offset
				for _, f := range r.Fields[:len(r.Fields)-1] {
					off += int64(len(f.Raw))
				}
				prefix := tc.prefix
				if r.Fields[0].Scope && tc.n > 0 {
					prefix = []byte(name[:min(len(name), 3)])
				}
				got := out.stream[off : off+int64(len(prefix))]
				if !bytes.Equal(got, prefix) {
					t.Errorf("template %d: length prefix % x, want % x", r.TemplateID, got,
						prefix)
				}
				if v := values(r)["applicationName"]; v != name {
					t.Errorf("template %d: applicationName of %d octets", r.TemplateID,
						len(v.(string)))
				}
			}
		})
	}
}

// Bug case B30: times are rounded to the nearest millisecond, so a flow
// whose last packet is at .289999 s ends at 290 ms, not before its packet.
func TestMillisRounding(t *testing.T) {
	tests := []struct {
		name string
		ns   int64
		want uint64
	}{
		{name: "exact", ns: ns(1700000001, 290_000_000), want: 1700000001290},
		{name: "just below", ns: ns(1700000001, 289_999_000), want: 1700000001290},
		{name: "below half", ns: ns(1700000001, 289_499_999), want: 1700000001289},
		{name: "half", ns: ns(1700000001, 289_500_000), want: 1700000001290},
		{name: "epoch", ns: 0, want: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := millisFromUnixNano(tc.ns)
			if !ok || got != tc.want {
				t.Errorf("millis(%d) = %d, %v; want %d", tc.ns, got, ok, tc.want)
			}
		})
	}
	if _, ok := millisFromUnixNano(-1); ok {
		t.Error("a time before 1970 fits dateTimeMilliseconds")
	}
}
