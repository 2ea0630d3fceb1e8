package ipfix

import (
	"encoding/binary"
	"fmt"
)

// VariableLength as a [FieldSpec] length selects variable-length encoding
// (RFC 7011 §7).
const VariableLength = 0xffff

// FieldSpec is one field of a template: an element and the length of its
// encoded value, or VariableLength.
type FieldSpec struct {
	IE     IE
	Length uint16
}

// template is a template or options template the encoder has declared.
type template struct {
	id        uint16
	scope     int // number of scope fields; 0 for a plain template
	fields    []FieldSpec
	minLen    int  // fixed lengths plus one length byte per variable field
	announced bool // its record is in the pending message or was emitted
}

// newTemplate checks fields and builds a template.
func newTemplate(id uint16, scope int, fields []FieldSpec) (*template, error) {
	t := &template{id: id, scope: scope, fields: fields}
	if len(fields) == 0 || len(fields) > 0xffff {
		return nil, fmt.Errorf("%d fields: %w", len(fields), ErrTemplate)
	}
	for _, f := range fields {
		if f.IE.ID >= 0x8000 || f.Length == 0 {
			return nil, fmt.Errorf("field %v length %d: %w", f.IE, f.Length, ErrTemplate)
		}
		if f.Length == VariableLength {
			t.minLen++
		} else {
			t.minLen += int(f.Length)
		}
	}
	return t, nil
}

// wireLen is the length of the template's record in a template set.
func (t *template) wireLen() int {
	n := 4
	if t.scope > 0 {
		n += 2
	}
	for _, f := range t.fields {
		n += 4
		if f.IE.Enterprise != 0 {
			n += 4
		}
	}
	return n
}

// setID is the id of the set that carries the template's record.
func (t *template) setID() uint16 {
	if t.scope > 0 {
		return setOptionsTemplates
	}
	return setTemplates
}

// appendRecord appends the template record (RFC 7011 §3.4.1, §3.4.2.2).
func (t *template) appendRecord(b []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, t.id)
	b = binary.BigEndian.AppendUint16(b, uint16(len(t.fields)))
	if t.scope > 0 {
		b = binary.BigEndian.AppendUint16(b, uint16(t.scope))
	}
	for _, f := range t.fields {
		if f.IE.Enterprise == 0 {
			b = binary.BigEndian.AppendUint16(b, f.IE.ID)
			b = binary.BigEndian.AppendUint16(b, f.Length)
			continue
		}
		b = binary.BigEndian.AppendUint16(b, f.IE.ID|0x8000)
		b = binary.BigEndian.AppendUint16(b, f.Length)
		b = binary.BigEndian.AppendUint32(b, f.IE.Enterprise)
	}
	return b
}

// shape is the kind of flow record a template describes; every
// combination of its bits has its own template, so no record pays for
// fields it does not use. With shapeDPI, the bits from groupShift up hold
// the metadata [group].
type shape uint16

const (
	shapeIPv6   shape = 1 << iota // IPv6 addresses (27/28, 139)
	shapeBiflow                   // RFC 5103 reverse counters and times
	shapeDPI                      // applicationId, applicationName and a metadata group
	shapeNTP                      // times as 156/157 (a time before 1970)
	shapeQinQ                     // dot1qCustomerVlanId (an inner VLAN)
	shapeMPLS                     // mplsTopLabelStackSection
	groupShift  = iota
	numShapes   = int(numGroups) << groupShift
)

// group returns the metadata group of a DPI shape.
func (s shape) group() group { return group(s >> groupShift) }

// IANA elements the flow templates use.
var (
	ieOctets       = IE{ID: 1}
	iePackets      = IE{ID: 2}
	ieTCPFlags     = IE{ID: 6}
	ieStartMillis  = IE{ID: 152}
	ieEndMillis    = IE{ID: 153}
	ieStartNanos   = IE{ID: 156}
	ieEndNanos     = IE{ID: 157}
	ieAppID        = IE{ID: 95}
	ieAppName      = IE{ID: 96}
	ieSrcIPv4      = IE{ID: 8}
	ieDstIPv4      = IE{ID: 12}
	ieSrcIPv6      = IE{ID: 27}
	ieDstIPv6      = IE{ID: 28}
	ieICMPTypeIPv4 = IE{ID: 32}
	ieICMPTypeIPv6 = IE{ID: 139}
)

// appIDLength is the length of an applicationId value: a classification
// engine id and a 4-byte selector (RFC 6759 §4).
const appIDLength = 5

// flowFields returns the fields of the template for shape s, in the order
// [putFlow] writes them.
func flowFields(s shape) []FieldSpec {
	src, dst, icmp := ieSrcIPv4, ieDstIPv4, ieICMPTypeIPv4
	addrLen := uint16(4)
	if s&shapeIPv6 != 0 {
		src, dst, icmp, addrLen = ieSrcIPv6, ieDstIPv6, ieICMPTypeIPv6, 16
	}
	start, end := ieStartMillis, ieEndMillis
	if s&shapeNTP != 0 {
		start, end = ieStartNanos, ieEndNanos
	}
	f := []FieldSpec{
		{src, addrLen}, {dst, addrLen},
		{IE{ID: 7}, 2}, {IE{ID: 11}, 2}, {IE{ID: 4}, 1}, // ports, protocol
		{ieTCPFlags, 2}, {IE{ID: 5}, 1}, // tcpControlBits, ipClassOfService
		{IE{ID: 52}, 1}, {IE{ID: 53}, 1}, // minimumTTL, maximumTTL
		{ieOctets, 8}, {iePackets, 8}, {start, 8}, {end, 8},
		{IE{ID: 136}, 1}, {IE{ID: 58}, 2}, {IE{ID: 10}, 4}, // flowEndReason, vlanId, ingressInterface
		{icmp, 2},
	}
	if s&shapeQinQ != 0 {
		f = append(f, FieldSpec{IE{ID: 245}, 2}) // dot1qCustomerVlanId
	}
	if s&shapeMPLS != 0 {
		f = append(f, FieldSpec{IE{ID: 70}, 3}) // mplsTopLabelStackSection
	}
	if s&shapeBiflow != 0 {
		f = append(f, FieldSpec{ieOctets.Reverse(), 8}, FieldSpec{iePackets.Reverse(), 8},
			FieldSpec{ieTCPFlags.Reverse(), 2},
			FieldSpec{start.Reverse(), 8}, FieldSpec{end.Reverse(), 8})
	}
	if s&shapeDPI != 0 {
		f = append(f, FieldSpec{ieAppID, appIDLength}, FieldSpec{ieAppName, VariableLength})
		f = append(f, groupFields[s.group()]...)
	}
	return f
}
