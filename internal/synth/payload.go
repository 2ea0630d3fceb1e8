package synth

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// names is the pool of server names flows talk to; a few are far more
// popular than the rest, as on a real network.
type names struct {
	rng  *rand.Rand
	list []string
}

func newNames(rng *rand.Rand) *names {
	words := []string{"www", "api", "cdn", "static", "mail", "login", "img", "video", "assets",
		"update", "telemetry", "files", "chat", "push", "edge", "auth", "docs", "shop", "news", "maps"}
	domains := []string{"example.com", "example.net", "example.org"}
	n := &names{rng: rng}
	for i := range 3000 {
		w := words[i%len(words)]
		d := domains[(i/len(words))%len(domains)]
		if i < len(words)*len(domains) {
			n.list = append(n.list, w+"."+d)
		} else {
			n.list = append(n.list, fmt.Sprintf("%s%d.%s", w, i, d))
		}
	}
	return n
}

// pick draws a name with a Zipf-like popularity.
func (n *names) pick() string {
	i := paretoInt(n.rng, 1, 0.8, len(n.list)) - 1
	return n.list[i]
}

// fillerBlock is the source of payload bytes that stand for encrypted or
// compressed data.
var fillerBlock = func() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 1<<16)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}()

func filler(rng *rand.Rand, n int) []byte {
	n = min(n, len(fillerBlock)/2)
	off := rng.IntN(len(fillerBlock) - n)
	return fillerBlock[off : off+n]
}

// appData is a TLS application data record of n payload bytes.
func appData(rng *rand.Rand, n int) []byte {
	b := []byte{0x17, 0x03, 0x03, byte(n >> 8), byte(n)}
	return append(b, filler(rng, n)...)
}

// browsers are the ClientHello shapes: cipher suites, groups, ALPN.
var browsers = []struct {
	ciphers []uint16
	groups  []uint16
	alpn    []string
	grease  bool
}{
	{ciphers: []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
		0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		groups: []uint16{0x001d, 0x0017, 0x0018}, alpn: []string{"h2", "http/1.1"}, grease: true},
	{ciphers: []uint16{0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030,
		0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		groups: []uint16{0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101}, alpn: []string{"h2", "http/1.1"}},
	{ciphers: []uint16{0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0xc02b, 0xc02f, 0xcca9, 0xcca8},
		groups: []uint16{0x001d, 0x0017}, alpn: []string{"http/1.1"}},
}

// clientHello builds a TLS 1.3 ClientHello record for sni, in one of the
// browser shapes.
func clientHello(rng *rand.Rand, sni string) []byte {
	br := browsers[rng.IntN(len(browsers))]
	var ext []byte
	addExt := func(typ uint16, body []byte) {
		ext = binary.BigEndian.AppendUint16(ext, typ)
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(body)))
		ext = append(ext, body...)
	}
	if br.grease {
		addExt(0x0a0a, nil)
	}
	// server_name: list length, type 0, name length, name.
	sn := binary.BigEndian.AppendUint16(nil, uint16(len(sni)+3))
	sn = append(sn, 0)
	sn = binary.BigEndian.AppendUint16(sn, uint16(len(sni)))
	addExt(0x0000, append(sn, sni...))
	addExt(0x0017, nil)          // extended_master_secret
	addExt(0xff01, []byte{0})    // renegotiation_info
	addExt(0x000b, []byte{1, 0}) // ec_point_formats
	addExt(0x0023, nil)          // session_ticket
	groups := binary.BigEndian.AppendUint16(nil, uint16(2*len(br.groups)))
	for _, g := range br.groups {
		groups = binary.BigEndian.AppendUint16(groups, g)
	}
	addExt(0x000a, groups) // supported_groups
	var alpn []byte
	for _, p := range br.alpn {
		alpn = append(append(alpn, byte(len(p))), p...)
	}
	addExt(0x0010, append(binary.BigEndian.AppendUint16(nil, uint16(len(alpn))), alpn...))
	addExt(0x0005, []byte{1, 0, 0, 0, 0})                                         // status_request
	addExt(0x000d, []byte{0, 16, 4, 3, 8, 4, 4, 1, 5, 3, 8, 5, 5, 1, 8, 6, 6, 1}) // signature_algorithms
	addExt(0x0012, nil)                                                           // signed_certificate_timestamp
	ks := []byte{0, 36, 0, 0x1d, 0, 32}
	addExt(0x0033, append(ks, filler(rng, 32)...)) // key_share x25519
	addExt(0x002d, []byte{1, 1})                   // psk_key_exchange_modes
	addExt(0x002b, []byte{4, 3, 4, 3, 3})          // supported_versions 1.3, 1.2

	var body []byte
	body = append(body, 3, 3)
	body = append(body, filler(rng, 32)...) // random
	body = append(body, 32)
	body = append(body, filler(rng, 32)...) // session id
	cs := br.ciphers
	if br.grease {
		cs = append([]uint16{0x2a2a}, cs...)
	}
	body = binary.BigEndian.AppendUint16(body, uint16(2*len(cs)))
	for _, c := range cs {
		body = binary.BigEndian.AppendUint16(body, c)
	}
	body = append(body, 1, 0) // compression: null
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)

	hs := []byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	hs = append(hs, body...)
	rec := []byte{0x16, 0x03, 0x01, byte(len(hs) >> 8), byte(len(hs))}
	return append(rec, hs...)
}

// serverHello builds a TLS 1.3 ServerHello, ChangeCipherSpec and the
// first encrypted records, as one flight.
func serverHello(rng *rand.Rand) []byte {
	hs := serverHelloMsg(rng, true)
	out := []byte{0x16, 0x03, 0x03, byte(len(hs) >> 8), byte(len(hs))}
	out = append(out, hs...)
	out = append(out, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01)
	return append(out, appData(rng, 900+rng.IntN(400))...)
}

// serverHelloMsg is a TLS 1.3 ServerHello handshake message; it echoes a
// 32-byte session id when sessionID is set (QUIC has none).
func serverHelloMsg(rng *rand.Rand, sessionID bool) []byte {
	var ext []byte
	ext = append(ext, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04) // supported_versions: 1.3
	ext = append(ext, 0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20)
	ext = append(ext, filler(rng, 32)...)
	var body []byte
	body = append(body, 3, 3)
	body = append(body, filler(rng, 32)...)
	if sessionID {
		body = append(body, 32)
		body = append(body, filler(rng, 32)...)
	} else {
		body = append(body, 0)
	}
	body = append(body, 0x13, 0x01, 0)
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	hs := []byte{2, 0, byte(len(body) >> 8), byte(len(body))}
	return append(hs, body...)
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
	"Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
	"curl/8.5.0",
	"Debian APT-HTTP/1.3 (2.6.1)",
}

func httpRequest(rng *rand.Rand, host string) []byte {
	paths := []string{"/", "/index.html", "/api/v1/items", "/static/app.js", "/images/logo.png",
		"/debian/dists/bookworm/InRelease"}
	return fmt.Appendf(nil, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n"+
		"Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n\r\n",
		paths[rng.IntN(len(paths))], host, userAgents[rng.IntN(len(userAgents))])
}

func httpResponse(rng *rand.Rand, body int) []byte {
	types := []string{"text/html; charset=utf-8", "application/json", "image/png", "application/javascript"}
	return fmt.Appendf(nil, "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: %s\r\n"+
		"Content-Length: %d\r\nCache-Control: max-age=3600\r\n\r\n", types[rng.IntN(len(types))], body)
}

var sshClientBanners = []string{"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n", "SSH-2.0-PuTTY_Release_0.80\r\n",
	"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n"}
var sshServerBanners = []string{"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u2\r\n", "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n"}

// dnsExchange builds a query for name and its answer.
func dnsExchange(rng *rand.Rand, name string) (query, response []byte) {
	qtype := layers.DNSTypeA
	if rng.IntN(3) == 0 {
		qtype = layers.DNSTypeAAAA
	}
	id := uint16(rng.Uint32())
	q := &layers.DNS{ID: id, RD: true, QDCount: 1,
		Questions: []layers.DNSQuestion{{Name: []byte(name), Type: qtype, Class: layers.DNSClassIN}}}
	r := *q
	r.QR, r.RA = true, true
	ans := layers.DNSResourceRecord{Name: []byte(name), Type: qtype, Class: layers.DNSClassIN, TTL: 300}
	if qtype == layers.DNSTypeA {
		a := serverAddr(name, false).As4()
		ans.IP = a[:]
	} else {
		a := serverAddr(name, true).As16()
		ans.IP = a[:]
	}
	r.Answers, r.ANCount = []layers.DNSResourceRecord{ans}, 1
	return serialize(q), serialize(&r)
}

func serialize(l gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	if err := l.SerializeTo(buf, gopacket.SerializeOptions{FixLengths: true}); err != nil {
		panic(fmt.Sprintf("synth: serialize %T: %v", l, err)) // only for values built here
	}
	return append([]byte(nil), buf.Bytes()...)
}
