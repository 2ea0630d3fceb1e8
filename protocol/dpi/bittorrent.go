package dpi

import (
	"bytes"
	"encoding/binary"
)

// BitTorrent: the peer wire handshake (BEP 3), byte 19 then "BitTorrent
// protocol", over TCP or inside uTP (BEP 29) after its 20-byte header;
// the DHT's bencoded queries and replies (BEP 5); and the UDP tracker's
// connect request with its 64-bit magic (BEP 15).

func bittorrentDissector() Dissector {
	return Dissector{
		Name: "bittorrent", Proto: ProtoBitTorrent, Transports: TCP | UDP,
		TCPPorts: []uint16{6881}, UDPPorts: []uint16{6881},
		Start: func(info *FlowInfo) State {
			if info.IPProto == IPProtoTCP {
				return newEitherSide(info, btStream)
			}
			return btDatagram
		},
	}
}

const (
	btHandshake   = "\x13BitTorrent protocol"
	btUTPHeader   = 20
	btTrackerID   = 0x41727101980 // BEP 15 protocol id
	btDHTMaxScan  = 512           // bytes of a DHT message searched for its type key
	btDHTMinBytes = 12
)

func btStream(_ *Input, b []byte, res *Result) Status {
	switch {
	case len(b) < len(btHandshake) && bytes.HasPrefix([]byte(btHandshake), b):
		return Continue
	case !bytes.HasPrefix(b, []byte(btHandshake)):
		return Reject
	}
	res.Set(ProtoBitTorrent)
	return Final
}

var btDatagram inspectFunc = func(in *Input, res *Result) Status {
	b := in.Payload
	switch {
	case btDHT(b):
	case len(b) >= btUTPHeader+len(btHandshake) && b[0]&0x0f == 1 &&
		bytes.HasPrefix(b[btUTPHeader:], []byte(btHandshake)):
	case len(b) == 16 && binary.BigEndian.Uint64(b) == btTrackerID &&
		binary.BigEndian.Uint32(b[8:]) == 0:
	default:
		return Reject
	}
	res.Set(ProtoBitTorrent)
	return Final
}

// btDHT reports whether b is a bencoded KRPC message: a dictionary that
// opens with a key of one letter and holds the message type "y" as q, r
// or e.
func btDHT(b []byte) bool {
	if len(b) < btDHTMinBytes || !bytes.HasPrefix(b, []byte("d1:")) || b[len(b)-1] != 'e' {
		return false
	}
	scan := b[:min(len(b), btDHTMaxScan)]
	return bytes.Contains(scan, []byte("1:y1:q")) || bytes.Contains(scan, []byte("1:y1:r")) ||
		bytes.Contains(scan, []byte("1:y1:e"))
}
