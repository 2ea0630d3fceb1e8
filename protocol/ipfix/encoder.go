package ipfix

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// Wire constants of RFC 7011 §3.
const (
	version             = 10
	headerLen           = 16
	setHeaderLen        = 4
	setTemplates        = 2
	setOptionsTemplates = 3
	minDataSetID        = 256
	maxMessageLen       = 65535
)

// EncoderConfig configures an [Encoder]. The zero value writes messages of
// up to 65535 octets for observation domain 0, stamped with the wall clock.
type EncoderConfig struct {
	// ObservationDomain goes into every message header.
	ObservationDomain uint32
	// MaxMessageSize bounds every message, headers included. 0 (and any
	// value outside 1..65535) means 65535, right for files and TCP; use
	// about 1400 for UDP.
	MaxMessageSize int
	// Now is the export time source; nil means time.Now.
	Now func() time.Time
	// NameApps makes [Encoder.Add] precede the first record of each
	// applicationId with the RFC 6759 options record that names it
	// ([Encoder.AddAppNames]), in the same message or an earlier one.
	NameApps bool
}

// EncoderStats counts what an encoder has emitted (not what is pending).
type EncoderStats struct {
	Messages    uint64 // messages emitted, template-only ones included
	DataRecords uint64 // data records emitted: flow and options records
	FlowRecords uint64 // flow records emitted (added with Add)
	Octets      uint64 // message octets emitted
}

// Encoder turns flow records into IPFIX messages (RFC 7011). It picks a
// template per record shape, writes each template into the stream before
// its first data record, and hands every complete message to the emit
// function it was made with. An Encoder is not safe for concurrent use.
type Encoder struct {
	domain uint32
	max    int
	now    func() time.Time
	emit   func(msg []byte) error

	buf      []byte // the pending message; empty when none is begun
	setStart int    // offset of the open set's header; 0 when none is open
	setID    uint16 // id of the open set
	msgData  uint64 // data records in the pending message
	msgFlows uint64 // flow records in the pending message
	seq      uint32 // data records emitted in this domain, mod 2^32
	resend   bool   // begin the next message with every template
	stats    EncoderStats

	all   []*template // every declared template; all[i].id == 256+i
	flows [numShapes]*template

	appNames            map[int]*template // RFC 6759 options templates by name length
	elemTypes, exporter *template         // options templates, once declared
	nameApps            bool
	named               map[uint32]bool // applicationIds named so far
	names               []flow.App      // their names, in the order first named
	describe            bool            // describe enterprise elements of new templates
	described           []Element       // elements given a type record, in order
}

// NewEncoder returns an encoder that calls emit with each complete message.
// emit must not keep the slice: the encoder reuses it for the next message.
// An error from emit is returned by the call that completed the message;
// that message is dropped and every template is written again before its
// next use.
func NewEncoder(cfg EncoderConfig, emit func(msg []byte) error) *Encoder {
	max := cfg.MaxMessageSize
	if max <= 0 || max > maxMessageLen {
		max = maxMessageLen
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Encoder{domain: cfg.ObservationDomain, max: max, now: now, emit: emit,
		buf: make([]byte, 0, max), nameApps: cfg.NameApps}
}

// Stats returns what the encoder has emitted so far.
func (e *Encoder) Stats() EncoderStats { return e.stats }

// ResendTemplates makes the next message start with every template
// declared so far, as UDP export needs from time to time (RFC 7011 §8.4).
// Records already pending stay in the pending message. The options
// records that name applications and elements are not sent again:
// [Encoder.ResendAll] sends them with the templates.
func (e *Encoder) ResendTemplates() { e.resend = true }

// Add encodes a flow record into the pending message, first emitting the
// pending message when the record would not fit in it. The address family
// comes from r.Key's addresses (r.IPVersion is not read). It returns an error
// wrapping [ErrRecord] for a record that cannot be represented and
// [ErrTooLarge] for one that cannot fit in any message; nothing is
// written then.
func (e *Encoder) Add(r *flow.Record) error {
	s, err := recordShape(r)
	if err != nil {
		return err
	}
	if e.nameApps && r.App != nil && !e.named[r.App.ID] {
		if err := e.AddAppNames([]flow.App{{ID: r.App.ID, Name: r.App.Name}}); err != nil {
			return err
		}
	}
	t, err := e.flowTemplate(s)
	if err != nil {
		return err
	}
	n := t.minLen
	if r.App != nil {
		n += varLenSize(len(r.App.Name)) - 1 + metaExtra(s.group(), r.App.Meta)
	}
	b, err := e.reserve(t, n)
	if err != nil {
		return err
	}
	putFlow(b[:0], s, r)
	e.msgFlows++
	return nil
}

// Flush emits the pending message, if any.
func (e *Encoder) Flush() error {
	if len(e.buf) == 0 {
		return nil
	}
	e.closeSet()
	if len(e.buf) == headerLen {
		e.buf = e.buf[:0] // a message with no set is never worth sending
		return nil
	}
	msg := e.buf
	binary.BigEndian.PutUint16(msg[0:], version)
	binary.BigEndian.PutUint16(msg[2:], uint16(len(msg)))
	binary.BigEndian.PutUint32(msg[4:], uint32(e.now().Unix()))
	binary.BigEndian.PutUint32(msg[8:], e.seq)
	binary.BigEndian.PutUint32(msg[12:], e.domain)
	data, flows := e.msgData, e.msgFlows
	e.buf, e.msgData, e.msgFlows = e.buf[:0], 0, 0
	if err := e.emit(msg); err != nil {
		for _, t := range e.all {
			t.announced = false
		}
		return fmt.Errorf("emit message: %w", err)
	}
	// RFC 7011 §3.1: the sequence number counts data records, not
	// messages; template sets do not advance it.
	e.seq += uint32(data)
	e.stats.Messages++
	e.stats.DataRecords += data
	e.stats.FlowRecords += flows
	e.stats.Octets += uint64(len(msg))
	return nil
}

// flowTemplate returns the template of shape s, declaring it on first use.
func (e *Encoder) flowTemplate(s shape) (*template, error) {
	if t := e.flows[s]; t != nil {
		return t, nil
	}
	t, err := e.declare(0, flowFields(s))
	if err != nil {
		return nil, err
	}
	e.flows[s] = t
	return t, nil
}

// declare assigns the next template id to a new template.
func (e *Encoder) declare(scope int, fields []FieldSpec) (*template, error) {
	id := minDataSetID + len(e.all)
	if id > 0xffff {
		return nil, fmt.Errorf("template ids exhausted: %w", ErrTemplate)
	}
	t, err := newTemplate(uint16(id), scope, fields)
	if err != nil {
		return nil, err
	}
	if headerLen+setHeaderLen+t.wireLen() > e.max {
		return nil, fmt.Errorf("template of %d fields: %w", len(fields), ErrTooLarge)
	}
	e.all = append(e.all, t)
	if e.describe {
		if err := e.describeTemplate(t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// reserve makes room for a data record of n octets of template t in the
// pending message and returns it. The template's record goes ahead of it
// when the stream does not have it yet.
func (e *Encoder) reserve(t *template, n int) ([]byte, error) {
	if headerLen+setHeaderLen+n > e.max {
		return nil, fmt.Errorf("record of %d octets: %w", n, ErrTooLarge)
	}
	if len(e.buf) == 0 {
		// A message begun after ResendTemplates may already carry t.
		if err := e.begin(); err != nil {
			return nil, err
		}
	}
	if !t.announced {
		// Keep a new template in the message of its first record when
		// the two fit together.
		need := 2*setHeaderLen + t.wireLen() + n
		if len(e.buf) > headerLen && len(e.buf)+need > e.max {
			if err := e.Flush(); err != nil {
				return nil, err
			}
		}
		if err := e.announce(t); err != nil {
			return nil, err
		}
	}
	if err := e.room(t.id, n); err != nil {
		return nil, err
	}
	start := len(e.buf)
	e.buf = e.buf[:start+n]
	e.msgData++
	return e.buf[start:], nil
}

// announce writes t's template record into the pending message.
func (e *Encoder) announce(t *template) error {
	if len(e.buf) == 0 {
		if err := e.begin(); err != nil {
			return err
		}
		if t.announced { // begun with every template after ResendTemplates
			return nil
		}
	}
	if err := e.room(t.setID(), t.wireLen()); err != nil {
		return err
	}
	e.buf = t.appendRecord(e.buf)
	t.announced = true
	return nil
}

// room makes sure n more octets fit in an open set of the given id,
// beginning a message, emitting the pending one or opening the set as
// needed.
func (e *Encoder) room(setID uint16, n int) error {
	for {
		if len(e.buf) == 0 {
			if err := e.begin(); err != nil {
				return err
			}
		}
		need := n
		if e.setID != setID {
			need += setHeaderLen
		}
		if len(e.buf)+need <= e.max {
			if e.setID != setID {
				e.closeSet()
				e.setStart, e.setID = len(e.buf), setID
				e.buf = append(e.buf, byte(setID>>8), byte(setID), 0, 0)
			}
			return nil
		}
		if len(e.buf) == headerLen {
			return fmt.Errorf("%d octets: %w", n, ErrTooLarge)
		}
		if err := e.Flush(); err != nil {
			return err
		}
	}
}

// begin starts a message: a header to be filled in by Flush and, after
// ResendTemplates, every template.
func (e *Encoder) begin() error {
	e.buf = e.buf[:headerLen]
	e.setStart, e.setID = 0, 0
	if !e.resend {
		return nil
	}
	e.resend = false
	for _, options := range [2]bool{false, true} {
		for _, t := range e.all {
			if (t.scope > 0) != options {
				continue
			}
			if err := e.announce(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// closeSet writes the length of the open set.
func (e *Encoder) closeSet() {
	if e.setStart != 0 {
		binary.BigEndian.PutUint16(e.buf[e.setStart+2:], uint16(len(e.buf)-e.setStart))
	}
	e.setStart, e.setID = 0, 0
}

// varLenSize is the encoded size of a variable-length value of n octets:
// one length octet below 255, else 255 and a 2-octet length (RFC 7011 §7).
func varLenSize(n int) int {
	if n < 255 {
		return 1 + n
	}
	return 3 + n
}

// appendVarLen appends a variable-length value with its length prefix.
func appendVarLen(b []byte, v string) []byte {
	if len(v) < 255 {
		b = append(b, byte(len(v)))
	} else {
		b = append(b, 255, byte(len(v)>>8), byte(len(v)))
	}
	return append(b, v...)
}
