package dpi

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
)

// QUIC Initial packet protection (RFC 9001 §5, RFC 9369 §3.3): keys
// derived from the client's Destination Connection ID with a salt fixed
// by the version, header protection with AES-128-ECB, payload protection
// with AES-128-GCM.

// QUIC versions whose Initial packets this package can open.
const (
	quicVersion1 uint32 = 0x00000001
	quicVersion2 uint32 = 0x6b3343cf
)

var (
	// RFC 9001 §5.2.
	quicSaltV1 = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
		0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	// RFC 9369 §3.3.1.
	quicSaltV2 = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
		0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	// draft-ietf-quic-tls-29 §5.2, also used by drafts 30 to 34.
	quicSaltDraft29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
		0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	// draft-ietf-quic-tls-23 §5.2, also used by drafts 24 to 28.
	quicSaltDraft23 = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7,
		0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
)

// quicParams returns the Initial salt of a version, whether it follows
// RFC 9369 (labels and packet types of version 2), and whether the
// version is one this package knows.
func quicParams(version uint32) (salt []byte, v2, ok bool) {
	switch {
	case version == quicVersion1:
		return quicSaltV1, false, true
	case version == quicVersion2:
		return quicSaltV2, true, true
	case version >= 0xff00001d && version <= 0xff000022: // drafts 29-34
		return quicSaltDraft29, false, true
	case version >= 0xff000017 && version <= 0xff00001c: // drafts 23-28
		return quicSaltDraft23, false, true
	}
	return nil, false, false
}

// quicKeys holds the client's Initial keys for one connection ID.
type quicKeys struct {
	aead cipher.AEAD
	hp   cipher.Block
	iv   [12]byte
}

var errQUICKeys = errors.New("derive quic initial keys")

// newQUICKeys derives the client Initial keys of dcid for a version.
func newQUICKeys(version uint32, dcid []byte) (*quicKeys, error) {
	key, iv, hp, err := initialMaterial(version, dcid)
	if err != nil {
		return nil, err
	}
	k := new(quicKeys)
	copy(k.iv[:], iv)
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errQUICKeys
	}
	if k.aead, err = cipher.NewGCM(block); err != nil {
		return nil, errQUICKeys
	}
	if k.hp, err = aes.NewCipher(hp); err != nil {
		return nil, errQUICKeys
	}
	return k, nil
}

// initialMaterial derives the client's Initial key, IV and header
// protection key (RFC 9001 §5.2, RFC 9369 §3.3.2) into m.
func initialMaterial(version uint32, dcid []byte) (key, iv, hp []byte, err error) {
	salt, v2, ok := quicParams(version)
	if !ok || len(dcid) > hmacBlock {
		return nil, nil, nil, errQUICKeys
	}
	initial := hmacSHA256(salt, dcid, nil) // HKDF-Extract (RFC 5869 §2.2)
	client := expandLabel(initial[:], "client in", sha256.Size)
	prefix := "quic "
	if v2 {
		prefix = "quicv2 "
	}
	k, i, h := expandLabel(client[:], prefix+"key", 16), expandLabel(client[:], prefix+"iv", 12),
		expandLabel(client[:], prefix+"hp", 16)
	return k[:16], i[:12], h[:16], nil
}

// expandLabel is HKDF-Expand-Label with an empty context (RFC 8446 §7.1)
// for an output of n <= 32 bytes: one block of HKDF-Expand (RFC 5869
// §2.3), returned whole; the caller takes its first n bytes.
func expandLabel(secret []byte, label string, n int) [sha256.Size]byte {
	var buf [64]byte
	info := binary.BigEndian.AppendUint16(buf[:0], uint16(n))
	info = append(info, byte(len("tls13 ")+len(label)))
	info = append(info, "tls13 "...)
	info = append(info, label...)
	info = append(info, 0, 1) // no context; the block counter
	return hmacSHA256(secret, info, nil)
}

// hmacBlock is the block size of SHA-256: keys and messages up to it
// are all this package feeds HMAC.
const hmacBlock = 64

// hmacSHA256 returns HMAC-SHA256 (RFC 2104) of a then b under key, each
// at most hmacBlock bytes, on the stack: the crypto/hmac and crypto/hkdf
// forms allocate a few hundred bytes for every call, five times per QUIC
// flow.
func hmacSHA256(key, a, b []byte) [sha256.Size]byte {
	var in [2 * hmacBlock]byte
	var out [hmacBlock + sha256.Size]byte
	for i := range hmacBlock {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		in[i], out[i] = k^0x36, k^0x5c
	}
	n := copy(in[hmacBlock:], a)
	n += copy(in[hmacBlock+n:], b)
	inner := sha256.Sum256(in[:hmacBlock+n])
	copy(out[hmacBlock:], inner[:])
	return sha256.Sum256(out[:])
}

// open removes header protection and decrypts one Initial packet. pkt is
// the packet from its first byte to the end its Length field gives, pnOff
// the offset of the packet number. The plaintext is appended to dst; pkt
// is not changed.
func (k *quicKeys) open(dst, pkt []byte, pnOff int) ([]byte, error) {
	if pnOff+4+aes.BlockSize > len(pkt) {
		return nil, errQUICShort
	}
	var mask [aes.BlockSize]byte
	k.hp.Encrypt(mask[:], pkt[pnOff+4:pnOff+4+aes.BlockSize])
	first := pkt[0] ^ mask[0]&0x0f // long header: the low 4 bits are protected
	pnLen := int(first&3) + 1
	if pnOff+pnLen+k.aead.Overhead() > len(pkt) {
		return nil, errQUICShort
	}
	var hdrBuf [64]byte
	hdr := append(hdrBuf[:0], pkt[:pnOff+pnLen]...) // on the heap only for long tokens
	hdr[0] = first
	var pn uint64
	for i := 0; i < pnLen; i++ {
		hdr[pnOff+i] ^= mask[1+i]
		pn = pn<<8 | uint64(hdr[pnOff+i])
	}
	nonce := k.iv
	for i := 0; i < 8; i++ {
		nonce[11-i] ^= byte(pn >> (8 * i))
	}
	return k.aead.Open(dst, nonce[:], pkt[pnOff+pnLen:], hdr)
}
