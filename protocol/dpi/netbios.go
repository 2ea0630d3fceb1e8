package dpi

import "encoding/binary"

// NetBIOS over TCP/IP (RFC 1002): the name service (UDP 137, a DNS-like
// header over names in "first-level encoding", 32 letters A to P), the
// datagram service (UDP 138) and the session service's setup (TCP 139).
// A NetBIOS name spelt out in 32 such letters is a sure sign by itself.
// The name asked for, or the datagram's sender, is kept.
//
// A datagram that carries SMB (browser announcements) is reported as
// nDPI does, with application SMBv1. Session messages carrying SMB belong
// to the SMB dissector.

func netbiosDissector() Dissector {
	return Dissector{
		Name: "netbios", Proto: ProtoNetBIOS, Transports: TCP | UDP,
		TCPPorts: []uint16{139}, UDPPorts: []uint16{137, 138},
		Start: func(info *FlowInfo) State {
			if info.IPProto == IPProtoTCP {
				return newEitherSide(info, netbiosSession)
			}
			return reuse[netbiosUDPState](info)
		},
	}
}

const (
	nbEncodedLen = 32 // letters of an encoded name (RFC 1001 §14.1)
	nbNameLen    = 16 // bytes of a decoded name, the type suffix last
	// nbBadLimit is how many datagrams that are not NetBIOS a flow may
	// start with: a damaged one may come before an intact one.
	nbBadLimit = 3
)

// netbiosUDPState reads the first NetBIOS datagram of a flow.
type netbiosUDPState struct{ bad uint8 }

func (s *netbiosUDPState) Inspect(in *Input, res *Result) Status {
	b := in.Payload
	name, app, ok := nbNameService(b)
	if !ok {
		name, app, ok = nbDatagram(b)
	}
	if !ok {
		if s.bad++; s.bad >= nbBadLimit {
			return Reject
		}
		return Continue
	}
	res.Set(ProtoNetBIOS)
	if app != ProtoUnknown {
		res.SetApp(app)
	}
	if name != nil {
		nbKeep(name, res)
	}
	return Final
}

// nbNameService reads a name service packet (RFC 1002 §4.2.1) and returns
// the encoded name of its first question, or of its first answer when it
// has none. The name, 32 letters from A to P, is what tells: the header
// around it is not checked further, so a packet with a damaged flag or
// type is still read.
func nbNameService(b []byte) (name []byte, app Proto, ok bool) {
	if len(b) < 12+1+nbEncodedLen+1+4 {
		return nil, 0, false
	}
	qd, an := binary.BigEndian.Uint16(b[4:]), binary.BigEndian.Uint16(b[6:])
	if qd == 0 && an == 0 {
		return nil, 0, false
	}
	name, rest, ok := nbName(b[12:])
	if !ok || len(rest) < 4 {
		return nil, 0, false
	}
	return name, 0, true
}

// nbDatagram reads a datagram service packet (RFC 1002 §4.4) and returns
// its source name (its destination's for a query).
func nbDatagram(b []byte) (name []byte, app Proto, ok bool) {
	if len(b) < 10 {
		return nil, 0, false
	}
	switch typ := b[0]; {
	case typ >= 0x10 && typ <= 0x12: // direct unique, direct group, broadcast
		if len(b) < 14 {
			return nil, 0, false
		}
		src, rest, ok := nbName(b[14:])
		if !ok {
			return nil, 0, false
		}
		if _, rest, ok = nbName(rest); !ok {
			return nil, 0, false
		}
		if len(rest) >= 4 && string(rest[:4]) == "\xffSMB" {
			app = ProtoSMBv1
		}
		return src, app, true
	case typ >= 0x14 && typ <= 0x16: // query request, positive, negative response
		dst, _, ok := nbName(b[10:])
		return dst, 0, ok
	}
	return nil, 0, false
}

// nbName reads an encoded NetBIOS name with its scope labels and final
// zero, and returns the 32 letters and what follows.
func nbName(b []byte) (enc, rest []byte, ok bool) {
	if len(b) < 1+nbEncodedLen+1 || b[0] != nbEncodedLen {
		return nil, nil, false
	}
	enc = b[1 : 1+nbEncodedLen]
	for _, c := range enc {
		if c < 'A' || c > 'P' {
			return nil, nil, false
		}
	}
	rest = b[1+nbEncodedLen:]
	for range 16 { // scope labels, then the root
		if len(rest) == 0 || int(rest[0]) >= len(rest) || rest[0] > 63 {
			return nil, nil, false
		}
		n := int(rest[0])
		rest = rest[1+n:]
		if n == 0 {
			return enc, rest, true
		}
	}
	return nil, nil, false
}

// nbKeep decodes an encoded name into the flow's metadata: the first 15
// bytes without the spaces that pad them, then the type suffix.
func nbKeep(enc []byte, res *Result) {
	var raw [nbNameLen]byte
	for i := range raw {
		raw[i] = (enc[2*i]-'A')<<4 | (enc[2*i+1] - 'A')
	}
	n := nbNameLen - 1
	for n > 0 && (raw[n-1] == ' ' || raw[n-1] == 0) {
		n--
	}
	m := res.Meta()
	m.netbios().Name, m.netbios().Suffix = Name(raw[:n]), raw[nbNameLen-1]
}

// netbiosSession reads the first session service packet of a side
// (RFC 1002 §4.3): a session request with the called and calling names,
// a response to one, or a keepalive. Session messages (type 0) are left
// to the SMB dissector.
func netbiosSession(in *Input, b []byte, res *Result) Status {
	if len(b) < 4 {
		return Continue
	}
	n := int(binary.BigEndian.Uint16(b[2:])) | int(b[1]&1)<<16
	switch {
	case b[1]&^1 != 0:
		return Reject
	case b[0] == 0x81: // session request
		if n < 2*(2+nbEncodedLen) {
			return Reject
		}
		if len(b) < 4+n {
			return Continue
		}
		called, rest, ok := nbName(b[4:])
		if !ok {
			return Reject
		}
		if _, _, ok := nbName(rest); !ok {
			return Reject
		}
		res.Set(ProtoNetBIOS)
		nbKeep(called, res)
		return Final
	case b[0] == 0x82 && n == 0,
		b[0] == 0x83 && n == 1 && len(b) >= 5 && b[4] >= 0x80 && b[4] <= 0x8f:
		// A response to a request the capture did not show: a few bytes,
		// taken only on the session port. A lone keepalive (0x85) is too
		// weak to tell.
		if len(b) != 4+n || !onPort(in.Flow, 139) {
			return Reject
		}
		res.Set(ProtoNetBIOS)
		return Final
	}
	return Reject
}
