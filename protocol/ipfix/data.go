package ipfix

import (
	"encoding/binary"
	"math"
	"net/netip"
)

// dataSet decodes the records of a data set. ok is false when the set's
// template is unknown: the set is skipped with a warning.
func (d *Decoder) dataSet(m *Message, set *Set, body []byte) (ok bool, err error) {
	t := d.templates[templateKey{m.Domain, set.ID}]
	if t == nil {
		m.warn(set.Offset, "data set %d: no template %d in domain %d, %d octets skipped",
			set.ID, set.ID, m.Domain, len(body))
		return false, nil
	}
	p := 0
	// What is left after the last record is padding when shorter than the
	// shortest record (RFC 7011 §3.3.1); anything longer must be a record.
	for len(body)-p >= t.minLen {
		off := set.Offset + setHeaderLen + int64(p)
		r, n, err := d.record(t, body[p:], off)
		if err != nil {
			return true, err
		}
		set.Records = append(set.Records, r)
		d.learn(m, &r)
		p += n
	}
	checkPadding(m, body[p:], set.Offset+setHeaderLen+int64(p))
	return true, nil
}

// record decodes one data record of template t from b.
func (d *Decoder) record(t *decTemplate, b []byte, off int64) (Record, int, error) {
	d.resolve(t)
	r := Record{TemplateID: t.ID, ScopeCount: t.ScopeCount, Offset: off,
		Fields: make([]Field, len(t.Fields))}
	p := 0
	for i, tf := range t.Fields {
		n := int(tf.Length)
		if tf.Length == VariableLength {
			if p >= len(b) {
				return r, 0, decodeErr(off, ErrTruncated, "record of template %d: %s length",
					t.ID, tf.Name)
			}
			n = int(b[p])
			p++
			if n == 255 {
				if len(b)-p < 2 {
					return r, 0, decodeErr(off, ErrTruncated,
						"record of template %d: %s length", t.ID, tf.Name)
				}
				n = int(binary.BigEndian.Uint16(b[p:]))
				p += 2
			}
		}
		if len(b)-p < n {
			return r, 0, decodeErr(off, ErrTruncated,
				"record of template %d: %s needs %d octets, the set has %d", t.ID, tf.Name,
				n, len(b)-p)
		}
		raw := b[p : p+n : p+n]
		p += n
		el := &t.elems[i]
		f := Field{IE: tf.IE, Name: el.Name, Type: el.Type, Scope: i < t.ScopeCount, Raw: raw}
		f.Value = decodeValue(el.Type, t.known[i], raw)
		r.Fields[i] = f
	}
	return r, p, nil
}

// element names ie: from RFC 5610 records seen in the stream, else from
// the built-in registry, else "e<pen>id<id>". known is false in the last
// case; the type is then octetArray.
func (d *Decoder) element(ie IE) (Element, bool) {
	if el, ok := d.types[ie]; ok {
		return el, true
	}
	if el, ok := LookupElement(ie); ok {
		return el, true
	}
	return Element{IE: ie, Name: unknownName(ie), Type: TypeOctetArray}, false
}

// learn records what an RFC 5610 information element type record says
// about an enterprise-specific element.
func (d *Decoder) learn(m *Message, r *Record) {
	if !r.Options() {
		return
	}
	var el Element
	var haveID, haveName bool
	for _, f := range r.Fields {
		u, isInt := f.Value.(uint64)
		switch f.IE {
		case iePEN:
			el.IE.Enterprise = uint32(u)
		case ieElementID:
			el.IE.ID, haveID = uint16(u)&0x7fff, isInt
		case ieDataType:
			el.Type = DataType(u)
		case ieSemantics:
			el.Semantics = Semantics(u)
		case ieUnits:
			el.Units = Units(u)
		case ieName:
			el.Name, haveName = f.Value.(string)
		case ieDescr:
			el.Description, _ = f.Value.(string)
		}
	}
	if !haveID || !haveName || el.IE.Enterprise == 0 {
		return
	}
	if el.Name == "" || int(el.Type) >= len(typeNames) {
		m.warn(r.Offset, "type record of %v: name %q, data type %d", el.IE, el.Name, el.Type)
		return
	}
	if d.types[el.IE] != el {
		d.types[el.IE] = el
		d.typesGen++
	}
}

// decodeValue interprets raw as a value of type t (see [Field]); values of
// unknown elements and of lengths t does not allow stay octet arrays.
func decodeValue(t DataType, known bool, raw []byte) any {
	if !known || !t.validLength(uint16(len(raw))) {
		return OctetArray(raw)
	}
	switch t {
	case TypeUnsigned8, TypeUnsigned16, TypeUnsigned32, TypeUnsigned64,
		TypeDateTimeSeconds, TypeDateTimeMilliseconds:
		return uintValue(raw)
	case TypeSigned8, TypeSigned16, TypeSigned32, TypeSigned64:
		shift := 64 - 8*len(raw)
		return int64(uintValue(raw)<<shift) >> shift
	case TypeFloat32:
		return float64(math.Float32frombits(binary.BigEndian.Uint32(raw)))
	case TypeFloat64:
		if len(raw) == 4 {
			return float64(math.Float32frombits(binary.BigEndian.Uint32(raw)))
		}
		return math.Float64frombits(binary.BigEndian.Uint64(raw))
	case TypeBoolean:
		switch raw[0] {
		case 1:
			return true
		case 2:
			return false
		}
	case TypeMACAddress:
		return MACAddress(raw)
	case TypeString:
		return string(raw)
	case TypeDateTimeMicroseconds, TypeDateTimeNanoseconds:
		return timeFromNTP(binary.BigEndian.Uint64(raw), t == TypeDateTimeMicroseconds)
	case TypeIPv4Address:
		return netip.AddrFrom4([4]byte(raw))
	case TypeIPv6Address:
		return netip.AddrFrom16([16]byte(raw))
	}
	return OctetArray(raw)
}

// uintValue reads a big-endian unsigned integer of up to 8 octets.
func uintValue(raw []byte) uint64 {
	var u uint64
	for _, c := range raw {
		u = u<<8 | uint64(c)
	}
	return u
}
