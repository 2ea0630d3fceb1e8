package dpi

import "testing"

const spotifyHello = "SpotUdp0\x71\x8a\x21\xa9\xe0\x5e\x1d\x3b\x00\x01\x00\x04\x48\x95\xc2\x03\xda\x2f\x14\x6e"

func TestSpotify(t *testing.T) {
	info := flowInfo(IPProtoUDP, 57621, 57621)
	tests := []flowCase{
		{name: "LAN discovery", info: info, pkts: []pkt{{data: spotifyHello}}, want: ProtoSpotify},
		{name: "off its port", info: flowInfo(IPProtoUDP,
			40000, 40001), pkts: []pkt{{data: spotifyHello}}},
		{name: "another greeting", info: info, pkts: []pkt{{data: "SpotUdp1" + spotifyHello[8:]}}},
	}
	checkFlows(t, spotifyDissector(), tests)
}

func FuzzSpotify(f *testing.F) {
	f.Add([]byte(spotifyHello), []byte(nil))
	reg := mustRegistry(f, spotifyDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 57621, a, b)
	})
}

func BenchmarkSpotify(b *testing.B) {
	benchFlow(b, mustRegistry(b, spotifyDissector()), flowInfo(IPProtoUDP, 57621, 57621),
		[]pkt{{data: spotifyHello}})
}
