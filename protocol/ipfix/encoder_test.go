package ipfix

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// kv is one expected field of a decoded record.
type kv struct {
	name  string
	value any
}

// checkFields compares a record's fields, in order, with want.
func checkFields(tb testing.TB, r *Record, want []kv) {
	tb.Helper()
	if len(r.Fields) != len(want) {
		tb.Errorf("%d fields %v, want %d", len(r.Fields), names(r), len(want))
	}
	for i := range min(len(r.Fields), len(want)) {
		f, w := r.Fields[i], want[i]
		same := reflect.DeepEqual(f.Value, w.value)
		if ft, ok := f.Value.(time.Time); ok {
			wt, ok := w.value.(time.Time)
			same = ok && ft.Equal(wt)
		}
		if f.Name != w.name || !same {
			tb.Errorf("field %d: %s = %v (%T), want %s = %v (%T)",
				i, f.Name, f.Value, f.Value, w.name, w.value, w.value)
		}
	}
}

var (
	addr4a, addr4b = netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("198.51.100.20")
	addr6a, addr6b = netip.MustParseAddr("2001:db8::10"), netip.MustParseAddr("2001:db8::20")
)

// head returns the expected fields every template starts with.
func head(src, dst netip.Addr, proto, flags uint64) []kv {
	s, d := "sourceIPv4Address", "destinationIPv4Address"
	if src.Is6() {
		s, d = "sourceIPv6Address", "destinationIPv6Address"
	}
	return []kv{{s, src}, {d, dst}, {"sourceTransportPort", uint64(40221)},
		{"destinationTransportPort", uint64(80)}, {"protocolIdentifier", proto},
		{"tcpControlBits", flags}, {"ipClassOfService", uint64(0x28)},
		{"minimumTTL", uint64(60)}, {"maximumTTL", uint64(64)},
		{"octetDeltaCount", uint64(316)}, {"packetDeltaCount", uint64(6)}}
}

func TestRoundTripExact(t *testing.T) {
	icmp := baseRecord()
	icmp.Key.Proto, icmp.Key.SrcPort, icmp.Key.DstPort = 1, 40221, 80 // type 0, code 80
	icmp6 := v6(icmp)
	icmp6.Key.Proto = 58
	full := withApp(biflow(v6(baseRecord())), "HTTP", 7)
	full.InnerVLAN, full.MPLSTop = 200, 16<<4|1
	noRev := biflow(baseRecord())
	noRev.Rev = flow.Counters{}
	pre1970 := baseRecord()
	pre1970.Fwd.Start, pre1970.Fwd.End = ns(-82800, 0), ns(-82800, 250e6)
	tail := []kv{{"flowEndReason", uint64(3)}, {"vlanId", uint64(100)},
		{"ingressInterface", uint64(3)}}
	millis := []kv{{"flowStartMilliseconds", uint64(1234567890000)},
		{"flowEndMilliseconds", uint64(1234567890090)}}
	tests := []struct {
		name string
		rec  flow.Record
		want []kv
	}{
		{name: "uniflow IPv4", rec: baseRecord(), want: slices.Concat(
			head(addr4a, addr4b, 6, 0x1b), millis, tail,
			[]kv{{"icmpTypeCodeIPv4", uint64(0)}})},
		{name: "ICMP", rec: icmp, want: slices.Concat(
			head(addr4a, addr4b, 1, 0x1b), millis, tail,
			[]kv{{"icmpTypeCodeIPv4", uint64(80)}})},
		{name: "ICMPv6", rec: icmp6, want: slices.Concat(
			head(addr6a, addr6b, 58, 0x1b), millis, tail,
			[]kv{{"icmpTypeCodeIPv6", uint64(80)}})},
		{name: "biflow IPv6 DPI QinQ MPLS", rec: full, want: slices.Concat(
			head(addr6a, addr6b, 6, 0x1b), millis, tail,
			[]kv{{"icmpTypeCodeIPv6", uint64(0)}, {"dot1qCustomerVlanId", uint64(200)},
				{"mplsTopLabelStackSection", OctetArray{0x00, 0x01, 0x01}},
				{"reverseOctetDeltaCount", uint64(229)}, {"reversePacketDeltaCount", uint64(4)},
				{"reverseTcpControlBits", uint64(0x12)},
				{"reverseFlowStartMilliseconds", uint64(1234567890010)},
				{"reverseFlowEndMilliseconds", uint64(1234567890080)},
				{"applicationId", OctetArray{6, 0, 0, 0, 7}}, {"applicationName", "HTTP"}})},
		{name: "biflow without reverse packets", rec: noRev, want: slices.Concat(
			head(addr4a, addr4b, 6, 0x1b), millis, tail,
			[]kv{{"icmpTypeCodeIPv4", uint64(0)}, {"reverseOctetDeltaCount", uint64(0)},
				{"reversePacketDeltaCount", uint64(0)}, {"reverseTcpControlBits", uint64(0)},
				{"reverseFlowStartMilliseconds", uint64(0)},
				{"reverseFlowEndMilliseconds", uint64(0)}})},
		{name: "before 1970", rec: pre1970, want: slices.Concat(
			head(addr4a, addr4b, 6, 0x1b),
			[]kv{{"flowStartNanoseconds", time.Date(1969, 12, 31, 1, 0, 0, 0, time.UTC)},
				{"flowEndNanoseconds", time.Date(1969, 12, 31, 1, 0, 0, 250e6, time.UTC)}},
			tail, []kv{{"icmpTypeCodeIPv4", uint64(0)}})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := encode(t, testConfig(1, 0), addAll(tc.rec))
			recs := DataRecords(decodeStrict(t, out.stream))
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			checkFields(t, recs[0], tc.want)
		})
	}
}

// shapeRecord builds a record of shape s.
func shapeRecord(s shape) flow.Record {
	r := baseRecord()
	if s&shapeIPv6 != 0 {
		r = v6(r)
	}
	if s&shapeBiflow != 0 {
		r = biflow(r)
	}
	if s&shapeDPI != 0 {
		r = withApp(r, fmt.Sprintf("app%d", s), uint32(s))
		r.App.Meta = groupMeta(s.group())
	}
	if s&shapeNTP != 0 {
		r.Fwd.Start = ns(-1, 5)
	}
	if s&shapeQinQ != 0 {
		r.InnerVLAN = 4094
	}
	if s&shapeMPLS != 0 {
		r.MPLSTop = 2002<<4 | 1
	}
	r.Interface = uint32(s)
	return r
}

func TestAllShapes(t *testing.T) {
	var recs []flow.Record
	shapes := allShapes()
	for _, s := range shapes {
		recs = append(recs, shapeRecord(s))
	}
	out := encode(t, testConfig(1, 1400), addAll(recs...))
	msgs := decodeStrict(t, out.stream)
	got := DataRecords(msgs)
	if len(got) != len(shapes) {
		t.Fatalf("%d records, want %d", len(got), len(shapes))
	}
	for i, r := range got {
		s := shapes[i]
		t.Run(fmt.Sprintf("shape%03x", s), func(t *testing.T) {
			if want := uint16(minDataSetID + i); r.TemplateID != want {
				t.Errorf("template %d, want %d (ids in order of first use)", r.TemplateID, want)
			}
			want := 17
			for _, bit := range []struct {
				s shape
				n int
			}{{shapeBiflow, 5}, {shapeDPI, 2}, {shapeQinQ, 1}, {shapeMPLS, 1}} {
				if s&bit.s != 0 {
					want += bit.n
				}
			}
			want += len(groupFields[s.group()])
			if len(r.Fields) != want {
				t.Errorf("%d fields, want %d: %v", len(r.Fields), want, names(r))
			}
			v := values(r)
			if v["ingressInterface"] != uint64(s) {
				t.Errorf("ingressInterface %v, want %d", v["ingressInterface"], s)
			}
			_, hasNTP := v["flowStartNanoseconds"]
			_, hasApp := v["applicationName"]
			_, hasRev := v["reverseOctetDeltaCount"]
			if hasNTP != (s&shapeNTP != 0) || hasApp != (s&shapeDPI != 0) ||
				hasRev != (s&shapeBiflow != 0) {
				t.Errorf("fields %v do not match shape %06b", names(r), s)
			}
			if hasApp && v["applicationName"] != fmt.Sprintf("app%d", s) {
				t.Errorf("applicationName %v", v["applicationName"])
			}
			if hasApp {
				checkGroup(t, s.group(), v)
			}
		})
	}
	for i, m := range msgs {
		if len(out.msgs[i]) > 1400 {
			t.Errorf("message %d has %d octets, over 1400", i, len(out.msgs[i]))
		}
		_ = m
	}
}

func TestTemplateBeforeData(t *testing.T) {
	var recs []flow.Record
	for i := range 200 {
		shapes := allShapes()
		recs = append(recs, shapeRecord(shapes[i*7%len(shapes)]))
	}
	for _, max := range []int{0, 1400, 300} {
		t.Run(fmt.Sprint("max", max), func(t *testing.T) {
			out := encode(t, testConfig(1, max), addAll(recs...))
			seen := map[uint16]bool{}
			announced := map[uint16]int{}
			for _, m := range decodeStrict(t, out.stream) {
				for _, s := range m.Sets {
					for _, tm := range s.Templates {
						announced[tm.ID]++
						seen[tm.ID] = true
					}
					if s.ID >= minDataSetID && !seen[s.ID] {
						t.Errorf("data set %d before its template", s.ID)
					}
				}
			}
			for id, n := range announced {
				if n != 1 {
					t.Errorf("template %d written %d times, want once", id, n)
				}
			}
			if got := len(DataRecords(decodeStrict(t, out.stream))); got != len(recs) {
				t.Errorf("%d records, want %d", got, len(recs))
			}
		})
	}
}

func TestMessageSizeLimit(t *testing.T) {
	recs := make([]flow.Record, 500)
	for i := range recs {
		recs[i] = withApp(biflow(v6(baseRecord())), string(make([]byte, i%300)), 1)
		recs[i].Key.SrcPort = uint16(i)
	}
	for _, max := range []int{0, 65535, 1400, 576, 1 << 20, -1} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			out := encode(t, testConfig(1, max), addAll(recs...))
			limit := max
			if max <= 0 || max > 65535 {
				limit = 65535
			}
			for i, m := range out.msgs {
				if len(m) > limit {
					t.Errorf("message %d: %d octets, limit %d", i, len(m), limit)
				}
			}
			got := DataRecords(decodeStrict(t, out.stream))
			if len(got) != len(recs) {
				t.Fatalf("%d records, want %d", len(got), len(recs))
			}
			for i, r := range got {
				if v := values(r)["sourceTransportPort"]; v != uint64(i) {
					t.Fatalf("record %d has port %v: order lost", i, v)
				}
			}
		})
	}
}

func TestAddErrors(t *testing.T) {
	mixed := baseRecord()
	mixed.Key.Dst = addr6b
	noAddr := baseRecord()
	noAddr.Key.Src = netip.Addr{}
	pre1900 := baseRecord()
	pre1900.Fwd.Start = ns(-ntpUnixOffset-1, 0)
	after2036 := baseRecord()
	after2036.Fwd.Start, after2036.Fwd.End = -1, ns(1<<32-ntpUnixOffset, 0)
	revPre1900 := biflow(baseRecord())
	revPre1900.Rev.Start = ns(-ntpUnixOffset-1, 0)
	huge := withApp(baseRecord(), string(make([]byte, 2000)), 1)
	tests := []struct {
		name string
		rec  flow.Record
		max  int
		want error
	}{
		{name: "mixed families", rec: mixed, want: ErrRecord},
		{name: "no address", rec: noAddr, want: ErrRecord},
		{name: "before 1900", rec: pre1900, want: ErrRecord},
		{name: "NTP form after 2036", rec: after2036, want: ErrRecord},
		{name: "reverse before 1900", rec: revPre1900, want: ErrRecord},
		{name: "name longer than a message", rec: huge, max: 1400, want: ErrTooLarge},
		{name: "template larger than a message", rec: baseRecord(), max: 60, want: ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out output
			e := NewEncoder(testConfig(1, tc.max), out.emit)
			if err := e.Add(&tc.rec); !errors.Is(err, tc.want) {
				t.Fatalf("Add: %v, want %v", err, tc.want)
			}
			if err := e.Flush(); err != nil || len(out.msgs) != 0 {
				t.Errorf("flush after a refused record: %v, %d messages", err, len(out.msgs))
			}
		})
	}
}

func TestExportTimeAndDomain(t *testing.T) {
	out := encode(t, testConfig(77, 0), addAll(baseRecord()))
	m := decodeStrict(t, out.stream)[0]
	if m.ExportTime != uint32(exportTime.Unix()) || m.Domain != 77 || m.Version != 10 {
		t.Errorf("header: export time %d, domain %d, version %d", m.ExportTime, m.Domain,
			m.Version)
	}
	if int(m.Length) != len(out.stream) {
		t.Errorf("length %d, message has %d octets", m.Length, len(out.stream))
	}
}

func TestStats(t *testing.T) {
	var out output
	e := NewEncoder(testConfig(1, 0), out.emit)
	for range 3 {
		r := baseRecord()
		if err := e.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	if s := e.Stats(); s != (EncoderStats{}) {
		t.Errorf("stats before a flush: %+v, want zero (nothing emitted)", s)
	}
	if err := e.AddAppNames([]flow.App{{Name: "DNS", ID: 5}}); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	want := EncoderStats{Messages: 1, DataRecords: 4, FlowRecords: 3,
		Octets: uint64(len(out.stream))}
	if s := e.Stats(); s != want {
		t.Errorf("stats %+v, want %+v", s, want)
	}
}

func TestResendTemplates(t *testing.T) {
	var out output
	e := NewEncoder(testConfig(1, 0), out.emit)
	add := func(r flow.Record) {
		t.Helper()
		if err := e.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	add(baseRecord())
	add(v6(baseRecord()))
	if err := e.AddAppNames([]flow.App{{Name: "DNS", ID: 5}}); err != nil {
		t.Fatal(err)
	}
	e.ResendTemplates() // with records pending: applies to the next message
	add(baseRecord())
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	add(baseRecord())
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	e.ResendTemplates() // nothing pending: the next message starts with them
	add(v6(baseRecord()))
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	msgs := decodeStrict(t, out.stream)
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	for i, wantFirst := range []bool{false, true, true} {
		m := msgs[i]
		first := len(m.Sets) >= 3 && len(m.Sets[0].Templates) == 2 &&
			len(m.Sets[1].OptionsTemplates) == 1
		if first != wantFirst {
			t.Errorf("message %d starts with every template: %v, want %v", i, first, wantFirst)
		}
	}
}

func TestResendWithNewTemplate(t *testing.T) {
	// ResendTemplates while a message is pending, then a record of a new
	// template that does not fit in it: every template, the new one
	// included, is written once in the next message.
	var out output
	e := NewEncoder(testConfig(1, 300), out.emit)
	r := baseRecord()
	for range 2 {
		if err := e.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	e.ResendTemplates()
	r6 := v6(baseRecord())
	if err := e.Add(&r6); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	msgs := decodeStrict(t, out.stream)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	last := msgs[1]
	var ids []uint16
	for _, s := range last.Sets {
		for _, tm := range s.Templates {
			ids = append(ids, tm.ID)
		}
	}
	if len(ids) != 2 || ids[0] != 256 || ids[1] != 257 {
		t.Errorf("last message carries templates %v, want [256 257]", ids)
	}
}

func TestEmitError(t *testing.T) {
	var out output
	fail := true
	e := NewEncoder(testConfig(1, 0), func(msg []byte) error {
		if fail {
			return errors.New("disk full")
		}
		return out.emit(msg)
	})
	r := baseRecord()
	if err := e.Add(&r); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(); err == nil {
		t.Fatal("Flush hid the emit error")
	}
	fail = false
	if err := e.Add(&r); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	// The lost message carried the template: it must come again, and the
	// lost record must not count in the sequence number.
	m := decodeStrict(t, out.stream)[0]
	if len(m.Sets) != 2 || len(m.Sets[0].Templates) != 1 || m.Sequence != 0 {
		t.Errorf("after a failed emit: %d sets, sequence %d", len(m.Sets), m.Sequence)
	}
	if s := e.Stats(); s.Messages != 1 || s.FlowRecords != 1 {
		t.Errorf("stats count the lost message: %+v", s)
	}
}
