package dpi

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// QUIC version 1 (RFC 9000, RFC 9001), version 2 (RFC 9369) and the late
// drafts: the client's Initial packets are decrypted and the CRYPTO
// frames they carry, which may be spread over several packets and come in
// any order, are put together into the TLS ClientHello. Google's older
// QUIC is in gquic.go.

func quicDissector() Dissector {
	return Dissector{
		Name: "quic", Proto: ProtoQUIC, Transports: UDP,
		UDPPorts: []uint16{443},
		Start:    newQUICState,
	}
}

var (
	errQUICShort = errors.New("quic packet cut short")
	errQUICBad   = errors.New("not a quic initial packet")
)

// newQUICState returns a state for a new flow: the quic dissector's state
// of the session's previous flow when there is one (see reuse), with the
// memory of its buffers kept, else a new one.
func newQUICState(info *FlowInfo) State {
	p, ok := info.prev.(*quicState)
	if !ok {
		return new(quicState)
	}
	info.prev = nil
	plain, data := p.plain[:0], p.crypto.data[:0]
	*p = quicState{plain: plain}
	p.crypto.data = data
	return p
}

// quicState gathers the client's CRYPTO stream.
type quicState struct {
	keys    *quicKeys
	dcid    [20]byte // the connection id keys were derived from
	dcidLen int
	version uint32
	crypto  stream // CRYPTO frame bytes by offset
	plain   []byte // decryption buffer, reused
	matched bool
	bad     uint8
}

func (s *quicState) Inspect(in *Input, res *Result) Status {
	if in.Dir != FromInitiator {
		return s.wait()
	}
	opened := false
	for b := in.Payload; len(b) > 0; {
		n, ok := s.packet(b)
		opened = opened || ok
		if n <= 0 {
			break
		}
		b = b[n:]
	}
	if !opened {
		if s.bad++; s.matched || s.bad < 2 {
			return s.wait()
		}
		return Reject
	}
	if !s.matched {
		s.matched = true
		res.Set(ProtoQUIC)
	}
	meta := res.Meta()
	meta.quic().Version = s.version
	typ, body, complete := quicClientHello(s.crypto.data)
	if typ != tlsClientHello {
		return Match
	}
	ch, ok := parseClientHello(body, complete)
	if !ok {
		return Match
	}
	if ch.serverName != nil && meta.tls().ServerName == "" {
		meta.tls().ServerName = Name(ch.serverName)
	}
	if !ch.complete {
		return Match
	}
	meta.tls().Version = ch.maxVersion()
	meta.tls().ALPN = appendALPN(meta.tls().ALPN[:0], ch.alpn)
	meta.tls().JA4 = ja4(&ch, ja4QUIC)
	s.plain, s.crypto = s.plain[:0], stream{data: s.crypto.data[:0]} // kept for reuse
	return Final
}

func (s *quicState) wait() Status {
	if s.matched {
		return Match
	}
	return Continue
}

// packet reads the long-header packet at the start of b: it returns the
// packet's length (0 when the rest of b cannot be walked) and whether it
// was a client Initial that decrypted.
func (s *quicState) packet(b []byte) (int, bool) {
	h, err := parseQUICLong(b)
	if err != nil {
		return 0, false
	}
	if !h.initial {
		return h.length, false
	}
	if s.keys == nil || s.version != h.version || !bytes.Equal(s.dcid[:s.dcidLen], h.dcid) {
		// The first Initial, or one after a Retry (RFC 9001 §5.2): keys
		// follow the connection id the client sends to.
		k, err := newQUICKeys(h.version, h.dcid)
		if err != nil {
			return h.length, false
		}
		plain, err := k.open(s.plain[:0], b[:h.length], h.pnOff)
		if err != nil {
			return h.length, false
		}
		s.keys, s.version, s.dcidLen = k, h.version, copy(s.dcid[:], h.dcid)
		s.plain = plain
	} else {
		plain, err := s.keys.open(s.plain[:0], b[:h.length], h.pnOff)
		if err != nil {
			return h.length, false
		}
		s.plain = plain
	}
	if s.crypto.data == nil && !s.crypto.init {
		s.crypto.synSeen(^uint32(0)) // CRYPTO offsets start at 0
	}
	quicFrames(s.plain, &s.crypto)
	return h.length, true
}

// quicLong is the parsed long header of one packet.
type quicLong struct {
	version uint32
	initial bool
	dcid    []byte
	pnOff   int // offset of the packet number (Initial only)
	length  int // bytes of the packet in the datagram
}

// parseQUICLong reads a long header (RFC 9000 §17.2). Packets of unknown
// versions and Version Negotiation packets are errQUICBad.
func parseQUICLong(b []byte) (quicLong, error) {
	var h quicLong
	if len(b) < 7 || b[0]&0x80 == 0 {
		return h, errQUICBad
	}
	h.version = binary.BigEndian.Uint32(b[1:])
	_, v2, ok := quicParams(h.version)
	if !ok || b[0]&0x40 == 0 { // the fixed bit (RFC 9000 §17.2)
		return h, errQUICBad
	}
	off := 5
	dl := int(b[off])
	if dl > 20 || off+1+dl >= len(b) {
		return h, errQUICBad
	}
	h.dcid = b[off+1 : off+1+dl]
	off += 1 + dl
	sl := int(b[off])
	if sl > 20 || off+1+sl > len(b) {
		return h, errQUICBad
	}
	off += 1 + sl
	typ := b[0] >> 4 & 3
	if v2 {
		typ = (typ + 3) & 3 // RFC 9369 §3.2: Initial 1, 0-RTT 2, Handshake 3, Retry 0
	}
	switch typ {
	case 3: // Retry: the rest of the datagram
		h.length = len(b)
		return h, nil
	case 0: // Initial: a token before the length
		tl, n := quicVarint(b[off:])
		if n == 0 || tl > uint64(len(b)-off-n) {
			return h, errQUICBad
		}
		off += n + int(tl)
		h.initial = true
	}
	pl, n := quicVarint(b[off:])
	if n == 0 || pl > uint64(len(b)-off-n) {
		return h, errQUICShort
	}
	h.pnOff = off + n
	h.length = h.pnOff + int(pl)
	return h, nil
}

// quicVarint reads a variable-length integer (RFC 9000 §16); n is 0 when
// b is too short.
func quicVarint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	n = 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0
	}
	v = uint64(b[0] & 0x3f)
	for _, c := range b[1:n] {
		v = v<<8 | uint64(c)
	}
	return v, n
}

// quicFrames walks the frames of a decrypted Initial packet and adds the
// data of its CRYPTO frames to crypto. Initial packets carry only
// PADDING, PING, ACK, CRYPTO and CONNECTION_CLOSE (RFC 9000 §17.2.2);
// anything else ends the walk.
func quicFrames(p []byte, crypto *stream) {
	for len(p) > 0 {
		typ := p[0]
		p = p[1:]
		switch typ {
		case 0x00, 0x01: // PADDING, PING
		case 0x02, 0x03: // ACK (RFC 9000 §19.3)
			var f [4]uint64 // largest, delay, range count, first range
			for i := range f {
				if f[i], p = quicNext(p); p == nil {
					return
				}
			}
			extra := 2 * f[2]
			if typ == 0x03 {
				extra += 3 // ECN counts
			}
			for ; extra > 0; extra-- {
				if _, p = quicNext(p); p == nil {
					return
				}
			}
		case 0x06: // CRYPTO (RFC 9000 §19.6)
			var off, l uint64
			if off, p = quicNext(p); p == nil {
				return
			}
			if l, p = quicNext(p); p == nil || l > uint64(len(p)) {
				return
			}
			if off < MaxStreamBytes {
				crypto.add(uint32(off), p[:l])
			}
			p = p[l:]
		case 0x1c, 0x1d: // CONNECTION_CLOSE (RFC 9000 §19.19)
			return
		default:
			return
		}
	}
}

// quicNext reads one variable-length integer and returns the rest of p,
// or nil when p is too short.
func quicNext(p []byte) (uint64, []byte) {
	v, n := quicVarint(p)
	if n == 0 {
		return 0, nil
	}
	return v, p[n:]
}

// quicClientHello returns the first handshake message of a CRYPTO
// stream: its type and body, and whether the body is whole.
func quicClientHello(crypto []byte) (typ uint8, body []byte, complete bool) {
	n, ok := tlsMessageLen(crypto)
	if !ok {
		return 0, nil, false
	}
	if len(crypto) >= n {
		return crypto[0], crypto[4:n], true
	}
	return crypto[0], crypto[4:], false
}
