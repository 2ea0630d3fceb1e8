package dpi

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
)

// The sample packets of RFC 9001 Appendix A and RFC 9369 Appendix A: a
// client Initial to connection id 8394c8f03e515708 whose CRYPTO frame is a
// ClientHello for example.com offering ALPN "alpn".
const (
	rfcDCID = "8394c8f03e515708"

	// RFC 9001 §A.2 and RFC 9369 §A.2: the unprotected CRYPTO frame.
	rfcCryptoFrame = "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e868" +
		"04fe3a47f06a2b69484c00000413011302010000c000000010000e00000b6578" +
		"616d706c652e636f6dff01000100000a00080006001d00170018001000070005" +
		"04616c706e000500050100000000003300260024001d00209370b2c9caa47fba" +
		"baf4559fedba753de171fa71f50f1ce15d43e994ec74d748002b000302030400" +
		"0d0010000e0403050306030203080408050806002d00020101001c0002400100" +
		"3900320408ffffffffffffffff05048000ffff07048000ffff08011001048000" +
		"75300901100f088394c8f03e51570806048000ffff"

	// RFC 9001 §A.2: the protected packet (version 1).
	rfc9001Packet = "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11" +
		"d242b123dc9bd8bab936b47d92ec356c0bab7df5976d27cd449f63300099f399" +
		"1c260ec4c60d17b31f8429157bb35a1282a643a8d2262cad67500cadb8e7378c" +
		"8eb7539ec4d4905fed1bee1fc8aafba17c750e2c7ace01e6005f80fcb7df6212" +
		"30c83711b39343fa028cea7f7fb5ff89eac2308249a02252155e2347b63d58c5" +
		"457afd84d05dfffdb20392844ae812154682e9cf012f9021a6f0be17ddd0c208" +
		"4dce25ff9b06cde535d0f920a2db1bf362c23e596d11a4f5a6cf3948838a3aec" +
		"4e15daf8500a6ef69ec4e3feb6b1d98e610ac8b7ec3faf6ad760b7bad1db4ba3" +
		"485e8a94dc250ae3fdb41ed15fb6a8e5eba0fc3dd60bc8e30c5c4287e53805db" +
		"059ae0648db2f64264ed5e39be2e20d82df566da8dd5998ccabdae053060ae6c" +
		"7b4378e846d29f37ed7b4ea9ec5d82e7961b7f25a9323851f681d582363aa5f8" +
		"9937f5a67258bf63ad6f1a0b1d96dbd4faddfcefc5266ba6611722395c906556" +
		"be52afe3f565636ad1b17d508b73d8743eeb524be22b3dcbc2c7468d54119c74" +
		"68449a13d8e3b95811a198f3491de3e7fe942b330407abf82a4ed7c1b311663a" +
		"c69890f4157015853d91e923037c227a33cdd5ec281ca3f79c44546b9d90ca00" +
		"f064c99e3dd97911d39fe9c5d0b23a229a234cb36186c4819e8b9c5927726632" +
		"291d6a418211cc2962e20fe47feb3edf330f2c603a9d48c0fcb5699dbfe58964" +
		"25c5bac4aee82e57a85aaf4e2513e4f05796b07ba2ee47d80506f8d2c25e50fd" +
		"14de71e6c418559302f939b0e1abd576f279c4b2e0feb85c1f28ff18f58891ff" +
		"ef132eef2fa09346aee33c28eb130ff28f5b766953334113211996d20011a198" +
		"e3fc433f9f2541010ae17c1bf202580f6047472fb36857fe843b19f5984009dd" +
		"c324044e847a4f4a0ab34f719595de37252d6235365e9b84392b061085349d73" +
		"203a4a13e96f5432ec0fd4a1ee65accdd5e3904df54c1da510b0ff20dcc0c77f" +
		"cb2c0e0eb605cb0504db87632cf3d8b4dae6e705769d1de354270123cb11450e" +
		"fc60ac47683d7b8d0f811365565fd98c4c8eb936bcab8d069fc33bd801b03ade" +
		"a2e1fbc5aa463d08ca19896d2bf59a071b851e6c239052172f296bfb5e724047" +
		"90a2181014f3b94a4e97d117b438130368cc39dbb2d198065ae3986547926cd2" +
		"162f40a29f0c3c8745c0f50fba3852e566d44575c29d39a03f0cda721984b6f4" +
		"40591f355e12d439ff150aab7613499dbd49adabc8676eef023b15b65bfc5ca0" +
		"6948109f23f350db82123535eb8a7433bdabcb909271a6ecbcb58b936a88cd4e" +
		"8f2e6ff5800175f113253d8fa9ca8885c2f552e657dc603f252e1a8e308f76f0" +
		"be79e2fb8f5d5fbbe2e30ecadd220723c8c0aea8078cdfcb3868263ff8f09400" +
		"54da48781893a7e49ad5aff4af300cd804a6b6279ab3ff3afb64491c85194aab" +
		"760d58a606654f9f4400e8b38591356fbf6425aca26dc85244259ff2b19c41b9" +
		"f96f3ca9ec1dde434da7d2d392b905ddf3d1f9af93d1af5950bd493f5aa731b4" +
		"056df31bd267b6b90a079831aaf579be0a39013137aac6d404f518cfd4684064" +
		"7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241" +
		"e221af44860018ab0856972e194cd934"

	// RFC 9369 §A.2: the protected packet (version 2).
	rfc9369Packet = "d76b3343cf088394c8f03e5157080000449ea0c95e82ffe67b6abcdb4298b485" +
		"dd04de806071bf03dceebfa162e75d6c96058bdbfb127cdfcbf903388e99ad04" +
		"9f9a3dd4425ae4d0992cfff18ecf0fdb5a842d09747052f17ac2053d21f57c5d" +
		"250f2c4f0e0202b70785b7946e992e58a59ac52dea6774d4f03b55545243cf1a" +
		"12834e3f249a78d395e0d18f4d766004f1a2674802a747eaa901c3f10cda5500" +
		"cb9122faa9f1df66c392079a1b40f0de1c6054196a11cbea40afb6ef5253cd68" +
		"18f6625efce3b6def6ba7e4b37a40f7732e093daa7d52190935b8da58976ff33" +
		"12ae50b187c1433c0f028edcc4c2838b6a9bfc226ca4b4530e7a4ccee1bfa2a3" +
		"d396ae5a3fb512384b2fdd851f784a65e03f2c4fbe11a53c7777c023462239dd" +
		"6f7521a3f6c7d5dd3ec9b3f233773d4b46d23cc375eb198c63301c21801f6520" +
		"bcfb7966fc49b393f0061d974a2706df8c4a9449f11d7f3d2dcbb90c6b877045" +
		"636e7c0c0fe4eb0f697545460c806910d2c355f1d253bc9d2452aaa549e27a1f" +
		"ac7cf4ed77f322e8fa894b6a83810a34b361901751a6f5eb65a0326e07de7c12" +
		"16ccce2d0193f958bb3850a833f7ae432b65bc5a53975c155aa4bcb4f7b2c4e5" +
		"4df16efaf6ddea94e2c50b4cd1dfe06017e0e9d02900cffe1935e0491d77ffb4" +
		"fdf85290fdd893d577b1131a610ef6a5c32b2ee0293617a37cbb08b847741c3b" +
		"8017c25ca9052ca1079d8b78aebd47876d330a30f6a8c6d61dd1ab5589329de7" +
		"14d19d61370f8149748c72f132f0fc99f34d766c6938597040d8f9e2bb522ff9" +
		"9c63a344d6a2ae8aa8e51b7b90a4a806105fcbca31506c446151adfeceb51b91" +
		"abfe43960977c87471cf9ad4074d30e10d6a7f03c63bd5d4317f68ff325ba3bd" +
		"80bf4dc8b52a0ba031758022eb025cdd770b44d6d6cf0670f4e990b22347a7db" +
		"848265e3e5eb72dfe8299ad7481a408322cac55786e52f633b2fb6b614eaed18" +
		"d703dd84045a274ae8bfa73379661388d6991fe39b0d93debb41700b41f90a15" +
		"c4d526250235ddcd6776fc77bc97e7a417ebcb31600d01e57f32162a8560cacc" +
		"7e27a096d37a1a86952ec71bd89a3e9a30a2a26162984d7740f81193e8238e61" +
		"f6b5b984d4d3dfa033c1bb7e4f0037febf406d91c0dccf32acf423cfa1e70710" +
		"10d3f270121b493ce85054ef58bada42310138fe081adb04e2bd901f2f13458b" +
		"3d6758158197107c14ebb193230cd1157380aa79cae1374a7c1e5bbcb80ee23e" +
		"06ebfde206bfb0fcbc0edc4ebec309661bdd908d532eb0c6adc38b7ca7331dce" +
		"8dfce39ab71e7c32d318d136b6100671a1ae6a6600e3899f31f0eed19e3417d1" +
		"34b90c9058f8632c798d4490da4987307cba922d61c39805d072b589bd52fdf1" +
		"e86215c2d54e6670e07383a27bbffb5addf47d66aa85a0c6f9f32e59d85a44dd" +
		"5d3b22dc2be80919b490437ae4f36a0ae55edf1d0b5cb4e9a3ecabee93dfc6e3" +
		"8d209d0fa6536d27a5d6fbb17641cde27525d61093f1b28072d111b2b4ae5f89" +
		"d5974ee12e5cf7d5da4d6a31123041f33e61407e76cffcdcfd7e19ba58cf4b53" +
		"6f4c4938ae79324dc402894b44faf8afbab35282ab659d13c93f70412e85cb19" +
		"9a37ddec600545473cfb5a05e08d0b209973b2172b4d21fb69745a262ccde96b" +
		"a18b2faa745b6fe189cf772a9f84cbfc"

	// The JA4 of the RFC ClientHello, by hand from the JA4 specification:
	// QUIC, TLS 1.3, SNI, 2 ciphers, 11 extensions, ALPN "alpn" gives
	// "an"; ciphers 1301,1302; extensions
	// 0005,000a,000d,001c,002b,002d,0033,0039,ff01 and signature
	// algorithms 0403,0503,0603,0203,0804,0805,0806.
	rfcJA4 = "q13d0211an_62ed6f6ca7ad_4d634acda6c0"
)

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		tb.Fatalf("bad hex: %v", err)
	}
	return b
}

func TestQUICInitialKeys(t *testing.T) {
	tests := []struct {
		name        string
		version     uint32
		key, iv, hp string
	}{
		// RFC 9001 §A.1.
		{name: "v1", version: quicVersion1, key: "1f369613dd76d5467730efcbe3b1a22d",
			iv: "fa044b2f42a3fd3b46fb255c", hp: "9f50449e04a0e810283a1e9933adedd2"},
		// RFC 9369 §A.1.
		{name: "v2", version: quicVersion2, key: "8b1a0bc121284290a29e0971b5cd045d",
			iv: "91f73e2351d8fa91660e909f", hp: "45b95e15235d6f45a6b19cbcb0294ba9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key, iv, hp, err := initialMaterial(tc.version, unhex(t, rfcDCID))
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(key) != tc.key || hex.EncodeToString(iv) != tc.iv ||
				hex.EncodeToString(hp) != tc.hp {
				t.Errorf("key %x iv %x hp %x", key, iv, hp)
			}
		})
	}
	if _, err := newQUICKeys(0x12345678, []byte{1}); err == nil {
		t.Error("keys for an unknown version")
	}
}

func TestQUICDecryptRFC(t *testing.T) {
	tests := []struct {
		name    string
		packet  string
		version uint32
	}{
		{name: "RFC 9001 A.2", packet: rfc9001Packet, version: quicVersion1},
		{name: "RFC 9369 A.2", packet: rfc9369Packet, version: quicVersion2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			packet := unhex(t, tc.packet)
			orig := bytes.Clone(packet)
			h, err := parseQUICLong(packet)
			if err != nil || !h.initial || h.version != tc.version || h.length != len(packet) {
				t.Fatalf("header %+v, %v", h, err)
			}
			k, err := newQUICKeys(h.version, h.dcid)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := k.open(nil, packet, h.pnOff)
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			frame := unhex(t, rfcCryptoFrame)
			if len(plain) != 1162 || !bytes.Equal(plain[:len(frame)], frame) {
				t.Errorf("plaintext of %d bytes starts %x", len(plain), plain[:min(16, len(plain))])
			}
			if !bytes.Equal(packet, orig) {
				t.Error("open changed the packet")
			}

			v, done := runFlow(t, mustRegistry(t, quicDissector()), flowInfo(IPProtoUDP, 40000, 443),
				[]pkt{{data: string(packet)}})
			if v.Proto != ProtoQUIC || !done {
				t.Fatalf("verdict %v done %v", v.Proto, done)
			}
			m := v.Meta
			if m.QUIC.Version != tc.version || m.TLS.ServerName != "example.com" ||
				len(m.TLS.ALPN) != 1 || m.TLS.ALPN[0] != "alpn" || m.TLS.Version != 0x0304 || m.TLS.JA4 != rfcJA4 {
				t.Errorf("meta %+v", m)
			}
		})
	}
}

// sealInitial builds a client Initial packet of a version to dcid with a
// 4-byte packet number, protected as RFC 9001 §5 says.
func sealInitial(tb testing.TB, version uint32, dcid []byte, pn uint32, payload []byte) []byte {
	tb.Helper()
	k, err := newQUICKeys(version, dcid)
	if err != nil {
		tb.Fatal(err)
	}
	typ := byte(0) // Initial
	if version == quicVersion2 {
		typ = 1
	}
	hdr := []byte{0xc0 | typ<<4 | 3}
	hdr = binary.BigEndian.AppendUint32(hdr, version)
	hdr = append(hdr, byte(len(dcid)))
	hdr = append(hdr, dcid...)
	hdr = append(hdr, 0, 0) // no source connection id, no token
	n := 4 + len(payload) + 16
	hdr = append(hdr, 0x40|byte(n>>8), byte(n))
	pnOff := len(hdr)
	hdr = binary.BigEndian.AppendUint32(hdr, pn)
	nonce := k.iv
	for i := 0; i < 4; i++ {
		nonce[11-i] ^= byte(pn >> (8 * i))
	}
	pkt := k.aead.Seal(bytes.Clone(hdr), nonce[:], payload, hdr)
	var mask [16]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+20])
	pkt[0] ^= mask[0] & 0x0f
	for i := 0; i < 4; i++ {
		pkt[pnOff+i] ^= mask[1+i]
	}
	return pkt
}

// cryptoFrame returns a CRYPTO frame carrying data at off.
func cryptoFrame(off int, data []byte) []byte {
	f := []byte{0x06, 0x40 | byte(off>>8), byte(off), 0x40 | byte(len(data)>>8), byte(len(data))}
	return append(f, data...)
}

func padded(frames ...[]byte) []byte {
	p := bytes.Join(frames, nil)
	return append(p, make([]byte, max(0, 1100-len(p)))...) // PADDING
}

func TestQUICSessions(t *testing.T) {
	big := testHello
	big.padTo = 1900 // a post-quantum sized hello: two Initial packets
	ch := big.message()
	dcid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	newDCID := []byte{9, 9, 9, 9}
	ack := []byte{0x02, 0x00, 0x00, 0x00, 0x00} // ACK: largest 0, delay 0, no ranges
	first := sealInitial(t, quicVersion1, dcid, 0, padded(cryptoFrame(0, ch[:1000])))
	second := sealInitial(t, quicVersion1, dcid, 1, padded(ack, cryptoFrame(1000, ch[1000:])))
	shuffled := sealInitial(t, quicVersion2, dcid, 0, bytes.Join([][]byte{
		cryptoFrame(600, ch[600:1000]), {0x01}, cryptoFrame(0, ch[:300]), cryptoFrame(300, ch[300:600]),
	}, nil))
	rest := sealInitial(t, quicVersion2, dcid, 1, padded(cryptoFrame(1000, ch[1000:])))
	afterRetry := sealInitial(t, quicVersion1, newDCID, 1, padded(cryptoFrame(0, ch)))
	reg := mustRegistry(t, quicDissector())
	tests := []struct {
		name    string
		pkts    []pkt
		want    Proto
		sni     string
		ja4     bool
		version uint32
	}{
		{name: "hello over two packets", pkts: []pkt{{data: string(first)}, {data: string(second)}},
			want: ProtoQUIC, sni: "www.example.com", ja4: true, version: quicVersion1},
		{name: "second packet first", pkts: []pkt{{data: string(second)}, {data: string(first)}},
			want: ProtoQUIC, sni: "www.example.com", ja4: true, version: quicVersion1},
		{name: "frames out of order within a packet, v2",
			pkts: []pkt{{data: string(shuffled)}, {data: string(rest)}},
			want: ProtoQUIC, sni: "www.example.com", ja4: true, version: quicVersion2},
		// The name comes after the big key share, in the second packet.
		{name: "first packet only", pkts: []pkt{{data: string(first)}},
			want: ProtoQUIC, version: quicVersion1},
		{name: "coalesced with a packet of an unknown version",
			pkts: []pkt{{data: string(first) + "\xc0\xaa\xbb\xcc\xdd\x01\x02\x00\x05hello"}, {data: string(second)}},
			want: ProtoQUIC, sni: "www.example.com", ja4: true, version: quicVersion1},
		{name: "new connection id after a Retry",
			pkts: []pkt{{data: string(first)}, {dir: 1, data: "\xf0\x00\x00\x00\x01\x00\x04\x09\x09\x09\x09token"},
				{data: string(afterRetry)}},
			want: ProtoQUIC, sni: "www.example.com", ja4: true, version: quicVersion1},
		{name: "server side ignored", pkts: []pkt{{dir: 1, data: string(first)}}, want: ProtoUnknown},
		{name: "damaged packet", pkts: []pkt{{data: string(first[:200]) + strings.Repeat("x", 1000)},
			{data: "junk"}}, want: ProtoUnknown},
		{name: "short header", pkts: []pkt{{data: "\x40\x01\x02\x03\x04\x05\x06\x07\x08 payload"},
			{data: "\x40 more"}}, want: ProtoUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, _ := runFlow(t, reg, flowInfo(IPProtoUDP, 40000, 443), tc.pkts)
			if v.DPI() != tc.want {
				t.Fatalf("verdict %v, want %v", v.DPI(), tc.want)
			}
			if tc.want == ProtoUnknown {
				return
			}
			tl, q := orZero(v.Meta.TLS), orZero(v.Meta.QUIC)
			if tl.ServerName != tc.sni || (tl.JA4 != "") != tc.ja4 || q.Version != tc.version {
				t.Errorf("TLS %+v QUIC %+v", tl, q)
			}
			if tc.ja4 && tl.JA4 != "q13d0307h2_40b44b994229_078775ef5e04" {
				t.Errorf("JA4 %s", tl.JA4)
			}
		})
	}
}

func FuzzQUIC(f *testing.F) {
	f.Add(unhex(f, rfc9001Packet), []byte(nil))
	f.Add(unhex(f, rfc9369Packet), []byte(nil))
	for _, file := range []string{"tcpdump_quic_handshake.pcap", "ndpi_sites.pcapng"} {
		n := 0
		for _, fl := range corpusFlows(f, file) {
			if fl.key.proto != IPProtoUDP || fl.key.dst.Port() != 443 || n >= 4 || len(fl.segs) < 2 {
				continue
			}
			f.Add(fl.segs[0].Payload, fl.segs[1].Payload)
			n++
		}
	}
	reg := mustRegistry(f, quicDissector())
	f.Fuzz(func(t *testing.T, a, b []byte) {
		fuzzUDP(t, reg, 443, a, b)
	})
}

func BenchmarkQUIC(b *testing.B) {
	benchFlow(b, mustRegistry(b, quicDissector()), flowInfo(IPProtoUDP, 40000, 443),
		[]pkt{{data: string(unhex(b, rfc9001Packet))}})
}
