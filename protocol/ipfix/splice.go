package ipfix

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Renumber rewrites one IPFIX message in place so that it can follow, in
// the same stream, messages whose templates use the ids below 256+shift
// and which carried seq data records: every template id from 256 up (in
// template and options template records, withdrawals included, and in
// data set ids) is raised by shift, and the sequence number by seq
// (modulo 2^32, RFC 7011 §3.1). It returns the highest template id the
// message uses after the shift, 0 when it uses none. A malformed message
// gives a *DecodeError, as [Decoder.Decode] would; the message may then
// be partly rewritten.
func Renumber(msg []byte, shift uint16, seq uint32) (uint16, error) {
	if len(msg) < headerLen {
		return 0, decodeErr(0, ErrLength, "message of %d octets", len(msg))
	}
	if v := binary.BigEndian.Uint16(msg); v != version {
		return 0, decodeErr(0, ErrVersion, "version %d", v)
	}
	if n := int(binary.BigEndian.Uint16(msg[2:])); n != len(msg) {
		return 0, decodeErr(0, ErrLength, "message length %d, %d octets given", n, len(msg))
	}
	binary.BigEndian.PutUint32(msg[8:], binary.BigEndian.Uint32(msg[8:])+seq)
	var top uint16
	for off := headerLen; off < len(msg); {
		if len(msg)-off < setHeaderLen {
			return 0, decodeErr(int64(off), ErrSetLength, "%d octets left for a set header", len(msg)-off)
		}
		id := binary.BigEndian.Uint16(msg[off:])
		n := int(binary.BigEndian.Uint16(msg[off+2:]))
		if n < setHeaderLen || off+n > len(msg) {
			return 0, decodeErr(int64(off), ErrSetLength, "set length %d", n)
		}
		body := msg[off+setHeaderLen : off+n]
		var err error
		switch {
		case id == setTemplates || id == setOptionsTemplates:
			err = renumberTemplates(body, id == setOptionsTemplates, shift, &top)
		case id >= minDataSetID:
			err = shiftID(msg[off:], shift, &top)
		default:
			return 0, decodeErr(int64(off), ErrSetID, "set id %d", id)
		}
		if err != nil {
			return 0, decodeErr(int64(off), ErrTemplate, "%v", err)
		}
		off += n
	}
	return top, nil
}

// errIDs means a shifted template id would pass 65535.
var errIDs = errors.New("template ids exhausted")

// shiftID raises the template id at b[0:2] by shift if it is one of
// a data set (256 and up).
func shiftID(b []byte, shift uint16, top *uint16) error {
	id := binary.BigEndian.Uint16(b)
	if id < minDataSetID {
		return nil
	}
	v := uint32(id) + uint32(shift)
	if v > 0xffff {
		return fmt.Errorf("id %d + %d: %w", id, shift, errIDs)
	}
	binary.BigEndian.PutUint16(b, uint16(v))
	*top = max(*top, uint16(v))
	return nil
}

// renumberTemplates shifts the id of every record of a template or
// options template set body. Fewer than 4 octets left are padding.
func renumberTemplates(b []byte, options bool, shift uint16, top *uint16) error {
	for len(b) >= 4 {
		count := int(binary.BigEndian.Uint16(b[2:]))
		if err := shiftID(b, shift, top); err != nil {
			return err
		}
		if count == 0 { // a withdrawal: id and count only
			b = b[4:]
			continue
		}
		at := 4
		if options {
			at = 6
		}
		for range count {
			if at+4 > len(b) {
				return fmt.Errorf("template record runs past its set")
			}
			if binary.BigEndian.Uint16(b[at:])&0x8000 != 0 {
				at += 4 // enterprise number
			}
			at += 4
		}
		if at > len(b) {
			return fmt.Errorf("template record runs past its set")
		}
		b = b[at:]
	}
	return nil
}

// SpliceStats says what [Splice] copied.
type SpliceStats struct {
	Messages uint64
	Octets   int64
	// TopID is the highest template id written, 0 when none: a stream
	// spliced after this one takes shift TopID-255.
	TopID uint16
}

// Splice copies the RFC 5655 stream src to dst, renumbering every message
// with [Renumber](msg, shift, seq), so that src can follow in one stream
// messages whose templates use ids below 256+shift and which carried seq
// data records. It stops at the end of src, at the first malformed
// message (a *DecodeError whose offset counts from the start of src) or
// at a read or write error.
func Splice(dst io.Writer, src io.Reader, shift uint16, seq uint32) (SpliceStats, error) {
	var st SpliceStats
	buf := make([]byte, maxMessageLen)
	for {
		n, err := io.ReadFull(src, buf[:headerLen])
		switch {
		case err == io.EOF:
			return st, nil
		case errors.Is(err, io.ErrUnexpectedEOF):
			return st, decodeErr(st.Octets, ErrTruncated, "stream ends %d octets into a message header", n)
		case err != nil:
			return st, fmt.Errorf("read message at offset %d: %w", st.Octets, err)
		}
		length := int(binary.BigEndian.Uint16(buf[2:]))
		if length < headerLen {
			return st, decodeErr(st.Octets, ErrLength, "message length %d", length)
		}
		if _, err := io.ReadFull(src, buf[headerLen:length]); err != nil {
			return st, decodeErr(st.Octets, ErrTruncated, "message length %d: %v", length, err)
		}
		top, err := Renumber(buf[:length], shift, seq)
		if err != nil {
			var de *DecodeError
			if errors.As(err, &de) {
				de.Offset += st.Octets
			}
			return st, err
		}
		if _, err := dst.Write(buf[:length]); err != nil {
			return st, fmt.Errorf("write message: %w", err)
		}
		st.Messages++
		st.Octets += int64(length)
		st.TopID = max(st.TopID, top)
	}
}
