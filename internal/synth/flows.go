package synth

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

type kind uint8

const (
	kindTLS kind = iota
	kindHTTP
	kindDNS
	kindSSH
	kindBulk
	kindUDP
	kindICMP
	kindQUIC
)

func (k kind) String() string {
	return [...]string{"tls", "http", "dns", "ssh", "bulk", "udp", "icmp", "quic"}[k]
}

// TCP flag bits as they sit in the header.
const (
	fin = 0x01
	syn = 0x02
	rst = 0x04
	psh = 0x08
	ack = 0x10
)

// seg is one packet of a flow's script.
type seg struct {
	fromServer bool
	flags      uint8  // TCP flags; for ICMP the echo sequence number
	payload    []byte // exact payload, or
	size       int    // that many filler bytes when payload is nil
}

// synFlow is an open flow: its endpoints, where its script is, and when
// its next packet is due.
type synFlow struct {
	kind           kind
	proto          uint8
	client, server netip.Addr
	cport, sport   uint16
	at             time.Duration // next packet
	rtt            time.Duration // scale of the gaps between packets

	script []seg // packets still to send, in order
	bulk   int   // data packets after the script, before the tail
	bulkUp bool  // the bulk goes from the client
	acked  int   // bulk packets since the last ACK
	ackBy  int   // bulk packets per ACK
	tail   []seg

	cid  [8]byte   // QUIC: the server's connection id
	seq  [2]uint32 // next sequence number: client, server
	ipid [2]uint16
	ttl  [2]uint8
}

func (f *synFlow) done() bool { return len(f.script) == 0 && f.bulk == 0 && len(f.tail) == 0 }

// pop returns the flow's next packet and advances its script.
func (f *synFlow) pop() seg {
	if len(f.script) > 0 {
		s := f.script[0]
		f.script = f.script[1:]
		return s
	}
	if f.bulk > 0 {
		// Every second data packet is followed by an ACK the other way.
		if f.acked == f.ackBy {
			f.acked = 0
			return seg{fromServer: f.bulkUp, flags: ack}
		}
		f.acked++
		f.bulk--
		size := 1448
		if f.bulk == 0 {
			size = 200 + int(f.ipid[0])%1000
		}
		return seg{fromServer: !f.bulkUp, flags: ack | psh, size: size}
	}
	s := f.tail[0]
	f.tail = f.tail[1:]
	return s
}

// gap is the time to the flow's next packet: mostly fractions of its
// round trip, sometimes a pause.
func (f *synFlow) gap(rng *rand.Rand) time.Duration {
	d := time.Duration(rng.ExpFloat64() * float64(f.rtt) / 4)
	if rng.IntN(50) == 0 {
		d += time.Duration(rng.IntN(2000)) * time.Millisecond
	}
	return d + time.Microsecond
}

// startFlow opens a flow of a random kind at time at.
func (g *generator) startFlow(at time.Duration) *synFlow {
	k := g.pick()
	v6 := g.rng.IntN(10) == 0
	f := &synFlow{kind: k, at: at, client: g.clientAddr(v6), cport: g.port(),
		rtt: time.Duration(5+g.rng.IntN(80)) * time.Millisecond, ackBy: g.cfg.Sizes.AckEvery}
	f.seq = [2]uint32{g.rng.Uint32(), g.rng.Uint32()}
	f.ipid = [2]uint16{uint16(g.rng.Uint32()), uint16(g.rng.Uint32())}
	f.ttl = [2]uint8{64, uint8(40 + g.rng.IntN(20))}
	name := g.names.pick()
	f.server = serverAddr(name, v6)
	sz := &g.cfg.Sizes
	switch k {
	case kindTLS:
		f.proto, f.sport = 6, 443
		f.script = handshake(
			seg{payload: clientHello(g.rng, name)},
			seg{fromServer: true, payload: serverHello(g.rng)},
			seg{payload: appData(g.rng, 64+g.rng.IntN(400))},
		)
		f.bulk = sz.TLS.draw(g.rng)
		f.tail = closing(false)
	case kindHTTP:
		f.proto, f.sport = 6, 80
		body := sz.HTTP.draw(g.rng)
		f.script = handshake(
			seg{payload: httpRequest(g.rng, name)},
			seg{fromServer: true, payload: httpResponse(g.rng, body*1448)},
		)
		f.bulk = body
		f.tail = closing(g.rng.IntN(2) == 0)
	case kindSSH:
		f.proto, f.sport = 6, 22
		f.script = handshake(
			seg{fromServer: true, payload: []byte(sshServerBanners[g.rng.IntN(len(sshServerBanners))])},
			seg{payload: []byte(sshClientBanners[g.rng.IntN(len(sshClientBanners))])},
			seg{payload: appData(g.rng, 1500)},
			seg{fromServer: true, payload: appData(g.rng, 1100)},
		)
		f.bulk = sz.SSH.draw(g.rng)
		f.bulkUp = g.rng.IntN(3) == 0
		f.tail = closing(false)
	case kindBulk:
		f.proto, f.sport = 6, uint16(1024+g.rng.IntN(30000))
		f.script = handshake(seg{payload: appData(g.rng, 100)})
		f.bulk = sz.Bulk.draw(g.rng)
		f.bulkUp = g.rng.IntN(2) == 0
		f.tail = closing(false)
	case kindDNS:
		f.proto, f.sport = 17, 53
		f.server = dnsServer(v6)
		f.rtt = time.Duration(1+g.rng.IntN(30)) * time.Millisecond
		q, r := dnsExchange(g.rng, name)
		f.script = []seg{{payload: q}, {fromServer: true, payload: r}}
	case kindUDP:
		f.proto, f.sport = 17, uint16(1024+g.rng.IntN(60000))
		n := 1 + sz.UDP.draw(g.rng)
		for i := range n {
			f.script = append(f.script, seg{fromServer: i%2 == 1, size: 40 + g.rng.IntN(sz.UDPPayload)})
		}
	case kindICMP:
		f.proto = 1
		if v6 {
			f.proto = 58
		}
		f.sport = uint16(g.rng.Uint32()) // the echo identifier
		for i := range 1 + g.rng.IntN(6) {
			f.script = append(f.script, seg{size: 56, flags: uint8(i)},
				seg{fromServer: true, size: 56, flags: uint8(i)})
		}
	case kindQUIC:
		g.quicFlow(f, name)
	}
	if f.proto == 6 && sz.Open > 0 && g.rng.Float64() < sz.Open {
		f.tail = nil // the connection stays open, quiet
	}
	return f
}

// handshake opens a TCP connection, sends the exchanges (each data packet
// is acknowledged) and returns the script.
func handshake(exchanges ...seg) []seg {
	out := []seg{{flags: syn}, {fromServer: true, flags: syn | ack}, {flags: ack}}
	for _, s := range exchanges {
		s.flags = psh | ack
		out = append(out, s, seg{fromServer: !s.fromServer, flags: ack})
	}
	return out
}

// closing ends a connection with FINs from both sides, or with a reset
// from the server.
func closing(reset bool) []seg {
	if reset {
		return []seg{{fromServer: true, flags: rst | ack}}
	}
	return []seg{{flags: fin | ack}, {fromServer: true, flags: fin | ack}, {flags: ack}}
}

// frame serialises one packet of f.
func (g *generator) frame(f *synFlow, s seg) ([]byte, error) {
	dir := 0
	src, dst, sport, dport := f.client, f.server, f.cport, f.sport
	if s.fromServer {
		dir = 1
		src, dst, sport, dport = dst, src, dport, sport
	}
	payload := s.payload
	switch {
	case payload == nil && f.kind == kindQUIC:
		payload = g.quicShort(f, s)
	case payload == nil:
		payload = filler(g.rng, s.size)
	}
	eth := &layers.Ethernet{SrcMAC: macOf(src), DstMAC: macOf(dst), EthernetType: layers.EthernetTypeIPv4}
	var netLayer gopacket.NetworkLayer
	var ls []gopacket.SerializableLayer
	f.ipid[dir]++
	if src.Is4() {
		ip := &layers.IPv4{Version: 4, TTL: f.ttl[dir], Id: f.ipid[dir], Flags: layers.IPv4DontFragment,
			Protocol: layers.IPProtocol(f.proto), SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice())}
		netLayer = ip
		ls = append(ls, eth, ip)
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip := &layers.IPv6{Version: 6, HopLimit: f.ttl[dir], NextHeader: layers.IPProtocol(f.proto),
			SrcIP: net.IP(src.AsSlice()), DstIP: net.IP(dst.AsSlice())}
		netLayer = ip
		ls = append(ls, eth, ip)
	}
	switch f.proto {
	case 6:
		tcp := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport),
			Seq: f.seq[dir], Window: 64240, FIN: s.flags&fin != 0, SYN: s.flags&syn != 0,
			RST: s.flags&rst != 0, PSH: s.flags&psh != 0, ACK: s.flags&ack != 0}
		if tcp.ACK {
			tcp.Ack = f.seq[1-dir]
		}
		f.seq[dir] += uint32(len(payload))
		if tcp.SYN || tcp.FIN {
			f.seq[dir]++
		}
		_ = tcp.SetNetworkLayerForChecksum(netLayer)
		ls = append(ls, tcp)
	case 17:
		udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
		_ = udp.SetNetworkLayerForChecksum(netLayer)
		ls = append(ls, udp)
	case 1:
		t := layers.ICMPv4TypeEchoRequest
		if s.fromServer {
			t = layers.ICMPv4TypeEchoReply
		}
		ls = append(ls, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(uint8(t), 0),
			Id: f.sport, Seq: uint16(s.flags)})
	case 58:
		t := uint8(layers.ICMPv6TypeEchoRequest)
		if s.fromServer {
			t = layers.ICMPv6TypeEchoReply
		}
		icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(t, 0)}
		_ = icmp.SetNetworkLayerForChecksum(netLayer)
		echo := &layers.ICMPv6Echo{Identifier: f.sport, SeqNumber: uint16(s.flags)}
		ls = append(ls, icmp, echo)
	}
	ls = append(ls, gopacket.Payload(payload))
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(g.buf, opts, ls...); err != nil {
		return nil, err
	}
	return g.buf.Bytes(), nil
}

func macOf(a netip.Addr) net.HardwareAddr {
	b := a.As16()
	return net.HardwareAddr{0x02, b[11], b[12], b[13], b[14], b[15]}
}

// clientAddr draws an address of the office network.
func (g *generator) clientAddr(v6 bool) netip.Addr {
	if v6 {
		var b [16]byte
		copy(b[:], []byte{0x20, 0x01, 0x0d, 0xb8, 0, 1})
		b[14], b[15] = byte(g.rng.IntN(16)), byte(1+g.rng.IntN(250))
		return netip.AddrFrom16(b)
	}
	return netip.AddrFrom4([4]byte{10, byte(g.rng.IntN(4)), byte(g.rng.IntN(256)), byte(1 + g.rng.IntN(250))})
}

// serverAddr maps a server name to a stable public-looking address in
// the documentation ranges.
func serverAddr(name string, v6 bool) netip.Addr {
	var h uint32 = 2166136261
	for i := range len(name) {
		h = (h ^ uint32(name[i])) * 16777619
	}
	if v6 {
		var b [16]byte
		copy(b[:], []byte{0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff})
		b[12], b[13], b[14], b[15] = byte(h>>24), byte(h>>16), byte(h>>8), byte(h)
		return netip.AddrFrom16(b)
	}
	nets := [][3]byte{{192, 0, 2}, {198, 51, 100}, {203, 0, 113}}
	n := nets[h%3]
	return netip.AddrFrom4([4]byte{n[0], n[1], n[2], byte(1 + (h>>8)%254)})
}

func dnsServer(v6 bool) netip.Addr {
	if v6 {
		return netip.MustParseAddr("2001:db8::53")
	}
	return netip.MustParseAddr("10.0.0.53")
}
