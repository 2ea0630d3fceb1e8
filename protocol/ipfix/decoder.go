package ipfix

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Decoder decodes IPFIX messages strictly. It keeps the templates of each
// (observation domain, template id), the sequence number it expects next
// in each domain, and the enterprise elements described by RFC 5610 type
// records, so the messages of one stream must go through one Decoder in
// order. A Decoder is not safe for concurrent use.
type Decoder struct {
	templates map[templateKey]*decTemplate
	seq       map[uint32]uint32 // next expected sequence number per domain
	types     map[IE]Element    // enterprise elements from RFC 5610 records
	typesGen  int               // bumped when types changes
}

type templateKey struct {
	domain uint32
	id     uint16
}

// decTemplate is a template as the decoder keeps it.
type decTemplate struct {
	Template
	minLen int // shortest record: fixed lengths plus a length octet per variable field
	// elems caches what the decoder knows of each field's element, as of
	// typesGen gen; known[i] is false for elements it could only name.
	elems []Element
	known []bool
	gen   int
}

// resolve refreshes t's element cache when RFC 5610 records have changed
// what the decoder knows.
func (d *Decoder) resolve(t *decTemplate) {
	if t.gen == d.typesGen {
		return
	}
	t.elems, t.known = make([]Element, len(t.Fields)), make([]bool, len(t.Fields))
	for i, f := range t.Fields {
		t.elems[i], t.known[i] = d.element(f.IE)
	}
	t.gen = d.typesGen
}

// NewDecoder returns a decoder that knows no templates yet.
func NewDecoder() *Decoder {
	return &Decoder{templates: map[templateKey]*decTemplate{}, seq: map[uint32]uint32{},
		types: map[IE]Element{}}
}

// Decode decodes one message, which must fill msg exactly. The returned
// message's Raw field values alias msg. Errors are *DecodeError values
// with offsets counted from the start of msg.
func (d *Decoder) Decode(msg []byte) (*Message, error) { return d.decode(msg, 0) }

// decode decodes a message found at offset base of its stream.
func (d *Decoder) decode(msg []byte, base int64) (*Message, error) {
	if len(msg) < headerLen {
		return nil, decodeErr(base, ErrTruncated, "message header of %d octets", len(msg))
	}
	m := &Message{
		Version:    binary.BigEndian.Uint16(msg[0:]),
		Length:     binary.BigEndian.Uint16(msg[2:]),
		ExportTime: binary.BigEndian.Uint32(msg[4:]),
		Sequence:   binary.BigEndian.Uint32(msg[8:]),
		Domain:     binary.BigEndian.Uint32(msg[12:]),
		Offset:     base,
	}
	switch {
	case m.Version != version:
		return nil, decodeErr(base, ErrVersion, "version %d", m.Version)
	case m.Length < headerLen:
		return nil, decodeErr(base, ErrLength, "message length %d", m.Length)
	case int(m.Length) > len(msg):
		return nil, decodeErr(base, ErrTruncated, "message length %d, %d octets present",
			m.Length, len(msg))
	case int(m.Length) < len(msg):
		return nil, decodeErr(base, ErrLength, "message length %d, %d octets given",
			m.Length, len(msg))
	}
	records, counted := 0, true
	for off := headerLen; off < len(msg); {
		setOff := base + int64(off)
		if len(msg)-off < setHeaderLen {
			return nil, decodeErr(setOff, ErrSetLength, "%d octets left for a set", len(msg)-off)
		}
		set := Set{ID: binary.BigEndian.Uint16(msg[off:]),
			Length: binary.BigEndian.Uint16(msg[off+2:]), Offset: setOff}
		if set.Length < setHeaderLen || off+int(set.Length) > len(msg) {
			return nil, decodeErr(setOff, ErrSetLength, "set %d length %d, %d octets left",
				set.ID, set.Length, len(msg)-off)
		}
		body := msg[off+setHeaderLen : off+int(set.Length)]
		var err error
		switch {
		case set.ID == setTemplates || set.ID == setOptionsTemplates:
			err = d.templateSet(m, &set, body)
		case set.ID >= minDataSetID:
			var ok bool
			ok, err = d.dataSet(m, &set, body)
			counted = counted && ok
			records += len(set.Records)
		default:
			err = decodeErr(setOff, ErrSetID, "set id %d", set.ID)
		}
		if err != nil {
			return nil, err
		}
		m.Sets = append(m.Sets, set)
		off += int(set.Length)
	}
	d.checkSequence(m, records, counted)
	return m, nil
}

// checkSequence compares the message's sequence number with the data
// records seen before it in its domain (RFC 7011 §3.1).
func (d *Decoder) checkSequence(m *Message, records int, counted bool) {
	if want, ok := d.seq[m.Domain]; ok && want != m.Sequence {
		m.warn(m.Offset, "sequence number %d, expected %d (%d data records missing or repeated)",
			m.Sequence, want, int32(m.Sequence-want))
	}
	if !counted {
		// Records of an unknown template cannot be counted.
		delete(d.seq, m.Domain)
		return
	}
	d.seq[m.Domain] = m.Sequence + uint32(records)
}

// warn adds a warning to the message.
func (m *Message) warn(off int64, format string, args ...any) {
	m.Warnings = append(m.Warnings, Warning{Offset: off, Text: fmt.Sprintf(format, args...)})
}

// templateSet decodes the template or options template records of a set.
func (d *Decoder) templateSet(m *Message, set *Set, body []byte) error {
	options := set.ID == setOptionsTemplates
	p := 0
	for len(body)-p >= 4 {
		t, n, err := d.templateRecord(m, body[p:], set.Offset+setHeaderLen+int64(p), options)
		if err != nil {
			return err
		}
		if options {
			set.OptionsTemplates = append(set.OptionsTemplates, t)
		} else {
			set.Templates = append(set.Templates, t)
		}
		p += n
	}
	if p == 0 {
		m.warn(set.Offset, "empty template set")
	}
	checkPadding(m, body[p:], set.Offset+setHeaderLen+int64(p))
	return nil
}

// templateRecord decodes one template record at off and stores or
// withdraws the template. It returns the record and its length.
func (d *Decoder) templateRecord(m *Message, b []byte, off int64, options bool) (
	Template, int, error) {
	t := Template{ID: binary.BigEndian.Uint16(b), Offset: off}
	count := int(binary.BigEndian.Uint16(b[2:]))
	setID := uint16(setTemplates)
	if options {
		setID = setOptionsTemplates
	}
	if count == 0 {
		d.withdraw(m, t.ID, setID, off)
		return t, 4, nil
	}
	if t.ID < minDataSetID {
		return t, 0, decodeErr(off, ErrTemplate, "template id %d", t.ID)
	}
	p := 4
	if options {
		if len(b) < 6 {
			return t, 0, decodeErr(off, ErrTruncated, "options template %d header", t.ID)
		}
		t.ScopeCount = int(binary.BigEndian.Uint16(b[4:]))
		if t.ScopeCount == 0 || t.ScopeCount > count {
			return t, 0, decodeErr(off, ErrTemplate, "options template %d: scope count %d of %d",
				t.ID, t.ScopeCount, count)
		}
		p = 6
	}
	dt := &decTemplate{}
	for range count {
		if len(b)-p < 4 {
			return t, 0, decodeErr(off, ErrTruncated, "template %d: %d field specifiers",
				t.ID, count)
		}
		f := TemplateField{IE: IE{ID: binary.BigEndian.Uint16(b[p:]) & 0x7fff},
			Length: binary.BigEndian.Uint16(b[p+2:])}
		if b[p]&0x80 != 0 {
			if len(b)-p < 8 {
				return t, 0, decodeErr(off, ErrTruncated, "template %d: enterprise number", t.ID)
			}
			f.IE.Enterprise = binary.BigEndian.Uint32(b[p+4:])
			p += 4
		}
		p += 4
		if f.Length == 0 {
			// Zero-length fields would let a one-octet record expand to
			// thousands of fields; no element has a zero-length value.
			return t, 0, decodeErr(off, ErrTemplate, "template %d: %v of length 0", t.ID, f.IE)
		}
		el, known := d.element(f.IE)
		dt.elems, dt.known = append(dt.elems, el), append(dt.known, known)
		f.Name = el.Name
		switch {
		case f.Length == VariableLength:
			dt.minLen++
		case known && !el.Type.validLength(f.Length):
			m.warn(off, "template %d: %s (%v) length %d, not allowed for %v",
				t.ID, f.Name, f.IE, f.Length, el.Type)
			fallthrough
		default:
			dt.minLen += int(f.Length)
		}
		t.Fields = append(t.Fields, f)
	}
	dt.Template, dt.gen = t, d.typesGen
	d.store(m, dt)
	return t, p, nil
}

// store keeps a template, warning when it replaces a different one.
func (d *Decoder) store(m *Message, t *decTemplate) {
	key := templateKey{m.Domain, t.ID}
	if old := d.templates[key]; old != nil && (old.ScopeCount != t.ScopeCount ||
		!slices.EqualFunc(old.Fields, t.Fields, func(a, b TemplateField) bool {
			return a.IE == b.IE && a.Length == b.Length
		})) {
		m.warn(t.Offset, "template %d redefined without a withdrawal", t.ID)
	}
	d.templates[key] = t
}

// withdraw removes a template, or all templates of a kind when id is the
// set id (RFC 7011 §8.1).
func (d *Decoder) withdraw(m *Message, id, setID uint16, off int64) {
	options := setID == setOptionsTemplates
	if id == setID {
		for key, t := range d.templates {
			if key.domain == m.Domain && (t.ScopeCount > 0) == options {
				delete(d.templates, key)
			}
		}
		return
	}
	key := templateKey{m.Domain, id}
	t := d.templates[key]
	if t == nil || (t.ScopeCount > 0) != options {
		m.warn(off, "withdrawal of template %d, which is not in use", id)
		return
	}
	delete(d.templates, key)
}

// checkPadding warns when the octets after the last record of a set are
// not zero (RFC 7011 §3.3.1).
func checkPadding(m *Message, pad []byte, off int64) {
	for _, c := range pad {
		if c != 0 {
			m.warn(off, "%d octets of padding are not zero", len(pad))
			return
		}
	}
}
