package dpi

import (
	"bytes"
	"encoding/binary"
)

// DHCP (RFC 2131) and BOOTP (RFC 951): a fixed 236-byte BOOTP header
// whose options start with the magic cookie 99.130.83.99 (RFC 2132 §2),
// which alone makes the datagram sure. The message type, and the first
// host name and vendor class a client gives, are kept: a flow of
// broadcasts carries many clients, and the first may name none.

func dhcpDissector() Dissector {
	return Dissector{
		Name: "dhcp", Proto: ProtoDHCP, Transports: UDP,
		UDPPorts: []uint16{67, 68},
		Start:    func(info *FlowInfo) State { return reuse[dhcpState](info) },
	}
}

const (
	dhcpOptionsAt = 240 // the options, after the header and the cookie
	dhcpCookie    = 0x63825363
	// dhcpMaxMessages is how many messages are read for a host name.
	dhcpMaxMessages = 8
	dhcpMaxOptions  = 128 // options read in one message
)

// dhcpState reads the flow's messages until one gives a host name.
type dhcpState struct{ messages uint8 }

func (s *dhcpState) Inspect(in *Input, res *Result) Status {
	b := in.Payload
	if !dhcpHeader(b) {
		if s.messages > 0 {
			return Match // something else on a DHCP flow changes nothing
		}
		return Reject
	}
	if s.messages == 0 {
		res.Set(ProtoDHCP)
	}
	s.messages++
	host, vendor, typ := dhcpOptions(b[dhcpOptionsAt:])
	if s.messages == 1 {
		res.Meta().dhcp().MessageType = typ
	}
	if vendor != nil && (res.meta.DHCP == nil || res.meta.DHCP.VendorClass == "") { // meta was made at the first message
		res.Meta().dhcp().VendorClass = Text(vendor, MaxAgent)
	}
	if host != nil {
		res.Meta().dhcp().HostName = Name(host)
		return Final
	}
	if s.messages >= dhcpMaxMessages {
		return Final
	}
	return Match
}

// dhcpHeader reports whether b is a BOOTP message with the DHCP cookie.
func dhcpHeader(b []byte) bool {
	return len(b) >= dhcpOptionsAt && (b[0] == 1 || b[0] == 2) && b[2] <= 16 &&
		binary.BigEndian.Uint32(b[236:]) == dhcpCookie
}

// dhcpOptions returns the host name (12), vendor class (60) and message
// type (53) options, nil or 0 where absent, reading until the end option
// or a damaged one.
func dhcpOptions(b []byte) (host, vendor []byte, typ uint8) {
	for range dhcpMaxOptions {
		if len(b) == 0 || b[0] == 255 {
			break
		}
		if b[0] == 0 {
			b = b[1:]
			continue
		}
		if len(b) < 2 || int(b[1]) > len(b)-2 {
			break
		}
		code, v := b[0], b[2:2+int(b[1])]
		switch {
		case code == 12 && host == nil:
			host = bytes.TrimRight(v, "\x00") // some clients count a final NUL
			if len(host) == 0 {
				host = nil
			}
		case code == 60 && len(v) > 0 && vendor == nil:
			vendor = v
		case code == 53 && len(v) == 1:
			typ = v[0]
		}
		b = b[2+len(v):]
	}
	return host, vendor, typ
}
