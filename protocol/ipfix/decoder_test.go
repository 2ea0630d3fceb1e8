package ipfix

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Builders of hand-made messages.

func be16(v ...uint16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint16(b, x)
	}
	return b
}

func be32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// set returns a set with its header.
func set(id uint16, parts ...[]byte) []byte {
	body := bytes.Join(parts, nil)
	return append(be16(id, uint16(setHeaderLen+len(body))), body...)
}

// msg returns a message of the given sets.
func msg(domain, seq uint32, sets ...[]byte) []byte {
	body := bytes.Join(sets, nil)
	b := be16(version, uint16(headerLen+len(body)))
	b = append(b, be32(1700000000)...)
	b = append(b, be32(seq)...)
	b = append(b, be32(domain)...)
	return append(b, body...)
}

// tmpl4 is template 300: sourceIPv4Address (4) and applicationName
// (variable): shortest record 5 octets.
var tmpl4 = set(setTemplates, be16(300, 2, 8, 4, 96, VariableLength))

// rec4 is a record of tmpl4.
func rec4(name string) []byte {
	return append([]byte{192, 0, 2, 1, byte(len(name))}, name...)
}

func TestDecodeErrors(t *testing.T) {
	good := msg(1, 0, tmpl4)
	withLen := func(m []byte, n uint16) []byte {
		m = bytes.Clone(m)
		binary.BigEndian.PutUint16(m[2:], n)
		return m
	}
	tests := []struct {
		name   string
		msg    []byte
		want   error
		offset int64
	}{
		{name: "short header", msg: good[:10], want: ErrTruncated},
		{name: "version 9", msg: append(be16(9), good[2:]...), want: ErrVersion},
		{name: "length below 16", msg: withLen(good, 12), want: ErrLength},
		{name: "length past the end", msg: withLen(good, uint16(len(good)+1)), want: ErrTruncated},
		{name: "trailing octets", msg: append(bytes.Clone(good), 0), want: ErrLength},
		{name: "set length 2", msg: msg(1, 0, be16(300, 2)), want: ErrSetLength, offset: 16},
		{name: "set past the message", msg: msg(1, 0, tmpl4, be16(300, 40), rec4("a")),
			want: ErrSetLength, offset: 16 + int64(len(tmpl4))},
		{name: "octets after the last set", msg: msg(1, 0, tmpl4, []byte{0, 0, 0}),
			want: ErrSetLength, offset: 16 + int64(len(tmpl4))},
		{name: "set id 1", msg: msg(1, 0, set(1, be16(0, 0))), want: ErrSetID, offset: 16},
		{name: "set id 100", msg: msg(1, 0, set(100, be16(0, 0))), want: ErrSetID, offset: 16},
		{name: "template id 255", msg: msg(1, 0, set(2, be16(255, 1, 8, 4))),
			want: ErrTemplate, offset: 20},
		{name: "fields past the set", msg: msg(1, 0, set(2, be16(300, 3, 8, 4, 12, 4))),
			want: ErrTruncated, offset: 20},
		{name: "enterprise number cut", msg: msg(1, 0, set(2, be16(300, 1, 0x8001, 4))),
			want: ErrTruncated, offset: 20},
		{name: "field of length 0", msg: msg(1, 0, set(2, be16(300, 2, 8, 0, 96, 0xffff))),
			want: ErrTemplate, offset: 20},
		{name: "options scope 0", msg: msg(1, 0, set(3, be16(300, 1, 0, 149, 4))),
			want: ErrTemplate, offset: 20},
		{name: "options scope past count", msg: msg(1, 0, set(3, be16(300, 1, 2, 149, 4))),
			want: ErrTemplate, offset: 20},
		{name: "options header cut", msg: msg(1, 0, set(3, be16(300, 1))),
			want: ErrTruncated, offset: 20},
		{name: "value past the set", msg: msg(1, 0, tmpl4,
			set(300, rec4("ab"), []byte{192, 0, 2, 1, 9, 'x'})),
			want: ErrTruncated, offset: 16 + int64(len(tmpl4)) + 4 + 7},
		{name: "3-octet length cut", msg: msg(1, 0, tmpl4,
			set(300, []byte{192, 0, 2, 1, 255, 0})),
			want: ErrTruncated, offset: 16 + int64(len(tmpl4)) + 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewDecoder().Decode(tc.msg)
			var de *DecodeError
			if !errors.Is(err, tc.want) || !errors.As(err, &de) {
				t.Fatalf("Decode: %v, want %v", err, tc.want)
			}
			if de.Offset != tc.offset {
				t.Errorf("offset %d, want %d (%v)", de.Offset, tc.offset, err)
			}
		})
	}
}

func TestDecodeWarnings(t *testing.T) {
	redefined := set(setTemplates, be16(300, 1, 8, 4))
	tests := []struct {
		name string
		msgs [][]byte
		want string // in the only warning; "" for none
	}{
		{name: "data without template", msgs: [][]byte{msg(1, 0, set(300, rec4("a")))},
			want: "no template 300 in domain 1"},
		{name: "template of another domain",
			msgs: [][]byte{msg(1, 0, tmpl4), msg(2, 0, set(300, rec4("a")))},
			want: "no template 300 in domain 2"},
		{name: "sequence jump", msgs: [][]byte{msg(1, 0, tmpl4, set(300, rec4("a"))),
			msg(1, 5, set(300, rec4("b")))}, want: "sequence number 5, expected 1"},
		{name: "message counted instead of records",
			msgs: [][]byte{msg(1, 0, tmpl4, set(300, rec4("a"), rec4("b"))),
				msg(1, 1, set(300, rec4("c")))}, want: "expected 2"},
		{name: "padding not zero", msgs: [][]byte{msg(1, 0, tmpl4,
			set(300, rec4("a"), []byte{0, 1}))}, want: "padding are not zero"},
		{name: "redefinition", msgs: [][]byte{msg(1, 0, tmpl4, redefined)},
			want: "template 300 redefined"},
		{name: "address of 5 octets", msgs: [][]byte{msg(1, 0, set(2, be16(300, 1, 8, 5)))},
			want: "sourceIPv4Address (8) length 5"},
		{name: "unsigned8 of 2 octets", msgs: [][]byte{msg(1, 0, set(2, be16(300, 1, 4, 2)))},
			want: "protocolIdentifier (4) length 2"},
		{name: "withdrawal of an unknown template",
			msgs: [][]byte{msg(1, 0, set(2, be16(301, 0)))}, want: "not in use"},
		{name: "empty template set", msgs: [][]byte{msg(1, 0, set(2))},
			want: "empty template set"},
		// Legal streams.
		{name: "zero padding", msgs: [][]byte{msg(1, 0, tmpl4,
			set(300, rec4("a"), []byte{0, 0, 0, 0}))}},
		{name: "3-octet length of a short value", msgs: [][]byte{msg(1, 0, tmpl4,
			set(300, []byte{192, 0, 2, 1, 255, 0, 2, 'a', 'b'}))}},
		{name: "empty value", msgs: [][]byte{msg(1, 0, tmpl4, set(300, rec4("")))}},
		{name: "withdrawal and redefinition", msgs: [][]byte{msg(1, 0, tmpl4),
			msg(1, 0, set(2, be16(300, 0)), redefined, set(300, []byte{1, 2, 3, 4}))}},
		{name: "withdrawal of all", msgs: [][]byte{msg(1, 0, tmpl4),
			msg(1, 0, set(2, be16(2, 0)), redefined)}},
		{name: "template-only message", msgs: [][]byte{msg(1, 0, tmpl4),
			msg(1, 0, set(300, rec4("a"))), msg(1, 1, tmpl4), msg(1, 1, set(300, rec4("b")))}},
		{name: "domains count apart", msgs: [][]byte{msg(1, 0, tmpl4, set(300, rec4("a"))),
			msg(2, 7, tmpl4, set(300, rec4("a"))), msg(1, 1, set(300, rec4("b"))),
			msg(2, 8, set(300, rec4("b")))}},
		{name: "first sequence number is free", msgs: [][]byte{msg(1, 1234, tmpl4)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msgs, err := ReadAll(bytes.NewReader(bytes.Join(tc.msgs, nil)))
			if err != nil {
				t.Fatal(err)
			}
			var warnings []string
			for _, m := range msgs {
				for _, w := range m.Warnings {
					warnings = append(warnings, w.String())
				}
			}
			switch {
			case tc.want == "" && len(warnings) > 0:
				t.Errorf("warnings %q on a legal stream", warnings)
			case tc.want != "" && (len(warnings) != 1 || !strings.Contains(warnings[0], tc.want)):
				t.Errorf("warnings %q, want one with %q", warnings, tc.want)
			}
		})
	}
}

func TestDecodeRecordValues(t *testing.T) {
	m := msg(1, 0, tmpl4, set(300, rec4("a"), []byte{198, 51, 100, 1, 255, 0, 2, 'b', 'c'},
		rec4(""), []byte{0, 0, 0, 0}))
	got, err := NewDecoder().Decode(m)
	if err != nil {
		t.Fatal(err)
	}
	recs := got.Sets[1].Records
	if len(recs) != 3 {
		t.Fatalf("%d records, want 3 (padding is not a record)", len(recs))
	}
	for i, want := range []string{"a", "bc", ""} {
		if v := values(&recs[i])["applicationName"]; v != want {
			t.Errorf("record %d: %q, want %q", i, v, want)
		}
	}
	if recs[1].Offset != 16+int64(len(tmpl4))+4+6 {
		t.Errorf("record offset %d", recs[1].Offset)
	}
}

func TestDecodeValue(t *testing.T) {
	tests := []struct {
		name string
		typ  DataType
		raw  []byte
		want any
	}{
		{name: "unsigned64 reduced to 3", typ: TypeUnsigned64, raw: []byte{1, 2, 3},
			want: uint64(0x010203)},
		{name: "unsigned16", typ: TypeUnsigned16, raw: []byte{0xff, 0xfe}, want: uint64(65534)},
		{name: "unsigned16 too long", typ: TypeUnsigned16, raw: []byte{0, 0, 1},
			want: OctetArray{0, 0, 1}},
		{name: "signed32 reduced to 1", typ: TypeSigned32, raw: []byte{0xfd}, want: int64(-3)},
		{name: "signed64", typ: TypeSigned64, raw: be64(math.MaxUint64), want: int64(-1)},
		{name: "signed16 positive", typ: TypeSigned16, raw: []byte{0x7f, 0xff},
			want: int64(32767)},
		{name: "float32", typ: TypeFloat32, raw: be32(math.Float32bits(1.5)), want: 1.5},
		{name: "float64 reduced", typ: TypeFloat64, raw: be32(math.Float32bits(-2)),
			want: -2.0},
		{name: "float64", typ: TypeFloat64, raw: be64(math.Float64bits(0.1)), want: 0.1},
		{name: "true", typ: TypeBoolean, raw: []byte{1}, want: true},
		{name: "false", typ: TypeBoolean, raw: []byte{2}, want: false},
		{name: "boolean 0", typ: TypeBoolean, raw: []byte{0}, want: OctetArray{0}},
		{name: "mac", typ: TypeMACAddress, raw: []byte{0, 0x1b, 0x21, 1, 2, 3},
			want: MACAddress{0, 0x1b, 0x21, 1, 2, 3}},
		{name: "string", typ: TypeString, raw: []byte("héllo"), want: "héllo"},
		{name: "seconds", typ: TypeDateTimeSeconds, raw: be32(1234567890),
			want: uint64(1234567890)},
		{name: "milliseconds", typ: TypeDateTimeMilliseconds, raw: be64(4323283200250),
			want: uint64(4323283200250)},
		{name: "nanoseconds", typ: TypeDateTimeNanoseconds,
			raw:  be64(3908988800<<32 | 4239366028),
			want: time.Date(2023, 11, 14, 22, 13, 20, 987054321, time.UTC)},
		{name: "microseconds ignore 11 bits", typ: TypeDateTimeMicroseconds,
			raw:  be64(3908988800<<32 | 4239366028 | 0x7ff),
			want: time.Date(2023, 11, 14, 22, 13, 20, 987054000, time.UTC)},
		{name: "ipv4", typ: TypeIPv4Address, raw: []byte{192, 0, 2, 1},
			want: netip.MustParseAddr("192.0.2.1")},
		{name: "ipv6", typ: TypeIPv6Address, raw: addr6a.AsSlice(), want: addr6a},
		{name: "ipv4 of 3 octets", typ: TypeIPv4Address, raw: []byte{1, 2, 3},
			want: OctetArray{1, 2, 3}},
		{name: "basicList", typ: TypeBasicList, raw: []byte{3, 0, 1}, want: OctetArray{3, 0, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeValue(tc.typ, true, tc.raw)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("decodeValue = %v (%T), want %v (%T)", got, got, tc.want, tc.want)
			}
		})
	}
	if got := decodeValue(TypeUnsigned8, false, []byte{1}); !reflect.DeepEqual(got,
		OctetArray{1}) {
		t.Errorf("unknown element: %v (%T)", got, got)
	}
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func TestLookupElement(t *testing.T) {
	tests := []struct {
		ie   IE
		name string
		typ  DataType
		ok   bool
	}{
		{ie: IE{ID: 1}, name: "octetDeltaCount", typ: TypeUnsigned64, ok: true},
		{ie: IE{ID: 6}, name: "tcpControlBits", typ: TypeUnsigned16, ok: true},
		{ie: IE{ID: 95}, name: "applicationId", typ: TypeOctetArray, ok: true},
		{ie: IE{ID: 96}, name: "applicationName", typ: TypeString, ok: true},
		{ie: IE{ID: 157}, name: "flowEndNanoseconds", typ: TypeDateTimeNanoseconds, ok: true},
		{ie: IE{ID: 239}, name: "biflowDirection", typ: TypeUnsigned8, ok: true},
		{ie: IE{ID: 127}, name: "", ok: false},
		{ie: IE{ID: 256}, name: "ethernetType", typ: TypeUnsigned16, ok: true},
		{ie: IE{ID: 460}, name: "httpRequestHost", typ: TypeString, ok: true},
		{ie: IE{ID: 468}, name: "httpUserAgent", typ: TypeString, ok: true},
		{ie: IE{ID: 491}, name: "bgpDestinationLargeCommunityList", typ: TypeBasicList,
			ok: true},
		{ie: IE{ID: 492}, ok: false},
		{ie: IE{Enterprise: ReversePEN, ID: 1}, name: "reverseOctetDeltaCount",
			typ: TypeUnsigned64, ok: true},
		{ie: IE{Enterprise: 6871, ID: 1}, ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.ie.String(), func(t *testing.T) {
			el, ok := LookupElement(tc.ie)
			if ok != tc.ok || el.Name != tc.name || el.Type != tc.typ || ok && el.IE != tc.ie {
				t.Errorf("LookupElement = %+v, %v; want %s %v %v", el, ok, tc.name, tc.typ, tc.ok)
			}
		})
	}
	if n := unknownName(IE{Enterprise: 6871, ID: 14}); n != "e6871id14" {
		t.Errorf("unknown name %q", n)
	}
}

func TestReadMessagesErrors(t *testing.T) {
	first := msg(1, 0, tmpl4, set(300, rec4("a")))
	brokenSet := msg(1, 1, be16(300, 2))
	tests := []struct {
		name   string
		stream []byte
		want   error
		offset int64
	}{
		{name: "broken second message", stream: concat(first, brokenSet), want: ErrSetLength,
			offset: int64(len(first)) + 16},
		{name: "header cut", stream: concat(first, first[:9]), want: ErrTruncated,
			offset: int64(len(first))},
		{name: "body cut", stream: concat(first, first[:20]), want: ErrTruncated,
			offset: int64(len(first))},
		{name: "not IPFIX", stream: concat(first, []byte("GET / HTTP/1.1\r\n\r\n")),
			want: ErrVersion, offset: int64(len(first))},
		{name: "length 0", stream: concat(first, withLength(first, 0)), want: ErrLength,
			offset: int64(len(first))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			err := ReadMessages(bytes.NewReader(tc.stream), func(*Message) error {
				n++
				return nil
			})
			var de *DecodeError
			if !errors.Is(err, tc.want) || !errors.As(err, &de) || de.Offset != tc.offset {
				t.Fatalf("ReadMessages: %v, want %v at offset %d", err, tc.want, tc.offset)
			}
			if n != 1 {
				t.Errorf("%d messages before the error, want 1", n)
			}
			if !strings.HasPrefix(err.Error(), "offset ") {
				t.Errorf("error %q does not start with the offset", err)
			}
		})
	}
	stop := errors.New("stop")
	err := ReadMessages(bytes.NewReader(first), func(*Message) error { return stop })
	if err != stop {
		t.Errorf("fn error: %v", err)
	}
	if err := ReadMessages(bytes.NewReader(nil), nil); err != nil {
		t.Errorf("empty stream: %v", err)
	}
	broken := io.MultiReader(bytes.NewReader(first[:20]), iotest(errors.New("disk")))
	if err := ReadMessages(broken, func(*Message) error { return nil }); err == nil ||
		!strings.Contains(err.Error(), "disk") {
		t.Errorf("read error: %v", err)
	}
	_, err = ReadAllStrict(bytes.NewReader(msg(1, 0, set(300, rec4("a")))))
	if !errors.Is(err, ErrWarning) {
		t.Errorf("ReadAllStrict: %v, want ErrWarning", err)
	}
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func withLength(m []byte, n uint16) []byte {
	m = bytes.Clone(m)
	binary.BigEndian.PutUint16(m[2:], n)
	return m
}

// iotest returns a reader that fails with err.
func iotest(err error) io.Reader { return errReader{err} }

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
