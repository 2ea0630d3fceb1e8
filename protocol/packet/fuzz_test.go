package packet

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fuzzLinks are the link types every fuzz input is decoded as: all that
// are supported, and one that is not.
var fuzzLinks = []uint16{LinkNull, LinkEthernet, LinkPPP, LinkRawBSD, LinkRawOpenBSD,
	LinkPPPHDLC, LinkPPPoE, LinkRaw, LinkCHDLC, LinkLoop, LinkLinuxSLL, LinkIPv4, LinkIPv6,
	LinkLinuxSLL2, 147}

// maxSeedsPerFile keeps the seed corpus small enough to replay quickly.
const maxSeedsPerFile = 40

func FuzzDecode(f *testing.F) {
	for _, b := range [][]byte{
		cat(eth(0x0800), tcp4), pad(cat(eth(0x86dd), udp6)), tcp4, udp6,
		cat(eth(0x88a8), be16(1), tag(0x8100, 2, 0x0800), udp4),
		cat(eth(0x8847), label(16, false), label(17, true), udp6),
		outer4(47, cat(be16(0xb000), be16(0x6558), be32(0), be32(1), be32(2), eth(0x0800), tcp4)),
		outer4(17, udp(1, 4789, 0, cat(vxlan(5, 8), eth(0x0800), tcp4))),
		outer4(17, udp(2152, 2152, 0, cat([]byte{0x34, 255, 0, 0}, be32(1), be32(0x85),
			[]byte{1, 0, 0, 0}, tcp4))),
		ip6{src: a6, dst: b6, next: 0, plen: -1}.with(cat(ext6(44, 8),
			frag6(17, 0, true, 1), udpDgram)),
		cat(be32(2), tcp4), cat(sllHeader(0x0800), tcp4), cat(sll2Header(0x86dd), udp6),
	} {
		f.Add(b)
	}
	addCaptureSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var d, plain Decoder
		plain.NoDecap = true
		for _, lt := range fuzzLinks {
			checkDecode(t, &d, &plain, lt, data)
		}
	})
}

// addCaptureSeeds adds frames of the bug cases and the corpus, when the
// shared material is there.
func addCaptureSeeds(f *testing.F) {
	root := filepath.Join("..", "..", "..", "shared")
	for _, sub := range []string{"bugcases", filepath.Join("corpus", "pcap")} {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		if err != nil {
			continue
		}
		for _, e := range entries {
			ext := filepath.Ext(e.Name())
			if ext == ".txt" || ext == ".md" || ext == ".tsv" {
				continue
			}
			frames, _ := readCapture(f, filepath.Join(root, sub, e.Name()))
			for i, fr := range frames {
				if i == maxSeedsPerFile {
					break
				}
				f.Add(fr.data)
			}
		}
	}
}

// checkDecode decodes data as lt and checks what must hold for any input.
func checkDecode(t *testing.T, d, plain *Decoder, lt uint16, data []byte) {
	t.Helper()
	var p Packet
	err := d.Decode(lt, data, &p)
	if err != nil {
		checkFuzzErr(t, lt, data, err)
		return
	}
	// Decoding over a used Packet gives the same packet: nothing leaks.
	q := leftover()
	if err := d.Decode(lt, data, &q); err != nil {
		t.Fatalf("link %d: second decode failed: %v", lt, err)
	}
	q.Time, q.Interface = 0, 0
	if !reflect.DeepEqual(p, q) {
		t.Fatalf("link %d: decode over a used packet differs\n%+v\n%+v", lt, p, q)
	}
	checkPacket(t, lt, data, &p)
	// Decapsulation never turns a packet into an error, and without it
	// no tunnel is named.
	var o Packet
	if err := plain.Decode(lt, data, &o); err != nil {
		t.Fatalf("link %d: decodes with decap, fails without: %v", lt, err)
	}
	checkPacket(t, lt, data, &o)
	if o.Tunnel != TunnelNone {
		t.Fatalf("link %d: NoDecap gave tunnel %v", lt, o.Tunnel)
	}
	if p.Tunnel == TunnelNone && !reflect.DeepEqual(p, o) {
		t.Fatalf("link %d: no tunnel, yet NoDecap differs\n%+v\n%+v", lt, p, o)
	}
}

func checkFuzzErr(t *testing.T, lt uint16, data []byte, err error) {
	t.Helper()
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("link %d: error %T is not a *DecodeError", lt, err)
	}
	switch de.Err {
	case ErrNotIP, ErrTruncated, ErrUnsupportedLink, ErrMalformed:
	default:
		t.Fatalf("link %d: unknown sentinel %v", lt, de.Err)
	}
	if de.Offset < 0 || de.Offset > len(data) || de.LinkType != lt {
		t.Fatalf("link %d: error %v points outside the %d-byte frame", lt, err, len(data))
	}
	if (de.Err == ErrUnsupportedLink) == LinkTypeSupported(lt) {
		t.Fatalf("link %d: %v", lt, err)
	}
}

// checkPacket checks the invariants of a decoded packet.
func checkPacket(t *testing.T, lt uint16, data []byte, p *Packet) {
	t.Helper()
	switch {
	case p.IPVersion == 4 && p.Src.Is4() && p.Dst.Is4() && p.Octets >= 20:
	case p.IPVersion == 6 && p.Src.Is6() && p.Dst.Is6() && p.Octets >= 40:
	default:
		t.Fatalf("link %d: bad addresses or length: %+v", lt, p)
	}
	if p.Fragmented && !p.FirstFrag && (p.SrcPort != 0 || p.DstPort != 0 || p.Payload != nil) {
		t.Fatalf("link %d: later fragment with ports or payload: %+v", lt, p)
	}
	if !p.Fragmented && (p.FirstFrag || p.MoreFrags || p.FragID != 0) {
		t.Fatalf("link %d: fragment fields on a whole datagram: %+v", lt, p)
	}
	if (p.Proto == protoICMP || p.Proto == protoICMPv6) && p.SrcPort != 0 {
		t.Fatalf("link %d: icmp with a source port: %+v", lt, p)
	}
	if p.Tunnel == TunnelNone && p.TunnelID != 0 || p.Tunnel > TunnelIPIP {
		t.Fatalf("link %d: tunnel %v id %d", lt, p.Tunnel, p.TunnelID)
	}
	if p.TCPFlags > 0x1ff || p.Proto != protoTCP && p.TCPFlags != 0 {
		t.Fatalf("link %d: tcp flags %#x on protocol %d", lt, p.TCPFlags, p.Proto)
	}
	if len(p.Payload) > 0 && !aliases(data, p.Payload) {
		t.Fatalf("link %d: payload does not alias the frame", lt)
	}
}

// aliases reports whether sub is a slice of data's array.
func aliases(data, sub []byte) bool {
	end := &sub[len(sub)-1]
	for i := range data {
		if &data[i] == &sub[0] {
			return i+len(sub) <= len(data) && &data[i+len(sub)-1] == end
		}
	}
	return false
}
