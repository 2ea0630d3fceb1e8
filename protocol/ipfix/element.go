package ipfix

import (
	"slices"
	"strconv"
	"strings"
)

// ReversePEN is the private enterprise number of RFC 5103 reverse
// Information Elements: the reverse of IANA element n is (29305, n).
const ReversePEN = 29305

// IE identifies an Information Element: an IANA element has Enterprise 0;
// ID never has the enterprise bit (0x8000) set.
type IE struct {
	Enterprise uint32
	ID         uint16
}

// String returns "n" for IANA elements and "pen/n" for enterprise ones.
func (ie IE) String() string {
	if ie.Enterprise == 0 {
		return strconv.Itoa(int(ie.ID))
	}
	return strconv.FormatUint(uint64(ie.Enterprise), 10) + "/" + strconv.Itoa(int(ie.ID))
}

// Reverse returns the RFC 5103 reverse of an IANA element.
func (ie IE) Reverse() IE { return IE{Enterprise: ReversePEN, ID: ie.ID} }

// DataType is an abstract data type (RFC 7012 §3.1). Its values are the
// informationElementDataType codes of RFC 5610 §3.1.
type DataType uint8

// Abstract data types.
const (
	TypeOctetArray DataType = iota
	TypeUnsigned8
	TypeUnsigned16
	TypeUnsigned32
	TypeUnsigned64
	TypeSigned8
	TypeSigned16
	TypeSigned32
	TypeSigned64
	TypeFloat32
	TypeFloat64
	TypeBoolean
	TypeMACAddress
	TypeString
	TypeDateTimeSeconds
	TypeDateTimeMilliseconds
	TypeDateTimeMicroseconds
	TypeDateTimeNanoseconds
	TypeIPv4Address
	TypeIPv6Address
	TypeBasicList
	TypeSubTemplateList
	TypeSubTemplateMultiList
)

var typeNames = [...]string{
	"octetArray", "unsigned8", "unsigned16", "unsigned32", "unsigned64",
	"signed8", "signed16", "signed32", "signed64", "float32", "float64",
	"boolean", "macAddress", "string", "dateTimeSeconds", "dateTimeMilliseconds",
	"dateTimeMicroseconds", "dateTimeNanoseconds", "ipv4Address", "ipv6Address",
	"basicList", "subTemplateList", "subTemplateMultiList",
}

// String returns the RFC 7012 name of the type.
func (t DataType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "dataType" + strconv.Itoa(int(t))
}

// Size returns the natural encoded length of a value of type t, or
// VariableLength for types without one (octetArray, string, lists).
func (t DataType) Size() uint16 {
	switch t {
	case TypeUnsigned8, TypeSigned8, TypeBoolean:
		return 1
	case TypeUnsigned16, TypeSigned16:
		return 2
	case TypeUnsigned32, TypeSigned32, TypeFloat32, TypeDateTimeSeconds, TypeIPv4Address:
		return 4
	case TypeUnsigned64, TypeSigned64, TypeFloat64, TypeDateTimeMilliseconds,
		TypeDateTimeMicroseconds, TypeDateTimeNanoseconds:
		return 8
	case TypeMACAddress:
		return 6
	case TypeIPv6Address:
		return 16
	}
	return VariableLength
}

// validLength reports whether a template may declare an element of type t
// with length n: integers and float64 allow reduced-size encoding
// (RFC 7011 §6.2), other fixed-size types need their exact size, and
// octetArray, string and lists take any length.
func (t DataType) validLength(n uint16) bool {
	size := t.Size()
	switch {
	case size == VariableLength:
		return true
	case t >= TypeUnsigned8 && t <= TypeSigned64:
		return n >= 1 && n <= size
	case t == TypeFloat64:
		return n == 4 || n == 8
	}
	return n == size
}

// Semantics is an informationElementSemantics code (RFC 5610 §3.2).
type Semantics uint8

// Data type semantics.
const (
	SemanticsDefault Semantics = iota
	SemanticsQuantity
	SemanticsTotalCounter
	SemanticsDeltaCounter
	SemanticsIdentifier
	SemanticsFlags
	SemanticsList
	SemanticsSNMPCounter
	SemanticsSNMPGauge
)

// Units is an informationElementUnits code (the IANA IPFIX units registry).
type Units uint16

// Units of measure.
const (
	UnitsNone Units = iota
	UnitsBits
	UnitsOctets
	UnitsPackets
	UnitsFlows
	UnitsSeconds
	UnitsMilliseconds
	UnitsMicroseconds
	UnitsNanoseconds
	Units4OctetWords
	UnitsMessages
	UnitsHops
	UnitsEntries
	UnitsFrames
)

// Element describes an Information Element: what an RFC 5610 type record
// carries about it.
type Element struct {
	IE        IE
	Name      string
	Type      DataType
	Semantics Semantics
	Units     Units
	// Description is the element's description in a type record; the
	// built-in registry leaves it empty.
	Description string
}

// entry is one row of the IANA tables.
type entry struct {
	id   uint16
	name string
	typ  DataType
	sem  Semantics
	unit Units
}

// Short names that keep the IANA tables narrow.
const (
	oa   = TypeOctetArray
	u8   = TypeUnsigned8
	u16  = TypeUnsigned16
	u32  = TypeUnsigned32
	u64  = TypeUnsigned64
	s8   = TypeSigned8
	s16  = TypeSigned16
	s32  = TypeSigned32
	s64  = TypeSigned64
	f32  = TypeFloat32
	f64  = TypeFloat64
	bo   = TypeBoolean
	mac  = TypeMACAddress
	str  = TypeString
	dts  = TypeDateTimeSeconds
	dtms = TypeDateTimeMilliseconds
	dtus = TypeDateTimeMicroseconds
	dtns = TypeDateTimeNanoseconds
	ip4  = TypeIPv4Address
	ip6  = TypeIPv6Address
	bl   = TypeBasicList
	stl  = TypeSubTemplateList
	stml = TypeSubTemplateMultiList

	sDef   = SemanticsDefault
	sQty   = SemanticsQuantity
	sTot   = SemanticsTotalCounter
	sDelta = SemanticsDeltaCounter
	sID    = SemanticsIdentifier
	sFlags = SemanticsFlags
	sList  = SemanticsList
	sSnmpC = SemanticsSNMPCounter
	sSnmpG = SemanticsSNMPGauge

	uNone    = UnitsNone
	uBits    = UnitsBits
	uOctets  = UnitsOctets
	uPackets = UnitsPackets
	uFlows   = UnitsFlows
	uSec     = UnitsSeconds
	uMilli   = UnitsMilliseconds
	uMicro   = UnitsMicroseconds
	uNano    = UnitsNanoseconds
	uWords   = Units4OctetWords
	uMsgs    = UnitsMessages
	uHops    = UnitsHops
	uEntries = UnitsEntries
	uFrames  = UnitsFrames
)

// ianaEntry finds an IANA element by id.
func ianaEntry(id uint16) (entry, bool) {
	table := ianaLow[:]
	if id >= 256 {
		table = ianaHigh[:]
	}
	i, ok := slices.BinarySearchFunc(table, id, func(e entry, id uint16) int {
		return int(e.id) - int(id)
	})
	if !ok {
		return entry{}, false
	}
	return table[i], true
}

// LookupElement returns what the built-in registry knows about ie: the
// IANA elements 1 to 491 and their RFC 5103 reverses (PEN 29305, named
// "reverse" + the IANA name with its first letter in upper case).
func LookupElement(ie IE) (Element, bool) {
	if ie.Enterprise != 0 && ie.Enterprise != ReversePEN {
		return Element{}, false
	}
	e, ok := ianaEntry(ie.ID)
	if !ok {
		return Element{}, false
	}
	name := e.name
	if ie.Enterprise == ReversePEN {
		name = "reverse" + strings.ToUpper(name[:1]) + name[1:]
	}
	return Element{IE: ie, Name: name, Type: e.typ, Semantics: e.sem, Units: e.unit}, true
}

// unknownName is the name of an element nothing describes: "e<pen>id<id>"
// for enterprise elements and "ie<id>" for unassigned IANA ids.
func unknownName(ie IE) string {
	if ie.Enterprise == 0 {
		return "ie" + strconv.Itoa(int(ie.ID))
	}
	return "e" + strconv.FormatUint(uint64(ie.Enterprise), 10) + "id" + strconv.Itoa(int(ie.ID))
}
