package dpi

import "encoding/binary"

// SMB over TCP: each message has a 4-byte NetBIOS session header (type 0
// and a length, RFC 1002 §4.3.6, also on port 445, MS-SMB2 §2.1), then
// the SMB header's protocol id: 0xFF "SMB" for SMB 1 (MS-CIFS §2.2.3.1),
// 0xFE "SMB" for SMB 2 and 3, 0xFD and 0xFC "SMB" for SMB 3's encrypted
// and compressed messages. nDPI names the two families SMBv1 and SMBv23.

func smbDissector() Dissector {
	return Dissector{
		Name: "smb", Proto: ProtoSMBv23, Transports: TCP,
		TCPPorts: []uint16{445},
		Start:    func(info *FlowInfo) State { return newEitherSide(info, smbCheck) },
	}
}

// smbMinHeader is the smallest SMB header of any version (SMB 1's).
const smbMinHeader = 32

func smbCheck(_ *Input, b []byte, res *Result) Status {
	if len(b) < 8 {
		if len(b) > 0 && b[0] != 0 {
			return Reject
		}
		return Continue
	}
	n := int(binary.BigEndian.Uint32(b))
	if n>>24 != 0 || n < smbMinHeader || string(b[5:8]) != "SMB" {
		return Reject
	}
	switch b[4] {
	case 0xff:
		res.Set(ProtoSMBv1)
	case 0xfe, 0xfd, 0xfc:
		res.Set(ProtoSMBv23)
	default:
		return Reject
	}
	return Final
}
