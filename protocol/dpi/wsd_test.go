package dpi

import "testing"

const wsdProbe = `<?xml version="1.0" encoding="utf-8"?><soap:Envelope ` +
	`xmlns:soap="http://www.w3.org/2003/05/soap-envelope" ` +
	`xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
	`xmlns:wsd="http://schemas.xmlsoap.org/ws/2005/04/discovery"><soap:Header>` +
	`<wsa:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>` +
	`<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>` +
	`</soap:Header><soap:Body><wsd:Probe/></soap:Body></soap:Envelope>`

func TestWSD(t *testing.T) {
	info := flowInfo(IPProtoUDP, 50000, 3702)
	tests := []flowCase{
		{name: "probe", info: info, pkts: []pkt{{data: wsdProbe}}, want: ProtoWSD},
		{name: "off its port", info: flowInfo(IPProtoUDP, 50000, 50001), pkts: []pkt{{data: wsdProbe}}},
		{name: "other XML", info: info, pkts: []pkt{{data: `<?xml version="1.0"?><a/>`}}},
	}
	checkFlows(t, wsdDissector(), tests)
}

func FuzzWSD(f *testing.F) {
	f.Add([]byte(wsdProbe), []byte(nil))
	reg := mustRegistry(f, wsdDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDPPair(t, reg, 3702, a, b)
	})
}

func BenchmarkWSD(b *testing.B) {
	benchFlow(b, mustRegistry(b, wsdDissector()), flowInfo(IPProtoUDP, 50000, 3702), []pkt{{data: wsdProbe}})
}
