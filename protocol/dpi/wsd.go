package dpi

import "bytes"

// WS-Discovery (OASIS WS-Discovery 1.1), with which Windows finds
// printers and other devices: SOAP envelopes over UDP, multicast to port
// 3702, naming the discovery namespace. It is taken on its port with an
// XML document that names it.

func wsdDissector() Dissector {
	return Dissector{
		Name: "wsd", Proto: ProtoWSD, Transports: UDP,
		UDPPorts: []uint16{3702},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 3702) {
				return nil
			}
			return wsdState
		},
	}
}

// wsdScan bounds the bytes searched for the namespace.
const wsdScan = 2048

var wsdState inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	scan := b[:min(len(b), wsdScan)]
	if len(b) == 0 || b[0] != '<' || !bytes.Contains(scan, []byte("/discovery")) {
		return Reject
	}
	res.Set(ProtoWSD)
	return Final
}
