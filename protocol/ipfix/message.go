package ipfix

import (
	"encoding/hex"
	"net"
	"strconv"
)

// Message is one decoded IPFIX message (RFC 7011 §3.1).
type Message struct {
	Version    uint16
	Length     uint16
	ExportTime uint32 // seconds since the Unix epoch
	Sequence   uint32
	Domain     uint32 // observation domain id
	Offset     int64  // of the message in the stream
	Sets       []Set
	// Warnings lists what breaks a rule without stopping the decoder: a
	// data set without a template, a sequence number jump, a template
	// that redefines one in use, a field length its type does not allow,
	// non-zero padding.
	Warnings []Warning
}

// Warning is a problem found in a message that the decoder could decode
// past.
type Warning struct {
	Offset int64 // of the message, set or record concerned
	Text   string
}

// String returns "offset N: text".
func (w Warning) String() string {
	return "offset " + strconv.FormatInt(w.Offset, 10) + ": " + w.Text
}

// Set is one set of a message. A template set fills Templates, an options
// template set OptionsTemplates, a data set Records (none when its
// template is unknown: see the message's warnings).
type Set struct {
	ID               uint16
	Length           uint16
	Offset           int64
	Templates        []Template
	OptionsTemplates []Template
	Records          []Record
}

// Template is a template or options template record. A withdrawal has no
// fields; withdrawing every template of its kind in the domain uses the
// set id (2 or 3) as template id (RFC 7011 §8.1).
type Template struct {
	ID         uint16
	ScopeCount int // scope fields, the first ScopeCount of Fields
	Fields     []TemplateField
	Offset     int64
}

// Withdrawal reports whether t withdraws a template instead of defining
// one.
func (t *Template) Withdrawal() bool { return len(t.Fields) == 0 }

// TemplateField is one field specifier of a template.
type TemplateField struct {
	IE     IE
	Length uint16 // VariableLength for variable-length fields
	Name   string // the element's name when the decoder saw the template
}

// Record is one data record.
type Record struct {
	TemplateID uint16
	ScopeCount int // non-zero for records of an options template
	Offset     int64
	Fields     []Field
}

// Options reports whether r was described by an options template.
func (r *Record) Options() bool { return r.ScopeCount > 0 }

// Field returns the first field named name.
func (r *Record) Field(name string) (Field, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Field is one decoded value of a data record. Value holds, by the
// element's data type: uint64 for unsigned integers, dateTimeSeconds (in
// seconds) and dateTimeMilliseconds (in ms since the epoch); int64 for
// signed integers; float64; bool; string; netip.Addr for addresses;
// time.Time (UTC) for dateTimeMicroseconds and dateTimeNanoseconds; a
// [MACAddress]; an [OctetArray] for octet arrays, lists, elements of
// unknown type and values whose length their type does not allow.
type Field struct {
	IE    IE
	Name  string
	Type  DataType
	Scope bool   // a scope field of an options record
	Raw   []byte // the encoded value, without its length prefix; aliases the message
	Value any
}

// OctetArray is a value shown as hexadecimal text (also in JSON).
type OctetArray []byte

// String returns the octets in lower-case hex.
func (o OctetArray) String() string { return hex.EncodeToString(o) }

// MarshalText returns the octets in lower-case hex.
func (o OctetArray) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// MACAddress is a macAddress value.
type MACAddress [6]byte

// String returns the address as xx:xx:xx:xx:xx:xx.
func (m MACAddress) String() string { return net.HardwareAddr(m[:]).String() }

// MarshalText returns the address as xx:xx:xx:xx:xx:xx.
func (m MACAddress) MarshalText() ([]byte, error) { return []byte(m.String()), nil }
