package dpi

import "encoding/binary"

// Builders of TLS messages for tests.

// hello describes a ClientHello to build.
type hello struct {
	sni      string
	alpn     []string
	versions []uint16 // supported_versions; none when empty
	ciphers  []uint16
	sigAlgs  []uint16
	extra    []uint16 // other (empty) extensions, in order, before SNI
	padTo    int      // grow the key_share extension until the body is this long
}

// message returns the ClientHello handshake message, header included.
func (h hello) message() []byte {
	var b []byte
	b = binary.BigEndian.AppendUint16(b, 0x0303)
	b = append(b, make([]byte, 32)...) // random
	b = append(b, 0)                   // session id
	b = binary.BigEndian.AppendUint16(b, uint16(2*len(h.ciphers)))
	for _, c := range h.ciphers {
		b = binary.BigEndian.AppendUint16(b, c)
	}
	b = append(b, 1, 0) // compression: null
	var ext []byte
	for _, e := range h.extra {
		ext = appendExt(ext, e, nil)
	}
	if h.padTo > 0 {
		ext = appendExt(ext, 0x0033, make([]byte, max(0, h.padTo-len(b)-len(ext)-60)))
	}
	if h.sni != "" {
		var v []byte
		v = binary.BigEndian.AppendUint16(v, uint16(3+len(h.sni)))
		v = append(v, 0)
		v = binary.BigEndian.AppendUint16(v, uint16(len(h.sni)))
		v = append(v, h.sni...)
		ext = appendExt(ext, extServerName, v)
	}
	if len(h.alpn) > 0 {
		var list []byte
		for _, a := range h.alpn {
			list = append(list, byte(len(a)))
			list = append(list, a...)
		}
		ext = appendExt(ext, extALPN, binary.BigEndian.AppendUint16(nil, uint16(len(list))), list...)
	}
	if len(h.sigAlgs) > 0 {
		v := binary.BigEndian.AppendUint16(nil, uint16(2*len(h.sigAlgs)))
		for _, s := range h.sigAlgs {
			v = binary.BigEndian.AppendUint16(v, s)
		}
		ext = appendExt(ext, extSignatureAlgs, v)
	}
	if len(h.versions) > 0 {
		v := []byte{byte(2 * len(h.versions))}
		for _, s := range h.versions {
			v = binary.BigEndian.AppendUint16(v, s)
		}
		ext = appendExt(ext, extSupportedVersions, v)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(ext)))
	b = append(b, ext...)
	return handshakeMsg(tlsClientHello, b)
}

func appendExt(b []byte, typ uint16, v []byte, more ...byte) []byte {
	v = append(v, more...)
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
	return append(b, v...)
}

func handshakeMsg(typ uint8, body []byte) []byte {
	n := len(body)
	return append([]byte{typ, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// records wraps a handshake message into TLS records of at most n bytes
// of payload each.
func records(msg []byte, n int) []byte {
	var out []byte
	for len(msg) > 0 {
		k := min(n, len(msg))
		out = append(out, tlsHandshake, 3, 1, byte(k>>8), byte(k))
		out = append(out, msg[:k]...)
		msg = msg[k:]
	}
	return out
}

// buildServerHello returns a ServerHello message choosing version (through
// supported_versions when above TLS 1.2) and ALPN protocol alpn.
func buildServerHello(version uint16, alpn string) []byte {
	var b []byte
	b = binary.BigEndian.AppendUint16(b, 0x0303)
	b = append(b, make([]byte, 32)...)
	b = append(b, 0)          // session id
	b = append(b, 0x13, 1, 0) // TLS_AES_128_GCM_SHA256, no compression
	var ext []byte
	if version > 0x0303 {
		ext = appendExt(ext, extSupportedVersions, binary.BigEndian.AppendUint16(nil, version))
	}
	if alpn != "" {
		list := append([]byte{byte(len(alpn))}, alpn...)
		ext = appendExt(ext, extALPN, binary.BigEndian.AppendUint16(nil, uint16(len(list))), list...)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(ext)))
	b = append(b, ext...)
	return handshakeMsg(tlsServerHello, b)
}
