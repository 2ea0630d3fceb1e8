package dpi

import (
	"encoding/binary"
	"errors"
)

const (
	dnsHeaderLen = 12
	dnsMaxName   = 255 // RFC 1035 §2.3.4: a name is at most 255 octets
	dnsMaxJumps  = 16  // compression pointers followed in one name
)

var (
	errDNSShort  = errors.New("dns message cut short")
	errDNSBad    = errors.New("damaged dns message")
	errDNSHeader = errors.New("not a dns header")
)

// dnsMessage is what the DNS dissectors read from a message: its header
// and the first question (or, in a message without one, the first
// answer's owner name and type).
type dnsMessage struct {
	// plausible is set when the header reads like DNS even if what
	// follows it does not: a damaged message on a DNS port is still DNS.
	plausible bool
	id        uint16
	response  bool
	rcode     uint8
	qtype     uint16
	name      []byte // dotted, without the final dot; "" for the root
}

// parseDNS reads the header and first record of a DNS message. The name
// is written into buf (cap dnsMaxName) and returned in the message.
// It returns errDNSHeader when b cannot be a DNS message, errDNSShort when
// it ends before the first record does and errDNSBad when the record is
// damaged.
func parseDNS(b, buf []byte) (dnsMessage, error) {
	var m dnsMessage
	if len(b) < dnsHeaderLen {
		return m, errDNSHeader
	}
	flags := binary.BigEndian.Uint16(b[2:])
	qd := binary.BigEndian.Uint16(b[4:])
	an := binary.BigEndian.Uint16(b[6:])
	ns := binary.BigEndian.Uint16(b[8:])
	ar := binary.BigEndian.Uint16(b[10:])
	m.id, m.response, m.rcode = binary.BigEndian.Uint16(b), flags&0x8000 != 0, uint8(flags&0xf)
	switch op := flags >> 11 & 0xf; {
	case op == 3 || op > 6: // RFC 6895: 0-2 and 4-6 are assigned
		return m, errDNSHeader
	case qd > 32 || qd == 0 && (!m.response || an == 0): // nothing asked or answered
		return m, errDNSHeader
	}
	m.plausible = true
	if an > 512 || ns > 512 || ar > 512 {
		return m, errDNSBad
	}
	name, off, err := dnsName(b, dnsHeaderLen, buf)
	if err != nil {
		return m, err
	}
	if len(b) < off+4 {
		return m, errDNSShort
	}
	m.name, m.qtype = name, binary.BigEndian.Uint16(b[off:])
	if class := binary.BigEndian.Uint16(b[off+2:]) & 0x7fff; qd > 0 && !dnsClass(class) {
		return m, errDNSBad // the top bit is mDNS's unicast-response flag
	}
	return m, nil
}

// dnsClass reports whether c is a class a question may carry.
func dnsClass(c uint16) bool {
	switch c {
	case 1, 3, 4, 254, 255: // IN, CH, HS, NONE, ANY
		return true
	}
	return false
}

// dnsName reads the name at off, following compression pointers
// (RFC 1035 §4.1.4), into buf. It returns the name and the offset just
// past it in the message.
func dnsName(b []byte, off int, buf []byte) ([]byte, int, error) {
	end, jumps := -1, 0
	for {
		if off >= len(b) {
			return nil, 0, errDNSShort
		}
		l := int(b[off])
		switch {
		case l == 0:
			if end < 0 {
				end = off + 1
			}
			return buf, end, nil
		case l&0xc0 == 0xc0:
			if off+1 >= len(b) {
				return nil, 0, errDNSShort
			}
			if jumps++; jumps > dnsMaxJumps {
				return nil, 0, errDNSBad
			}
			if end < 0 {
				end = off + 2
			}
			ptr := int(binary.BigEndian.Uint16(b[off:]) & 0x3fff)
			if ptr >= off && end == off+2 && jumps == 1 || ptr < dnsHeaderLen {
				return nil, 0, errDNSBad // a first pointer must point back
			}
			off = ptr
			continue
		case l > 63:
			return nil, 0, errDNSBad // the 01 and 10 label types are unused
		}
		if off+1+l > len(b) {
			return nil, 0, errDNSShort
		}
		if len(buf)+l+1 > dnsMaxName {
			return nil, 0, errDNSBad
		}
		if len(buf) > 0 {
			buf = append(buf, '.')
		}
		buf = append(buf, b[off+1:off+1+l]...)
		off += 1 + l
	}
}
