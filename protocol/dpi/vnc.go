package dpi

import "bytes"

// VNC's remote framebuffer protocol (RFC 6143 §7.1.1): both sides open
// with a 12-byte version, "RFB 003.008\n" and the like.

func vncDissector() Dissector {
	return Dissector{
		Name: "vnc", Proto: ProtoVNC, Transports: TCP,
		TCPPorts: []uint16{5900},
		Start:    func(info *FlowInfo) State { return newEitherSide(info, vncCheck) },
	}
}

const vncVersionLen = 12

func vncCheck(_ *Input, b []byte, res *Result) Status {
	const prefix = "RFB 0"
	switch {
	case len(b) < len(prefix) && bytes.HasPrefix([]byte(prefix), b):
		return Continue
	case !bytes.HasPrefix(b, []byte(prefix)):
		return Reject
	case len(b) < vncVersionLen:
		return Continue
	}
	v := b[:vncVersionLen]
	if !isDigits(v[4:7]) || v[7] != '.' || !isDigits(v[8:11]) || v[11] != '\n' {
		return Reject
	}
	res.Set(ProtoVNC)
	return Final
}
