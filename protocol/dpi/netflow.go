package dpi

import "encoding/binary"

// Flow export: NetFlow version 5 (a 24-byte header and count records of
// 48 bytes), version 9 (RFC 3954: a 20-byte header, then flowsets each
// with an id and a length, filling the datagram) and IPFIX (RFC 7011: a
// 16-byte header whose length is the message's, then sets likewise).
// nDPI names all three NetFlow.

func netflowDissector() Dissector {
	return Dissector{
		Name: "netflow", Proto: ProtoNetFlow, Transports: UDP,
		UDPPorts: []uint16{2055, 4739, 9995, 9996},
		Start:    func(*FlowInfo) State { return netflowState },
	}
}

const (
	nf5Header, nf5Record   = 24, 48
	nf5MaxCount            = 30
	nf9Header, ipfixHead   = 20, 16
	nfMaxSets              = 64
	ipfixTemplateSet       = 2
	ipfixOptionsSet        = 3
	nf9TemplateFlowset     = 0
	nf9OptionsFlowset      = 1
	nfFirstDataSet         = 256
	nfMinSetLen            = 4
	nfVersion5, nfVersion9 = 5, 9
	ipfixVersion           = 10
)

var netflowState inspectFunc = func(in *Input, res *Result) Status {
	if !netflowMessage(in.Payload) {
		return Reject
	}
	res.Set(ProtoNetFlow)
	return Final
}

// netflowMessage reports whether b is one NetFlow v5, v9 or IPFIX message.
func netflowMessage(b []byte) bool {
	if len(b) < ipfixHead {
		return false
	}
	switch binary.BigEndian.Uint16(b) {
	case nfVersion5:
		count := int(binary.BigEndian.Uint16(b[2:]))
		return count >= 1 && count <= nf5MaxCount && len(b) == nf5Header+nf5Record*count
	case nfVersion9:
		return len(b) > nf9Header && binary.BigEndian.Uint16(b[2:]) > 0 &&
			nfSets(b[nf9Header:], nf9TemplateFlowset, nf9OptionsFlowset)
	case ipfixVersion:
		return int(binary.BigEndian.Uint16(b[2:])) == len(b) && len(b) > ipfixHead &&
			nfSets(b[ipfixHead:], ipfixTemplateSet, ipfixOptionsSet)
	}
	return false
}

// nfSets reports whether b is sets (or flowsets) that fill it exactly:
// each a template set, an options template set or a data set (id 256
// and up), with a length covering its 4-byte header.
func nfSets(b []byte, template, options uint16) bool {
	for range nfMaxSets {
		if len(b) < nfMinSetLen {
			return false
		}
		id, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if id != template && id != options && id < nfFirstDataSet || n < nfMinSetLen || n > len(b) {
			return false
		}
		if b = b[n:]; len(b) == 0 {
			return true
		}
	}
	return false
}
