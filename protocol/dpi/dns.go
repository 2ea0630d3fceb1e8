package dpi

import "encoding/binary"

// DNS, and the two protocols that use its message format on their own
// ports: LLMNR (RFC 4795, port 5355) and mDNS (RFC 6762, port 5353). The
// header alone is weak evidence, so each is tried only on its port, as
// nDPI does. Over TCP every message has a 2-byte length in front
// (RFC 1035 §4.2.2, RFC 7766).

func dnsDissector() Dissector   { return dnsFamily("dns", ProtoDNS, 53) }
func llmnrDissector() Dissector { return dnsFamily("llmnr", ProtoLLMNR, 5355) }
func mdnsDissector() Dissector  { return dnsFamily("mdns", ProtoMDNS, 5353) }

func dnsFamily(name string, p Proto, port uint16) Dissector {
	return Dissector{
		Name: name, Proto: p, Transports: TCP | UDP,
		TCPPorts: []uint16{port}, UDPPorts: []uint16{port},
		Start: func(info *FlowInfo) State {
			if info.Initiator.Port() != port && info.Responder.Port() != port {
				return nil
			}
			s := reuse[dnsState](info)
			s.proto, s.tcp = p, info.IPProto == IPProtoTCP
			return s
		},
	}
}

// dnsBadLimit is how many datagrams that are not DNS a UDP flow on a DNS
// port may start with before the dissector gives up: a retransmission may
// follow a damaged query.
const dnsBadLimit = 3

// dnsState follows the first query of a flow to its response.
type dnsState struct {
	proto   Proto
	tcp     bool
	matched bool
	queried bool   // a query was seen: wait for its response
	id      uint16 // the query's id
	bad     uint8  // messages that were not DNS
}

func (s *dnsState) Inspect(in *Input, res *Result) Status {
	msg := in.Payload
	if s.tcp {
		msg = in.Stream[in.Dir]
		if len(msg) < 2 {
			return Continue
		}
		n := int(binary.BigEndian.Uint16(msg))
		if n < dnsHeaderLen {
			return s.reject()
		}
		msg = msg[2:min(len(msg), 2+n)]
	}
	if s.tcp && len(msg) < dnsHeaderLen {
		return s.wait() // the rest of the message is still to come
	}
	var name [dnsMaxName]byte
	m, err := parseDNS(msg, name[:0])
	switch {
	case err == errDNSShort && s.tcp && len(msg) < MaxStreamBytes-2:
		return s.wait()
	case err == errDNSHeader || err != nil && !m.plausible:
		return s.reject()
	case err == errDNSShort && len(msg) == dnsHeaderLen:
		return s.reject() // a header alone (a capture cut at it) proves nothing
	case s.matched && (!m.response || s.queried && m.id != s.id):
		if err == nil {
			s.fillName(res, &m) // a retransmission may be the first intact copy
		}
		return Continue
	}
	if !s.matched {
		res.Set(s.proto)
		s.matched = true
	}
	if err == nil {
		s.fillName(res, &m)
	}
	if m.response {
		meta := res.Meta()
		meta.dns().RCode, meta.dns().Response = m.rcode, true
		return Final
	}
	s.queried, s.id = true, m.id
	return Match
}

func (s *dnsState) wait() Status {
	if s.matched {
		return Match
	}
	return Continue
}

// fillName records the name and type of m unless a name is known already.
func (s *dnsState) fillName(res *Result, m *dnsMessage) {
	if res.meta != nil && res.meta.DNS != nil && res.meta.DNS.Name != "" {
		return
	}
	meta := res.Meta()
	meta.dns().Name, meta.dns().Type = Name(m.name), m.qtype
}

// reject gives up on the flow, unless it matched already (what follows,
// a reused port or junk, does not undo that) or it is a UDP flow that may
// still bring an intact message.
func (s *dnsState) reject() Status {
	if s.bad++; s.matched || !s.tcp && s.bad < dnsBadLimit {
		return Continue
	}
	return Reject
}
