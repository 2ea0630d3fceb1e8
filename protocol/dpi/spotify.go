package dpi

import "bytes"

// Spotify Connect: clients announce themselves to the LAN with UDP
// broadcasts to port 57621 that open with "SpotUdp0". It is taken on its
// port with that text.

func spotifyDissector() Dissector {
	return Dissector{
		Name: "spotify", Proto: ProtoSpotify, Transports: UDP,
		UDPPorts: []uint16{57621},
		Start: func(info *FlowInfo) State {
			if !onPort(info, 57621) {
				return nil
			}
			return spotifyState
		},
	}
}

var spotifyState inspectFunc = func(in *Input, res *Result) Status {
	if !bytes.HasPrefix(in.Payload, []byte("SpotUdp0")) {
		return Reject
	}
	res.Set(ProtoSpotify)
	return Final
}
