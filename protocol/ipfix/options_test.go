package ipfix

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// optionsRecords returns the options records of msgs.
func optionsRecords(msgs []*Message) []*Record {
	var recs []*Record
	for _, m := range msgs {
		for i := range m.Sets {
			for j := range m.Sets[i].Records {
				if r := &m.Sets[i].Records[j]; r.Options() {
					recs = append(recs, r)
				}
			}
		}
	}
	return recs
}

func TestAppNames(t *testing.T) {
	apps := []flow.App{{Name: "HTTP", ID: 7}, {Name: "Unknown", ID: 0}, {Name: "", ID: 1 << 31}}
	out := encode(t, testConfig(1, 0), func(e *Encoder) error { return e.AddAppNames(apps) })
	recs := optionsRecords(decodeStrict(t, out.stream))
	if len(recs) != len(apps) {
		t.Fatalf("%d options records, want %d", len(recs), len(apps))
	}
	want := [][]kv{
		{{"applicationId", OctetArray{6, 0, 0, 0, 7}}, {"applicationName", "HTTP"}},
		{{"applicationId", OctetArray{6, 0, 0, 0, 0}}, {"applicationName", "Unknown"}},
		{{"applicationId", OctetArray{6, 0x80, 0, 0, 0}}, {"applicationName", ""}},
	}
	for i, r := range recs {
		checkFields(t, r, want[i])
		if r.ScopeCount != 1 || !r.Fields[0].Scope || r.Fields[1].Scope {
			t.Errorf("record %d: scope count %d", i, r.ScopeCount)
		}
	}
}

// Application names travel in fixed-length fields, one options template
// per name length (an empty name in a variable-length one), and names of
// one length share their template, also when sent again.
func TestAppNameTemplates(t *testing.T) {
	apps := []flow.App{{Name: "HTTP", ID: 7}, {Name: "QUIC", ID: 188}, {Name: "DNS", ID: 5},
		{Name: "", ID: 9}}
	out := encode(t, testConfig(1, 0), func(e *Encoder) error {
		if err := e.AddAppNames(apps); err != nil {
			return err
		}
		return e.ResendAll()
	})
	msgs := decodeStrict(t, out.stream)
	lengths := map[uint16]uint16{} // template id: applicationName length
	for _, m := range msgs {
		for _, s := range m.Sets {
			for _, tm := range s.OptionsTemplates {
				if len(tm.Fields) == 2 && tm.Fields[1].IE == ieAppName {
					lengths[tm.ID] = tm.Fields[1].Length
				}
			}
		}
	}
	want := map[string]uint16{"HTTP": 4, "QUIC": 4, "DNS": 3, "": VariableLength}
	recs := optionsRecords(msgs)
	if len(recs) != 2*len(apps) {
		t.Fatalf("%d options records, want %d", len(recs), 2*len(apps))
	}
	for _, r := range recs {
		name := values(r)["applicationName"].(string)
		if got := lengths[r.TemplateID]; got != want[name] {
			t.Errorf("%q in template %d, a field of length %d, want %d", name, r.TemplateID,
				got, want[name])
		}
	}
	if len(lengths) != 3 {
		t.Errorf("%d application name templates, want 3: %v", len(lengths), lengths)
	}
}

func TestExporterStats(t *testing.T) {
	var out output
	e := NewEncoder(testConfig(5, 0), out.emit)
	r := baseRecord()
	for range 2 {
		if err := e.Add(&r); err != nil {
			t.Fatal(err)
		}
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	octets := uint64(len(out.stream))
	if err := e.AddExporterStats(); err != nil {
		t.Fatal(err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	recs := optionsRecords(decodeStrict(t, out.stream))
	if len(recs) != 1 {
		t.Fatalf("%d options records", len(recs))
	}
	checkFields(t, recs[0], []kv{{"observationDomainId", uint64(5)},
		{"exportedMessageTotalCount", uint64(2)}, {"exportedFlowRecordTotalCount", uint64(2)},
		{"exportedOctetTotalCount", octets}})
}

func TestElementTypes(t *testing.T) {
	host := Element{IE: IE{Enterprise: 32473, ID: 1}, Name: "exampleHost", Type: TypeString}
	count := Element{IE: IE{Enterprise: 32473, ID: 2}, Name: "exampleCount",
		Type: TypeUnsigned32, Semantics: SemanticsTotalCounter, Units: UnitsPackets}
	scope := []FieldSpec{{host.IE, VariableLength}}
	fields := []FieldSpec{{count.IE, 4}, {IE{Enterprise: 32473, ID: 3}, 2}}
	tests := []struct {
		name     string
		describe bool
		want     []kv
	}{
		{name: "described", describe: true, want: []kv{{"exampleHost", "www.example.com"},
			{"exampleCount", uint64(70000)}, {"e32473id3", OctetArray{0, 9}}}},
		{name: "not described", want: []kv{{"e32473id1", OctetArray("www.example.com")},
			{"e32473id2", OctetArray{0, 1, 0x11, 0x70}}, {"e32473id3", OctetArray{0, 9}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := encode(t, testConfig(1, 0), func(e *Encoder) error {
				if tc.describe {
					if err := e.AddElementTypes(host, count); err != nil {
						return err
					}
				}
				id, err := e.DeclareOptionsTemplate(scope, fields)
				if err != nil {
					return err
				}
				return e.AddOptionsRecord(id, "www.example.com", uint32(70000), 9)
			})
			recs := optionsRecords(decodeStrict(t, out.stream))
			checkFields(t, recs[len(recs)-1], tc.want)
		})
	}
}

func TestDescribeEnterpriseElements(t *testing.T) {
	out := encode(t, testConfig(1, 0), func(e *Encoder) error {
		r := biflow(baseRecord())
		if err := e.Add(&r); err != nil { // template before the call
			return err
		}
		if err := e.DescribeEnterpriseElements(); err != nil {
			return err
		}
		r.Fwd.Start = -1 // a new template after the call: NTP reverse times
		return e.Add(&r)
	})
	var got []string
	for _, r := range optionsRecords(decodeStrict(t, out.stream)) {
		got = append(got, values(r)["informationElementName"].(string))
	}
	want := []string{"reverseOctetDeltaCount", "reversePacketDeltaCount",
		"reverseTcpControlBits", "reverseFlowStartMilliseconds", "reverseFlowEndMilliseconds",
		"reverseFlowStartNanoseconds", "reverseFlowEndNanoseconds"}
	if len(got) != len(want) {
		t.Fatalf("described %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("described %v, want %v", got, want)
			break
		}
	}
}

func TestOptionsValues(t *testing.T) {
	ie := func(id uint16) IE { return IE{ID: id} }
	fields := []FieldSpec{{ie(144), 4}, // exportingProcessId: scope
		{ie(34), 2},               // samplingInterval, reduced to 2
		{ie(434), 1},              // mibObjectValueInteger (signed32), reduced
		{ie(320), 4},              // absoluteError (float64), reduced
		{ie(321), 8},              // relativeError (float64)
		{ie(276), 1},              // dataRecordsReliability (boolean)
		{ie(130), 4},              // exporterIPv4Address
		{ie(131), 16},             // exporterIPv6Address
		{ie(56), 6},               // sourceMacAddress
		{ie(94), VariableLength},  // applicationDescription
		{ie(313), VariableLength}} // ipHeaderPacketSection (octetArray)
	out := encode(t, testConfig(1, 0), func(e *Encoder) error {
		id, err := e.DeclareOptionsTemplate(fields[:1], fields[1:])
		if err != nil {
			return err
		}
		return e.AddOptionsRecord(id, uint32(9), 1000, int8(-3), float32(0.5), 0.25, false,
			addr4a, addr6a, []byte{2, 0, 0, 0, 0, 1}, "", []byte{1, 2, 3})
	})
	r := optionsRecords(decodeStrict(t, out.stream))[0]
	want := []any{uint64(9), uint64(1000), int64(-3), 0.5, 0.25, false, addr4a, addr6a,
		MACAddress{2, 0, 0, 0, 0, 1}, "", OctetArray{1, 2, 3}}
	for i, w := range want {
		if f := r.Fields[i]; !reflect.DeepEqual(f.Value, w) {
			t.Errorf("%s = %v (%T), want %v (%T)", f.Name, f.Value, f.Value, w, w)
		}
	}
}

func TestOptionsErrors(t *testing.T) {
	scope := []FieldSpec{{IE{ID: 144}, 4}}
	fields := []FieldSpec{{IE{ID: 34}, 2}, {IE{ID: 82}, 3}, {IE{ID: 94}, VariableLength}}
	tests := []struct {
		name   string
		id     uint16 // 0: the declared template
		values []any
		want   error
	}{
		{name: "too few values", values: []any{1, 2, "abc"}, want: ErrValue},
		{name: "integer too big", values: []any{1, 70000, "abc", "x"}, want: ErrValue},
		{name: "negative too small", values: []any{-1 << 40, 1, "abc", "x"}, want: ErrValue},
		{name: "string of the wrong length", values: []any{1, 2, "ab", "x"}, want: ErrValue},
		{name: "integer in a variable field", values: []any{1, 2, "abc", 4}, want: ErrValue},
		{name: "unsupported type", values: []any{1, 2, "abc", struct{}{}}, want: ErrValue},
		{name: "address in a 4-octet field", values: []any{addr6a, 2, "abc", "x"},
			want: ErrValue},
		{name: "too long for a message", values: []any{1, 2, "abc", string(make([]byte,
			math.MaxUint16))}, want: ErrTooLarge},
		{name: "longer than 65535", values: []any{1, 2, "abc", string(make([]byte,
			math.MaxUint16+1))}, want: ErrValue},
		{name: "not an options template", id: 256, values: []any{1}, want: ErrTemplate},
		{name: "unknown template", id: 999, values: []any{1}, want: ErrTemplate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out output
			e := NewEncoder(testConfig(1, 0), out.emit)
			r := baseRecord()
			if err := e.Add(&r); err != nil { // template 256
				t.Fatal(err)
			}
			id, err := e.DeclareOptionsTemplate(scope, fields)
			if err != nil {
				t.Fatal(err)
			}
			if tc.id != 0 {
				id = tc.id
			}
			if err := e.AddOptionsRecord(id, tc.values...); !errors.Is(err, tc.want) {
				t.Errorf("AddOptionsRecord: %v, want %v", err, tc.want)
			}
		})
	}
	var out output
	e := NewEncoder(testConfig(1, 0), out.emit)
	if _, err := e.DeclareOptionsTemplate(nil, fields); !errors.Is(err, ErrTemplate) {
		t.Errorf("no scope: %v", err)
	}
	if _, err := e.DeclareOptionsTemplate(scope, []FieldSpec{{IE{ID: 1}, 0}}); !errors.Is(err,
		ErrTemplate) {
		t.Errorf("zero length field: %v", err)
	}
}
