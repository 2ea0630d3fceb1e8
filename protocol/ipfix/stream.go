package ipfix

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ReadMessages decodes an RFC 5655 stream (messages back to back, as in an
// IPFIX file) with a new [Decoder] and calls fn with each message in
// order. It returns nil at the end of the stream, fn's error unchanged, a
// *DecodeError (offset from the start of the stream) for a broken
// message, or a read error. Each message has its own buffer, so messages
// stay valid after fn returns.
func ReadMessages(r io.Reader, fn func(*Message) error) error {
	d := NewDecoder()
	var hdr [headerLen]byte
	for off := int64(0); ; {
		n, err := io.ReadFull(r, hdr[:])
		switch {
		case err == io.EOF:
			return nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return decodeErr(off, ErrTruncated, "stream ends %d octets into a message header", n)
		case err != nil:
			return fmt.Errorf("read message at offset %d: %w", off, err)
		}
		if v := binary.BigEndian.Uint16(hdr[0:]); v != version {
			return decodeErr(off, ErrVersion, "version %d", v)
		}
		length := int(binary.BigEndian.Uint16(hdr[2:]))
		if length < headerLen {
			return decodeErr(off, ErrLength, "message length %d", length)
		}
		msg := make([]byte, length) // at most 65535 octets
		copy(msg, hdr[:])
		if n, err := io.ReadFull(r, msg[headerLen:]); err != nil {
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				return decodeErr(off, ErrTruncated, "message length %d, stream ends after %d",
					length, headerLen+n)
			}
			return fmt.Errorf("read message at offset %d: %w", off, err)
		}
		m, err := d.decode(msg, off)
		if err != nil {
			return err
		}
		if err := fn(m); err != nil {
			return err
		}
		off += int64(length)
	}
}

// ReadAll decodes a whole stream like [ReadMessages] and returns its
// messages. Warnings stay in the messages.
func ReadAll(r io.Reader) ([]*Message, error) {
	var msgs []*Message
	err := ReadMessages(r, func(m *Message) error {
		msgs = append(msgs, m)
		return nil
	})
	return msgs, err
}

// ReadAllStrict is [ReadAll] for checkers: the first warning of any
// message fails it with a *DecodeError wrapping [ErrWarning]. The
// messages decoded so far come back with the error.
func ReadAllStrict(r io.Reader) ([]*Message, error) {
	var msgs []*Message
	err := ReadMessages(r, func(m *Message) error {
		msgs = append(msgs, m)
		if len(m.Warnings) > 0 {
			w := m.Warnings[0]
			return &DecodeError{Offset: w.Offset, Err: fmt.Errorf("%s: %w", w.Text, ErrWarning)}
		}
		return nil
	})
	return msgs, err
}

// DataRecords returns the data records of msgs that were described by a
// template that is not an options template, in stream order.
func DataRecords(msgs []*Message) []*Record {
	var recs []*Record
	for _, m := range msgs {
		for i := range m.Sets {
			for j := range m.Sets[i].Records {
				if r := &m.Sets[i].Records[j]; !r.Options() {
					recs = append(recs, r)
				}
			}
		}
	}
	return recs
}
