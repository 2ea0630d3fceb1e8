package flow

import (
	"encoding/binary"
	"math/bits"
	"net/netip"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// fkey is the table's form of a key: both addresses as two 64-bit words
// and one packed word. It holds no pointer (netip.Addr does), so the
// garbage collector never scans the entry slice, and it compares as five
// words.
//
// For a connection, a is the lower (address, port) end and b the higher,
// and meta is aPort<<48 | bPort<<32 | proto<<24 | v6<<16 | vlan. For a
// fragmented datagram, a is the source, b the destination and meta is
// fragID<<32 | proto<<24 | v6<<16 | vlan.
type fkey struct {
	aHi, aLo uint64
	bHi, bLo uint64
	meta     uint64
}

// addrWords returns a as two words: an IPv4 address as its four bytes in
// lo, anything else as its 16 bytes. Words are read little-endian: the
// order they give addresses is not numeric, but any fixed total order makes
// a canonical key, and this one costs no byte swaps on common hardware. The
// key's v6 bit tells the two forms apart.
func addrWords(a netip.Addr) (hi, lo uint64) {
	if a.Is4() {
		b := a.As4()
		return 0, uint64(binary.LittleEndian.Uint32(b[:]))
	}
	b := a.As16()
	return binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:])
}

func wordsAddr(hi, lo uint64, v6 bool) netip.Addr {
	if !v6 {
		var b [4]byte
		binary.LittleEndian.PutUint32(b[:], uint32(lo))
		return netip.AddrFrom4(b)
	}
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], hi)
	binary.LittleEndian.PutUint64(b[8:], lo)
	return netip.AddrFrom16(b)
}

// keyTail packs the fields shared by connection and fragment keys.
func keyTail(p *packet.Packet) uint64 {
	var v6 uint64
	if !p.Src.Is4() {
		v6 = 1
	}
	return uint64(p.Proto)<<24 | v6<<16 | uint64(p.VLAN)
}

// connKey returns the canonical key of p's connection and the side p was
// sent from: 0 when p goes from a to b, 1 when it goes from b to a.
func connKey(p *packet.Packet) (fkey, uint8) {
	sHi, sLo := addrWords(p.Src)
	dHi, dLo := addrWords(p.Dst)
	sp, dp := uint64(p.SrcPort), uint64(p.DstPort)
	tail := keyTail(p)
	if sHi < dHi || sHi == dHi && (sLo < dLo || sLo == dLo && sp <= dp) {
		return fkey{sHi, sLo, dHi, dLo, sp<<48 | dp<<32 | tail}, 0
	}
	return fkey{dHi, dLo, sHi, sLo, dp<<48 | sp<<32 | tail}, 1
}

// fragKey returns the key that joins the fragments of p's datagram.
func fragKey(p *packet.Packet) fkey {
	sHi, sLo := addrWords(p.Src)
	dHi, dLo := addrWords(p.Dst)
	return fkey{sHi, sLo, dHi, dLo, uint64(p.FragID)<<32 | keyTail(p)}
}

// dirKey returns the Key of the direction sent from side (0: a to b).
// Fragment keys give ports zero.
func (k *fkey) dirKey(side uint8, frag bool) Key {
	v6 := k.meta>>16&1 != 0
	out := Key{
		Src: wordsAddr(k.aHi, k.aLo, v6), Dst: wordsAddr(k.bHi, k.bLo, v6),
		Proto: uint8(k.meta >> 24), VLAN: uint16(k.meta),
	}
	if !frag {
		out.SrcPort, out.DstPort = uint16(k.meta>>48), uint16(k.meta>>32)
	}
	if side == 1 {
		return out.Reverse()
	}
	return out
}

// equal compares field by field, which the compiler inlines (a struct
// == calls memequal).
func (k *fkey) equal(o *fkey) bool {
	return k.aLo == o.aLo && k.bLo == o.bLo && k.meta == o.meta &&
		k.aHi == o.aHi && k.bHi == o.bHi
}

func (k *fkey) ipVersion() uint8 {
	if k.meta>>16&1 != 0 {
		return 6
	}
	return 4
}

// Mixing constants: hexadecimal digits of pi, all odd after |1.
const (
	mix0 = 0x243f6a8885a308d3
	mix1 = 0x13198a2e03707345
	mix2 = 0xa4093822299f31d1
	mix3 = 0x082efa98ec4e6c89
	mix4 = 0x452821e638d01377
	mix5 = 0xbe5466cf34e90c6d
)

// fold multiplies x by y to 128 bits and folds the halves together.
func fold(x, y uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	return hi ^ lo
}

// hash mixes the whole key with a per-table seed.
func (k *fkey) hash(seed uint64) uint64 {
	h := fold(k.aHi^seed^mix0, k.aLo^mix1)
	h = fold(k.bHi^h^mix2, k.bLo^mix3)
	return fold(k.meta^h^mix4, seed^mix5)
}

// ShardOf returns the shard, in [0, n), that meters p's connection. It
// hashes the unordered address pair and the protocol, not the ports, so
// both directions of a connection and every fragment of a datagram land in
// the same shard. The result depends only on those fields and n (no seed),
// so it is stable across runs and processes. n < 1 gives 0.
func ShardOf(p *packet.Packet, n int) int {
	if n <= 1 {
		return 0
	}
	aHi, aLo := addrWords(p.Src)
	bHi, bLo := addrWords(p.Dst)
	if bHi < aHi || bHi == aHi && bLo < aLo {
		aHi, aLo, bHi, bLo = bHi, bLo, aHi, aLo
	}
	h := fold(aHi^mix5, aLo^mix4)
	h = fold(bHi^h^mix3, bLo^mix2)
	h = fold(uint64(p.Proto)^h^mix1, mix0)
	shard, _ := bits.Mul64(h, uint64(n))
	return int(shard)
}
