package synth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// QUIC version 1 connections (RFC 9000): the client's first datagram is a
// real Initial packet, protected as RFC 9001 §5 says, whose CRYPTO frame
// carries a TLS 1.3 ClientHello, so a DPI engine can decrypt it and read
// the server name; the server answers with an Initial (ServerHello) and a
// Handshake packet; then both send short-header packets.

// quicInitialSize is the size of the client's first datagram; RFC 9000
// §14.1 asks for at least 1200 bytes.
const quicInitialSize = 1250

// quicSaltV1 is the Initial salt of QUIC version 1 (RFC 9001 §5.2).
var quicSaltV1 = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
	0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}

// quicFlow scripts a QUIC connection to name on f.
func (g *generator) quicFlow(f *synFlow, name string) {
	f.proto, f.sport = 17, 443
	// Connection ids are drawn afresh: collectors and tshark tell
	// connections apart by them.
	dcid := binary.BigEndian.AppendUint64(nil, g.rng.Uint64()) // the client's first
	binary.BigEndian.PutUint64(f.cid[:], g.rng.Uint64())
	f.script = []seg{
		{payload: quicClientInitial(dcid, quicHello(g.rng, name))},
		{fromServer: true, payload: quicServerFlight(g.rng, dcid, f.cid[:])},
		{payload: quicLong(0xe0, nil, f.cid[:], filler(g.rng, 40+g.rng.IntN(40)))},
	}
	f.bulk = g.cfg.Sizes.QUIC.draw(g.rng)
}

// quicShort builds a short-header packet of s's size (an ACK when zero):
// the client sends to the server's connection id, the server to the
// client's, which is empty.
func (g *generator) quicShort(f *synFlow, s seg) []byte {
	n := s.size
	if n == 0 {
		n = 30 + g.rng.IntN(20)
	}
	n = min(max(n, 24), 1252)
	b := append(g.quicBuf[:0], 0x41) // fixed bit, 2-byte packet number
	if !s.fromServer {
		b = append(b, f.cid[:]...)
	}
	g.quicBuf = append(b, filler(g.rng, n-len(b))...)
	return g.quicBuf
}

// quicClientInitial protects a client Initial that carries hello in a
// CRYPTO frame, padded to quicInitialSize.
func quicClientInitial(dcid, hello []byte) []byte {
	hdr := []byte{0xc0} // long header, Initial, 1-byte packet number
	hdr = binary.BigEndian.AppendUint32(hdr, 1)
	hdr = append(hdr, byte(len(dcid)))
	hdr = append(hdr, dcid...)
	hdr = append(hdr, 0, 0) // no source connection id, no token
	frames := quicCrypto(hello)
	plen := quicInitialSize - len(hdr) - 2 - 1 - 16
	frames = append(frames, make([]byte, plen-len(frames))...) // PADDING
	return quicSeal(quicKeys(dcid, "client in"), hdr, frames)
}

// quicServerFlight is the server's first datagram: an Initial with an ACK
// and the ServerHello, and a Handshake packet that stands for the
// encrypted certificate flight.
func quicServerFlight(rng *rand.Rand, dcid, scid []byte) []byte {
	hdr := []byte{0xc0}
	hdr = binary.BigEndian.AppendUint32(hdr, 1)
	hdr = append(hdr, 0, byte(len(scid))) // to the client's empty id
	hdr = append(hdr, scid...)
	hdr = append(hdr, 0) // no token
	frames := []byte{0x02, 0, 0, 0, 0}
	frames = append(frames, quicCrypto(serverHelloMsg(rng, false))...)
	out := quicSeal(quicKeys(dcid, "server in"), hdr, frames)
	return append(out, quicLong(0xe0, scid, nil, filler(rng, 900+rng.IntN(300)))...)
}

// quicLong is an unprotected-looking long-header packet of type byte
// first (0xe0 is Handshake) whose payload stands for ciphertext.
func quicLong(first byte, scid, dcid, payload []byte) []byte {
	b := []byte{first}
	b = binary.BigEndian.AppendUint32(b, 1)
	b = append(b, byte(len(dcid)))
	b = append(b, dcid...)
	b = append(b, byte(len(scid)))
	b = append(b, scid...)
	b = appendVarint2(b, len(payload)+1)
	b = append(b, 0) // packet number
	return append(b, payload...)
}

// quicCrypto is a CRYPTO frame at offset 0.
func quicCrypto(data []byte) []byte {
	b := []byte{0x06, 0}
	b = appendVarint2(b, len(data))
	return append(b, data...)
}

// appendVarint2 appends n as a two-byte QUIC variable-length integer
// (RFC 9000 §16); n must be below 16384.
func appendVarint2(b []byte, n int) []byte {
	return append(b, 0x40|byte(n>>8), byte(n))
}

// initialKeys protect one direction's Initial packets.
type initialKeys struct {
	aead cipher.AEAD
	hp   cipher.Block
	iv   []byte
}

// quicKeys derives the Initial keys of a direction ("client in" or
// "server in") from the client's first destination connection id
// (RFC 9001 §5.2).
func quicKeys(dcid []byte, dir string) initialKeys {
	initial, err := hkdf.Extract(sha256.New, dcid, quicSaltV1)
	must(err)
	secret := expandLabel(initial, dir, sha256.Size)
	block, err := aes.NewCipher(expandLabel(secret, "quic key", 16))
	must(err)
	aead, err := cipher.NewGCM(block)
	must(err)
	hp, err := aes.NewCipher(expandLabel(secret, "quic hp", 16))
	must(err)
	return initialKeys{aead: aead, hp: hp, iv: expandLabel(secret, "quic iv", 12)}
}

// quicSeal appends the Length field and packet number 0 to hdr, encrypts
// payload and applies header protection (RFC 9001 §5.3, §5.4).
func quicSeal(k initialKeys, hdr, payload []byte) []byte {
	hdr = appendVarint2(hdr, 1+len(payload)+k.aead.Overhead())
	pnOff := len(hdr)
	hdr = append(hdr, 0) // packet number 0: the nonce is the IV
	pkt := k.aead.Seal(hdr, k.iv, payload, hdr)
	var mask [aes.BlockSize]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+4+aes.BlockSize])
	pkt[0] ^= mask[0] & 0x0f
	pkt[pnOff] ^= mask[1]
	return pkt
}

// expandLabel is HKDF-Expand-Label with an empty context (RFC 8446 §7.1).
func expandLabel(secret []byte, label string, n int) []byte {
	full := "tls13 " + label
	info := binary.BigEndian.AppendUint16(nil, uint16(n))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	out, err := hkdf.Expand(sha256.New, secret, string(info), n)
	must(err)
	return out
}

// must panics on errors that only a bug here can cause: the inputs of
// the key schedule are of fixed, valid sizes.
func must(err error) {
	if err != nil {
		panic(fmt.Sprintf("synth: quic keys: %v", err))
	}
}

// quicHello is a browser's TLS 1.3 ClientHello handshake message for
// QUIC: no record layer, no session id, ALPN h3 and the QUIC transport
// parameters.
func quicHello(rng *rand.Rand, sni string) []byte {
	var ext []byte
	add := func(typ uint16, body []byte) {
		ext = binary.BigEndian.AppendUint16(ext, typ)
		ext = binary.BigEndian.AppendUint16(ext, uint16(len(body)))
		ext = append(ext, body...)
	}
	sn := binary.BigEndian.AppendUint16(nil, uint16(len(sni)+3))
	sn = append(sn, 0)
	sn = binary.BigEndian.AppendUint16(sn, uint16(len(sni)))
	add(0x0000, append(sn, sni...))                                        // server_name
	add(0x000a, []byte{0, 6, 0, 0x1d, 0, 0x17, 0, 0x18})                   // supported_groups
	add(0x0010, []byte{0, 3, 2, 'h', '3'})                                 // ALPN h3
	add(0x000d, []byte{0, 8, 4, 3, 8, 4, 4, 1, 5, 3})                      // signature_algorithms
	add(0x0033, append([]byte{0, 36, 0, 0x1d, 0, 32}, filler(rng, 32)...)) // key_share
	add(0x002d, []byte{1, 1})                                              // psk_key_exchange_modes
	add(0x002b, []byte{2, 3, 4})                                           // supported_versions: 1.3
	add(0x0039, quicTransportParams())                                     // quic_transport_parameters

	body := []byte{3, 3}
	body = append(body, filler(rng, 32)...) // random
	body = append(body, 0)                  // no session id
	body = append(body, 0, 6, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03)
	body = append(body, 1, 0) // compression: null
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	hs := []byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	return append(hs, body...)
}

// quicTransportParams are a client's transport parameters (RFC 9000
// §18.2): idle timeout, UDP payload size, flow control limits and an
// empty initial_source_connection_id.
func quicTransportParams() []byte {
	var b []byte
	param := func(id byte, v uint32) {
		b = append(b, id, 4)
		b = binary.BigEndian.AppendUint32(b, 0x80000000|v) // 4-byte varint
	}
	param(0x01, 30000)    // max_idle_timeout, ms
	param(0x03, 1472)     // max_udp_payload_size
	param(0x04, 15728640) // initial_max_data
	param(0x05, 6291456)  // initial_max_stream_data_bidi_local
	param(0x08, 100)      // initial_max_streams_bidi
	return append(b, 0x0f, 0)
}
