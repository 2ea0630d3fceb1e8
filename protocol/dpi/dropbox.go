package dpi

import "bytes"

// Dropbox LAN sync: clients announce themselves to the LAN with UDP
// broadcasts to port 17500, a JSON object with a "host_int" member. It is
// taken on its port with that text.

func dropboxDissector() Dissector {
	return Dissector{
		Name: "dropbox", Proto: ProtoDropbox, Transports: UDP,
		UDPPorts: []uint16{17500},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 17500) {
				return nil
			}
			return dropboxState
		},
	}
}

// dropboxScan bounds the bytes searched for the key.
const dropboxScan = 256

var dropboxState inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	scan := b[:min(len(b), dropboxScan)]
	if len(b) < 2 || b[0] != '{' || !bytes.Contains(scan, []byte(`"host_int"`)) {
		return Reject
	}
	res.Set(ProtoDropbox)
	return Final
}
