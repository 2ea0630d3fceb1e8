package dpi

import "testing"

const dropboxHello = `{"host_int": 123456789012345678, "version": [2, 0], "displayname": "", ` +
	`"port": 17500, "namespaces": [1234567890]}`

func TestDropbox(t *testing.T) {
	info := flowInfo(IPProtoUDP, 17500, 17500)
	tests := []flowCase{
		{name: "LAN sync announcement", info: info,
			pkts: []pkt{{data: dropboxHello}}, want: ProtoDropbox},
		{name: "off its port", info: flowInfo(IPProtoUDP,
			40000, 40001), pkts: []pkt{{data: dropboxHello}}},
		{name: "other JSON", info: info, pkts: []pkt{{data: `{"version": [2, 0]}`}}},
	}
	checkFlows(t, dropboxDissector(), tests)
}

func FuzzDropbox(f *testing.F) {
	f.Add([]byte(dropboxHello), []byte(nil))
	reg := mustRegistry(f, dropboxDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 17500, a, b)
	})
}

func BenchmarkDropbox(b *testing.B) {
	benchFlow(b, mustRegistry(b, dropboxDissector()), flowInfo(IPProtoUDP, 17500, 17500),
		[]pkt{{data: dropboxHello}})
}
