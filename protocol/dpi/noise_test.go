package dpi

import (
	"math/rand/v2"
	"testing"
)

// TestWeakSignaturesOnNoise feeds every built-in dissector flows of
// random datagrams and segments, on random ports and on the ports the
// port-bound and short signatures read, and wants no DPI verdict for any
// of them.
func TestWeakSignaturesOnNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ports := []uint16{0, 123, 161, 137, 138, 139, 547, 2123, 2152, 3386, 514, 1812, 1813, 69, 500,
		4500, 3478, 5060, 1194, 51820, 23, 88, 389, 445, 3389, 5432, 3306, 135, 1723, 6881, 5900,
		17500, 57621, 1433, 3702, 8611, 2055, 4739, 6343}
	const flowsPerPort = 300
	for _, port := range ports {
		for range flowsPerPort {
			sport := port
			if sport == 0 {
				sport = uint16(1024 + rng.IntN(60000))
			}
			for _, proto := range []uint8{IPProtoUDP, IPProtoTCP} {
				info := flowInfo(proto, uint16(1024+rng.IntN(60000)), sport)
				pkts := noise(rng, proto, 6)
				if v, _ := runFlow(t, DefaultRegistry(), info, pkts); v.DPI() != ProtoUnknown {
					t.Errorf("port %d proto %d: random payloads labelled %v: %+v", sport, proto, v.DPI(), pkts)
				}
			}
		}
	}
}

// noise returns n packets of random bytes, random lengths and random
// directions (for TCP, after a handshake, each direction in order).
func noise(rng *rand.Rand, proto uint8, n int) []pkt {
	var msgs []pkt
	for range n {
		b := make([]byte, 1+rng.IntN(300))
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		msgs = append(msgs, pkt{dir: Dir(rng.IntN(2)), data: string(b)})
	}
	if proto == IPProtoTCP {
		return exchange(msgs...)
	}
	return msgs
}

// sample is a flow of one protocol.
type sample struct {
	proto Proto
	info  FlowInfo
	pkts  []pkt
}

// samples returns a flow of each protocol the built-in dissectors know,
// on its usual ports.
func samples(tb testing.TB) []sample {
	tcp := func(p Proto, port uint16, msgs ...pkt) sample {
		return sample{p, flowInfo(IPProtoTCP, 40000, port), exchange(msgs...)}
	}
	udp := func(p Proto, cport, sport uint16, pkts ...pkt) sample {
		return sample{p, flowInfo(IPProtoUDP, cport, sport), pkts}
	}
	c, s := func(d string) pkt { return pkt{data: d} }, func(d string) pkt { return pkt{dir: 1, data: d} }
	h := func(x string) string { return string(unhex(tb, x)) }
	return []sample{
		tcp(ProtoTLS, 443, c(string(records(testHello.message(), 1)))),
		tcp(ProtoHTTP, 80, c("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n")),
		tcp(ProtoSSH, 22, s("SSH-2.0-OpenSSH_9.6\r\n"), c("SSH-2.0-PuTTY\r\n")),
		tcp(ProtoSMTP, 25, s("220 mx.example.com ESMTP\r\n"), c("EHLO x\r\n")),
		tcp(ProtoFTPControl, 21, s("220 FTP ready\r\n"), c("USER a\r\n")),
		udp(ProtoDNS, 40000, 53, c(string(dnsMsg(1, 0x0100, "example.com", 1, 0)))),
		udp(ProtoNetBIOS, 137, 137, c(string(nbQuery("WPAD", 0)))),
		tcp(ProtoNetBIOS, 139, c(string(nbSessionRequest("FILES", "PC")))),
		tcp(ProtoSMBv23, 445, c(smbMsg("\xfeSMB", 100))),
		udp(ProtoSSDP, 50000, 1900, c(ssdpSearch)),
		udp(ProtoDHCP, 68, 67, c(dhcpMsg(1, "\x35\x01"))),
		udp(ProtoDHCPV6, 546, 547, c(h(dhcpv6Solicit))),
		udp(ProtoNTP, 123, 123, c(h(ntpClient))),
		udp(ProtoSNMP, 40000, 161, c(h(snmpV1Request))),
		udp(ProtoSIP, 5060, 5060, c(sipRegister)),
		tcp(ProtoSIP, 5060, c(sipInvite)),
		udp(ProtoRTP, 30000, 40392, c(rtpPacket(8, 1, 0, 7, 160)), c(rtpPacket(8, 2, 160, 7, 160))),
		udp(ProtoRTCP, 30001, 40393, c(h(rtcpSample))),
		tcp(ProtoKerberos, 88, c(h(krbASReqTCP))),
		tcp(ProtoLDAP, 389, c(h(ldapBind)), s(h(ldapBindDone))),
		udp(ProtoLDAP, 40000, 389, c(h(ldapSearch))),
		tcp(ProtoBitTorrent, 6881, c(btHello("-UM1860-"))),
		udp(ProtoOpenVPN, 40000, 1194, c(h(ovpnClientReset)), s(h(ovpnServerReset))),
		tcp(ProtoOpenVPN, 443, c(h(ovpnTCPClient)), s(h(ovpnTCPServer))),
		udp(ProtoWireGuard, 40000, 51820, c(wgMsg(wgInitiation, wgInitiationLen, 1, 0, 0)),
			s(wgMsg(wgResponse, wgResponseLen, 2, 1, 0))),
		tcp(ProtoTelnet, 23, c("\xff\xfd\x03\xff\xfb\x1f")),
		udp(ProtoGTP, 40000, 2123, c(h(gtpCEcho))),
		tcp(ProtoPPTP, 1723, c(h(pptpRequest))),
		tcp(ProtoRDP, 3389, c(h(rdpRequest)), s(h(rdpConfirm))),
		tcp(ProtoMySQL, 3306, s(h(mysqlHello))),
		tcp(ProtoPostgreSQL, 5432, c(h(pgStartupMsg))),
		udp(ProtoSTUN, 50000, 3478, c(h(stunRequest)), s(h(stunSuccess))),
		udp(ProtoSyslog, 40000, 514, c("<34>Oct 11 22:14:15 mymachine su: 'su root' failed")),
		udp(ProtoRadius, 40000, 1812, c(h(radiusRequest)), s(h(radiusAccept))),
		tcp(ProtoDCERPC, 135, c(h(dcerpcBindBE)), s(h(dcerpcBindAck))),
		udp(ProtoIPsec, 500, 500, c(h(ikeV2Init))),
		udp(ProtoTFTP, 40000, 69, c("\x00\x01pxelinux.0\x00octet\x00")),
		tcp(ProtoVNC, 5900, s("RFB 003.008\n"), c("RFB 003.008\n")),
		udp(ProtoDropbox, 17500, 17500, c(dropboxHello)),
		udp(ProtoSpotify, 57621, 57621, c(spotifyHello)),
		tcp(ProtoMsSQLTDS, 1433, c(h(tdsPreloginMsg))),
		udp(ProtoWSD, 50000, 3702, c(wsdProbe)),
		udp(ProtoBJNP, 50000, 8611, c(h(bjnpDiscover))),
		udp(ProtoNetFlow, 40000, 4739, c(h(ipfixMsg))),
		udp(ProtoSFlow, 40000, 6343, c(h(sflowMsg))),
	}
}

// TestNoCrossLabels runs each built-in dissector alone over a flow of
// every protocol: it may recognise its own protocol's flow and must
// leave every other one alone.
func TestNoCrossLabels(t *testing.T) {
	all := samples(t)
	for _, d := range Builtins() {
		reg := mustRegistry(t, d)
		for _, smp := range all {
			v, _ := runFlow(t, reg, smp.info, smp.pkts)
			if v.DPI() != ProtoUnknown && v.DPI() != smp.proto {
				t.Errorf("dissector %s labels a %v flow %v", d.Name, smp.proto, v.DPI())
			}
		}
	}
	for _, smp := range all {
		if v, _ := runFlow(t, DefaultRegistry(), smp.info, smp.pkts); v.DPI() != smp.proto {
			t.Errorf("built-ins label a %v flow %v", smp.proto, v.DPI())
		}
	}
}

// BenchmarkUnknown measures the built-in dissectors over flows none of
// them recognises, the costliest case: every one looks at every packet
// until the budget is spent. Allocations per flow stay what NewSession
// and the dissectors' states cost, whatever the number of packets.
func BenchmarkUnknown(b *testing.B) {
	for _, proto := range []uint8{IPProtoUDP, IPProtoTCP} {
		name := map[uint8]string{IPProtoUDP: "UDP", IPProtoTCP: "TCP"}[proto]
		b.Run(name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(3, 4))
			benchFlow(b, DefaultRegistry(), flowInfo(proto, 40000, 40001), noise(rng, proto, DefaultBudget))
		})
	}
}

// TestUDPAllocationsPerFlow checks that the built-in dissectors allocate
// per flow, not per packet: a UDP flow of 32 datagrams no dissector
// recognises costs what a flow of 2 does.
func TestUDPAllocationsPerFlow(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	segs := make([]Segment, DefaultBudget)
	for i, p := range noise(rng, IPProtoUDP, DefaultBudget) {
		segs[i] = Segment{Dir: p.dir, Payload: []byte(p.data)}
	}
	run := func(n int) float64 {
		return testing.AllocsPerRun(50, func() {
			s := NewSession(Config{}, flowInfo(IPProtoUDP, 40000, 40001))
			for i := range segs[:n] {
				s.Add(&segs[i])
			}
		})
	}
	s := NewSession(Config{}, flowInfo(IPProtoUDP, 40000, 40001))
	if s.Add(&segs[0]) || s.Add(&segs[1]) {
		t.Fatal("session done after 2 datagrams: the comparison would show nothing")
	}
	if few, many := run(2), run(DefaultBudget); many != few {
		t.Errorf("%v allocations for %d datagrams, %v for 2", many, DefaultBudget, few)
	}
}
