package ipfix

import (
	"encoding/binary"
	"fmt"
	"math"
	"net/netip"
	"slices"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// IANA elements of the options templates the encoder declares itself.
var (
	// RFC 5610 information element type records.
	iePEN       = IE{ID: 346} // privateEnterpriseNumber
	ieElementID = IE{ID: 303} // informationElementId
	ieDataType  = IE{ID: 339} // informationElementDataType
	ieSemantics = IE{ID: 344} // informationElementSemantics
	ieUnits     = IE{ID: 345} // informationElementUnits
	ieName      = IE{ID: 341} // informationElementName
	ieDescr     = IE{ID: 340} // informationElementDescription
	ieRangeLow  = IE{ID: 342} // informationElementRangeBegin
	ieRangeHigh = IE{ID: 343} // informationElementRangeEnd
	// RFC 7011 §4.3 exporting process statistics.
	ieDomain     = IE{ID: 149} // observationDomainId
	ieMessageSum = IE{ID: 41}  // exportedMessageTotalCount
	ieFlowSum    = IE{ID: 42}  // exportedFlowRecordTotalCount
	ieOctetSum   = IE{ID: 40}  // exportedOctetTotalCount
	appNameScope = []FieldSpec{{ieAppID, appIDLength}}
	typeScope    = []FieldSpec{{iePEN, 4}, {ieElementID, 2}}
	// The range and description fields are optional in RFC 5610, but
	// libfixbuf learns only from type records that have all of them.
	typeFields = []FieldSpec{{ieDataType, 1}, {ieSemantics, 1}, {ieUnits, 2},
		{ieRangeLow, 8}, {ieRangeHigh, 8}, {ieName, VariableLength}, {ieDescr, VariableLength}}
	statsScope  = []FieldSpec{{ieDomain, 4}}
	statsFields = []FieldSpec{{ieMessageSum, 8}, {ieFlowSum, 8}, {ieOctetSum, 8}}
)

// DeclareOptionsTemplate declares an options template (RFC 7011 §3.4.2):
// scope fields first, then the other fields. It returns the template id to
// give [Encoder.AddOptionsRecord]. The template is written into the stream
// ahead of its first record.
func (e *Encoder) DeclareOptionsTemplate(scope, fields []FieldSpec) (uint16, error) {
	if len(scope) == 0 {
		return 0, fmt.Errorf("options template without scope: %w", ErrTemplate)
	}
	t, err := e.declare(len(scope), slices.Concat(scope, fields))
	if err != nil {
		return 0, err
	}
	return t.id, nil
}

// AddOptionsRecord adds a data record of the options template id, one
// value per field, scope fields first. A value may be any Go integer
// (written big-endian in the field's length, which it must fit), a bool
// (1 true, 2 false: RFC 7011 §6.1.5), a float32 or float64 (4 or 8
// octets), a string or []byte (of the field's length, or any length up to
// 65535 in a variable-length field) or a netip.Addr (4 or 16 octets).
// Options records count in the sequence number like flow records.
func (e *Encoder) AddOptionsRecord(id uint16, values ...any) error {
	i := int(id) - minDataSetID
	if i < 0 || i >= len(e.all) || e.all[i].scope == 0 {
		return fmt.Errorf("options template %d not declared: %w", id, ErrTemplate)
	}
	t := e.all[i]
	if len(values) != len(t.fields) {
		return fmt.Errorf("%d values for %d fields: %w", len(values), len(t.fields), ErrValue)
	}
	n := 0
	for j, v := range values {
		size, err := valueSize(t.fields[j], v)
		if err != nil {
			return err
		}
		n += size
	}
	b, err := e.reserve(t, n)
	if err != nil {
		return err
	}
	b = b[:0]
	for j, v := range values {
		b = appendValue(b, t.fields[j].Length, v)
	}
	return nil
}

// AddAppNames adds an RFC 6759 options record mapping applicationId to
// applicationName for each app. applicationId is encoded as the flow
// records encode it (see [ClassificationEngine]). applicationName is a
// fixed-length field as long as the name, so the encoder declares one
// options template per name length, on first use: collectors that keep
// application names (nfcapd among them) read only fixed-length fields.
func (e *Encoder) AddAppNames(apps []flow.App) error {
	for _, app := range apps {
		if err := e.addAppName(app); err != nil {
			return err
		}
		e.rememberName(app)
	}
	return nil
}

// addAppName adds the options record that names app.
func (e *Encoder) addAppName(app flow.App) error {
	t, err := e.appNameTemplate(len(app.Name))
	if err != nil {
		return fmt.Errorf("application %d: %w", app.ID, err)
	}
	var id [appIDLength]byte
	id[0] = ClassificationEngine
	binary.BigEndian.PutUint32(id[1:], app.ID)
	if err := e.AddOptionsRecord(t.id, id[:], app.Name); err != nil {
		return fmt.Errorf("application %d: %w", app.ID, err)
	}
	return nil
}

// appNameTemplate returns the options template of application names of n
// octets, declaring it on first use. An empty name, or one too long for a
// fixed length, goes in a variable-length field.
func (e *Encoder) appNameTemplate(n int) (*template, error) {
	if n == 0 || n >= VariableLength {
		n = VariableLength
	}
	if t := e.appNames[n]; t != nil {
		return t, nil
	}
	t, err := e.declare(len(appNameScope), slices.Concat(appNameScope,
		[]FieldSpec{{ieAppName, uint16(n)}}))
	if err != nil {
		return nil, err
	}
	if e.appNames == nil {
		e.appNames = map[int]*template{}
	}
	e.appNames[n] = t
	return t, nil
}

// AddElementTypes adds an RFC 5610 information element type record for
// each element (scope privateEnterpriseNumber and informationElementId;
// data type, semantics, units, a range of 0 to 0 (none), name and
// description), declaring the options template on first use.
func (e *Encoder) AddElementTypes(elems ...Element) error {
	if e.elemTypes == nil {
		t, err := e.declare(len(typeScope), slices.Concat(typeScope, typeFields))
		if err != nil {
			return err
		}
		e.elemTypes = t
	}
	for _, el := range elems {
		if err := e.addElementType(el); err != nil {
			return err
		}
		e.rememberType(el)
	}
	return nil
}

// addElementType adds the type record of el.
func (e *Encoder) addElementType(el Element) error {
	err := e.AddOptionsRecord(e.elemTypes.id, el.IE.Enterprise, el.IE.ID,
		uint8(el.Type), uint8(el.Semantics), uint16(el.Units), uint64(0), uint64(0),
		el.Name, el.Description)
	if err != nil {
		return fmt.Errorf("element %v: %w", el.IE, err)
	}
	return nil
}

// DescribeEnterpriseElements adds an RFC 5610 type record for every
// enterprise-specific element of the templates declared so far that the
// encoder knows (the RFC 5103 reverse elements of biflow records and the
// [DPIElements]), and from then on does the same for each new template
// before it is written. Each element is described once.
func (e *Encoder) DescribeEnterpriseElements() error {
	e.describe = true
	for _, t := range e.all {
		if err := e.describeTemplate(t); err != nil {
			return err
		}
	}
	return nil
}

// describeTemplate adds type records for t's enterprise elements that
// have not been described.
func (e *Encoder) describeTemplate(t *template) error {
	for _, f := range t.fields {
		if f.IE.Enterprise == 0 || e.isDescribed(f.IE) {
			continue
		}
		el, ok := LookupElement(f.IE)
		if !ok {
			el, ok = dpiElement(f.IE)
		}
		if !ok {
			continue
		}
		if err := e.AddElementTypes(el); err != nil {
			return err
		}
	}
	return nil
}

// AddExporterStats adds an exporting process statistics record (RFC 7011
// §4.3) scoped to the observation domain: exportedMessageTotalCount,
// exportedFlowRecordTotalCount and exportedOctetTotalCount, each as
// emitted before the pending message (the message that carries the record
// is excluded, as IANA defines these elements).
func (e *Encoder) AddExporterStats() error {
	if e.exporter == nil {
		t, err := e.declare(len(statsScope), slices.Concat(statsScope, statsFields))
		if err != nil {
			return err
		}
		e.exporter = t
	}
	s := e.stats
	return e.AddOptionsRecord(e.exporter.id, e.domain, s.Messages, s.FlowRecords, s.Octets)
}

// valueSize returns the encoded size of v in field f.
func valueSize(f FieldSpec, v any) (int, error) {
	want := -1 // any length
	switch v := v.(type) {
	case string:
		return bytesSize(f, len(v))
	case []byte:
		return bytesSize(f, len(v))
	case netip.Addr:
		want = v.BitLen() / 8
	case bool:
		want = 1
	case float32, float64:
		if f.Length != 4 && f.Length != 8 {
			want = 8
		}
	default:
		u, neg, ok := integer(v)
		if !ok {
			return 0, fmt.Errorf("field %v: unsupported value type %T: %w", f.IE, v, ErrValue)
		}
		if f.Length == VariableLength || f.Length > 8 || !fitsInt(u, neg, int(f.Length)) {
			return 0, fmt.Errorf("field %v: %v in %d octets: %w", f.IE, v, f.Length, ErrValue)
		}
	}
	if want >= 0 && int(f.Length) != want {
		return 0, fmt.Errorf("field %v: %T needs %d octets, not %d: %w",
			f.IE, v, want, f.Length, ErrValue)
	}
	return int(f.Length), nil
}

// bytesSize checks an n-octet string or octet array against f.
func bytesSize(f FieldSpec, n int) (int, error) {
	switch {
	case f.Length == VariableLength && n <= math.MaxUint16:
		return varLenSize(n), nil
	case int(f.Length) == n:
		return n, nil
	}
	return 0, fmt.Errorf("field %v: %d octets in a field of %d: %w", f.IE, n, f.Length, ErrValue)
}

// integer returns the magnitude bits of an integer value: u is the value
// as two's complement in 64 bits, neg whether it is negative.
func integer(v any) (u uint64, neg bool, ok bool) {
	switch v := v.(type) {
	case uint8:
		return uint64(v), false, true
	case uint16:
		return uint64(v), false, true
	case uint32:
		return uint64(v), false, true
	case uint64:
		return v, false, true
	case uint:
		return uint64(v), false, true
	case int8:
		return uint64(v), v < 0, true
	case int16:
		return uint64(v), v < 0, true
	case int32:
		return uint64(v), v < 0, true
	case int64:
		return uint64(v), v < 0, true
	case int:
		return uint64(v), v < 0, true
	}
	return 0, false, false
}

// fitsInt reports whether an integer fits in n octets: unsigned when
// non-negative, two's complement when negative.
func fitsInt(u uint64, neg bool, n int) bool {
	if n >= 8 {
		return true
	}
	if neg {
		return int64(u) >= -(1 << (8*n - 1))
	}
	return u < 1<<(8*n)
}

// appendValue appends v encoded in a field of the given length; valueSize
// has accepted it.
func appendValue(b []byte, length uint16, v any) []byte {
	switch v := v.(type) {
	case string:
		if length == VariableLength {
			return appendVarLen(b, v)
		}
		return append(b, v...)
	case []byte:
		if length == VariableLength {
			return appendVarLen(b, string(v))
		}
		return append(b, v...)
	case netip.Addr:
		return append(b, v.AsSlice()...)
	case bool:
		if v {
			return append(b, 1)
		}
		return append(b, 2)
	case float32:
		return appendFloat(b, length, float64(v))
	case float64:
		return appendFloat(b, length, v)
	}
	u, _, _ := integer(v)
	for i := int(length) - 1; i >= 0; i-- {
		b = append(b, byte(u>>(8*i)))
	}
	return b
}

// appendFloat appends f as float32 or float64 by length.
func appendFloat(b []byte, length uint16, f float64) []byte {
	if length == 4 {
		return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(f)))
	}
	return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
}
