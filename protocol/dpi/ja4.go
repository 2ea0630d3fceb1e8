package dpi

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
)

// JA4 transports: the first character of a JA4 fingerprint.
const (
	ja4TCP  = 't'
	ja4QUIC = 'q'
)

// ja4 computes the JA4 fingerprint of a complete ClientHello, as FoxIO's
// JA4 specification defines it: "t13d1516h2_8daaf6152771_e5627efa2ab1".
// GREASE values are left out everywhere.
func ja4(ch *clientHello, transport byte) string {
	var ciphersBuf, extsBuf [128]uint16
	ciphers := ciphersBuf[:0]
	for i := 0; i+1 < len(ch.ciphers); i += 2 {
		if v := binary.BigEndian.Uint16(ch.ciphers[i:]); !grease(v) {
			ciphers = append(ciphers, v)
		}
	}
	exts, count := extsBuf[:0], 0
	walkExtensions(ch.exts, func(typ uint16, _ []byte) {
		if grease(typ) {
			return
		}
		count++ // SNI and ALPN count, but are not hashed
		if typ != extServerName && typ != extALPN {
			exts = append(exts, typ)
		}
	})

	out := make([]byte, 0, 36)
	out = append(out, transport)
	out = append(out, ja4Version(ch.maxVersion())...)
	if ch.hasSNI {
		out = append(out, 'd')
	} else {
		out = append(out, 'i')
	}
	out = appendTwoDigits(out, len(ciphers))
	out = appendTwoDigits(out, count)
	out = append(out, ja4ALPN(ch.alpn)...)

	slices.Sort(ciphers)
	out = append(out, '_')
	out = appendHash12(out, ciphers, nil)
	slices.Sort(exts)
	var sigBuf [64]uint16
	sigs := sigBuf[:0]
	for i := 0; i+1 < len(ch.sigAlgs); i += 2 {
		if v := binary.BigEndian.Uint16(ch.sigAlgs[i:]); !grease(v) {
			sigs = append(sigs, v)
		}
	}
	out = append(out, '_')
	out = appendHash12(out, exts, sigs)
	return string(out)
}

// ja4Version is the two characters of a TLS or DTLS version.
func ja4Version(v uint16) string {
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

// ja4ALPN is the first and last character of the first ALPN value, or of
// its hex form when either is not alphanumeric; "00" when there is none.
func ja4ALPN(list []byte) []byte {
	var first []byte
	alpnList(list, func(name []byte) {
		if first == nil {
			first = name
		}
	})
	if len(first) == 0 {
		return []byte("00")
	}
	a, z := first[0], first[len(first)-1]
	if alnum(a) && alnum(z) {
		return []byte{a, z}
	}
	const digits = "0123456789abcdef"
	return []byte{digits[a>>4], digits[z&0xf]}
}

func alnum(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

func appendTwoDigits(b []byte, n int) []byte {
	n = min(n, 99)
	return append(b, byte('0'+n/10), byte('0'+n%10))
}

// appendHash12 appends the first 12 hex digits of the SHA-256 of the
// values as comma-separated 4-digit hex, followed by "_" and the second
// list when it is not empty; twelve zeros when the first list is empty.
func appendHash12(b []byte, vals, after []uint16) []byte {
	if len(vals) == 0 {
		return append(b, "000000000000"...)
	}
	var textBuf [1024]byte
	text := appendHexList(textBuf[:0], vals)
	if len(after) > 0 {
		text = append(text, '_')
		text = appendHexList(text, after)
	}
	sum := sha256.Sum256(text)
	var h [12]byte
	hex.Encode(h[:], sum[:6])
	return append(b, h[:]...)
}

func appendHexList(b []byte, vals []uint16) []byte {
	for i, v := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		var x [2]byte
		binary.BigEndian.PutUint16(x[:], v)
		b = hex.AppendEncode(b, x[:])
	}
	return b
}
