package dpi

import "encoding/binary"

// IKE, the key exchange of IPsec (RFC 2408 for IKEv1, RFC 7296 for
// IKEv2), on UDP 500, or 4500 behind NAT where a 4-byte zero marker comes
// first (RFC 3948 §2.2): initiator and responder SPIs, the next payload,
// the version (1.0 or 2.0), an exchange type, flags, a message id and a
// length that covers the datagram. nDPI names it IPsec.

func ikeDissector() Dissector {
	return Dissector{
		Name: "ike", Proto: ProtoIPsec, Transports: UDP,
		UDPPorts: []uint16{500, 4500},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 500, 4500) {
				return nil
			}
			return reuse[ikeState](info)
		},
	}
}

const (
	ikeHeaderLen = 28
	// ikeBadLimit is how many other datagrams may come first: NAT
	// keepalives (one 0xFF byte) and ESP on port 4500.
	ikeBadLimit = 3
)

type ikeState struct{ bad uint8 }

func (s *ikeState) Inspect(in *Input, res *Result) Status {
	b := in.Payload
	if len(b) >= 4 && binary.BigEndian.Uint32(b) == 0 {
		b = b[4:] // the non-ESP marker of port 4500
	}
	if !ikeHeader(b) {
		if s.bad++; s.bad >= ikeBadLimit {
			return Reject
		}
		return Continue
	}
	res.Set(ProtoIPsec)
	return Final
}

// ikeHeader reports whether b is an IKE message.
func ikeHeader(b []byte) bool {
	if len(b) < ikeHeaderLen || binary.BigEndian.Uint64(b) == 0 {
		return false // no initiator SPI
	}
	next, version, exchange := b[16], b[17], b[18]
	switch {
	case version != 0x10 && version != 0x20:
		return false
	case next > 53 || next > 0 && next < 33 && version == 0x20:
		return false
	case !ikeExchange(exchange, version):
		return false
	}
	return int(binary.BigEndian.Uint32(b[24:])) == len(b)
}

// ikeExchange reports whether t is an exchange type of the version.
func ikeExchange(t, version byte) bool {
	if version == 0x10 {
		return t >= 1 && t <= 6 || t == 32 || t == 33 // RFC 2408 §3.1, RFC 2409
	}
	return t >= 34 && t <= 37 || t == 43 // RFC 7296 §3.1, RFC 9242
}
