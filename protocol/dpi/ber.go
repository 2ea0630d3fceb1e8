package dpi

// ASN.1 BER (X.690) reading for the protocols that use it: SNMP,
// Kerberos and LDAP. Only what they need: one-byte tags and definite
// lengths of at most four bytes.

// berMaxLen bounds a length read; larger ones are taken as damage.
const berMaxLen = 1 << 24

// berTLV reads the tag and length at the start of b. It returns the tag,
// the length of the contents, the length of the header and whether the
// header could be read (it may say more contents than b holds).
func berTLV(b []byte) (tag byte, n, hdr int, ok bool) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, 0, 0, false
	}
	tag, l := b[0], b[1]
	if l < 0x80 {
		return tag, int(l), 2, true
	}
	k := int(l & 0x7f)
	if k == 0 || k > 4 || len(b) < 2+k {
		return 0, 0, 0, false // indefinite, too long or cut short
	}
	for _, c := range b[2 : 2+k] {
		n = n<<8 | int(c)
	}
	if n >= berMaxLen {
		return 0, 0, 0, false
	}
	return tag, n, 2 + k, true
}

// berNext reads one element of tag want at the start of b, wholly inside
// it, and returns its contents and what follows it.
func berNext(b []byte, want byte) (content, rest []byte, ok bool) {
	tag, n, hdr, ok := berTLV(b)
	if !ok || tag != want || n > len(b)-hdr {
		return nil, nil, false
	}
	return b[hdr : hdr+n], b[hdr+n:], true
}

// berSmallInt reads an INTEGER of one to four bytes at the start of b.
func berSmallInt(b []byte) (v int64, rest []byte, ok bool) {
	c, rest, ok := berNext(b, 0x02)
	if !ok || len(c) == 0 || len(c) > 4 {
		return 0, nil, false
	}
	v = int64(int8(c[0]))
	for _, x := range c[1:] {
		v = v<<8 | int64(x)
	}
	return v, rest, true
}
