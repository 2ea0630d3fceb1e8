package dpi

import "bytes"

// SSDP, UPnP's discovery (UPnP Device Architecture 2.0 §1): HTTP-shaped
// messages over UDP, multicast to port 1900. A search ("M-SEARCH *") or
// an announcement ("NOTIFY *") names itself by its request line; a reply
// to a search is an HTTP response that carries the search target (ST)
// and a unique service name (USN).

func ssdpDissector() Dissector {
	return Dissector{
		Name: "ssdp", Proto: ProtoSSDP, Transports: UDP,
		UDPPorts: []uint16{1900},
		Start:    func(*FlowInfo) State { return ssdpState },
	}
}

// ssdpMaxHeaders bounds the header lines a reply is searched for ST/USN.
const ssdpMaxHeaders = 32

var ssdpState inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	ln, rest, ok := line(b)
	switch {
	case !ok:
		return Reject
	case bytes.Equal(ln, []byte("M-SEARCH * HTTP/1.1")),
		bytes.Equal(ln, []byte("NOTIFY * HTTP/1.1")):
	case hasPrefixFold(ln, "HTTP/1.1 200") && ssdpReply(rest):
	default:
		return Reject
	}
	res.Set(ProtoSSDP)
	return Final
}

// ssdpReply reports whether the header lines hold both ST and USN.
func ssdpReply(b []byte) bool {
	st, usn := false, false
	for range ssdpMaxHeaders {
		ln, rest, ok := line(b)
		if !ok || len(ln) == 0 {
			break
		}
		st = st || hasPrefixFold(ln, "ST:")
		usn = usn || hasPrefixFold(ln, "USN:")
		b = rest
	}
	return st && usn
}
