package dpi

// MaxStreamBytes caps the bytes of each direction of a TCP stream that a
// Session reassembles: enough for the hellos, greetings and request heads
// dissectors read (a ClientHello with a post-quantum key share is about
// 1.8 KiB). Bytes past it are not kept.
const MaxStreamBytes = 4096

// stream reassembles the first bytes of one direction of a TCP connection.
//
// data holds the bytes from base on, in order and without holes; pend holds
// segments that arrived ahead of a hole, sorted by offset and not
// overlapping. Offsets are relative to base and below MaxStreamBytes, so a
// stream never holds more than about twice that, and only as much as came.
// Where segments overlap, the bytes that came first are kept.
type stream struct {
	base uint32 // sequence number of data[0]
	init bool   // base is set
	syn  bool   // base follows a SYN: nothing comes before it
	data []byte
	pend []span
}

// span is a segment held ahead of a hole.
type span struct {
	off int
	b   []byte
}

// reset empties the stream for a new flow, keeping the memory of data.
func (st *stream) reset() {
	*st = stream{data: st.data[:0]}
}

// synSeen records the SYN of the direction: the stream starts after it.
// It reports whether data held so far had to move (it came before its SYN).
func (st *stream) synSeen(seq uint32) (rebased bool) {
	start := seq + 1
	switch {
	case !st.init:
		st.base, st.init, st.syn = start, true, true
	case st.syn:
	case st.base == start:
		st.syn = true
	case int32(st.base-start) > 0:
		st.syn = st.rebase(start)
		return st.syn
	}
	return false
}

// full reports whether the stream holds all it will ever hold.
func (st *stream) full() bool { return len(st.data) >= MaxStreamBytes }

// add places a segment that starts at sequence number seq. grew reports
// that data became longer; rebased that the stream's start moved earlier
// (no SYN seen, and a segment from before the first one seen came late).
func (st *stream) add(seq uint32, b []byte) (grew, rebased bool) {
	if !st.init {
		st.base, st.init = seq, true
	}
	off := int(int32(seq - st.base))
	if off < 0 && !st.syn && st.rebase(seq) {
		off, rebased = 0, true
	}
	if off < 0 { // a retransmission of bytes before the start
		if -off >= len(b) {
			return false, rebased
		}
		b, off = b[-off:], 0
	}
	if off >= MaxStreamBytes {
		return false, rebased
	}
	if end := off + len(b); end > MaxStreamBytes {
		b = b[:MaxStreamBytes-off]
	}
	before := len(st.data)
	if off <= len(st.data) {
		st.appendAt(off, b)
		st.drain()
	} else {
		st.hold(off, b)
	}
	return len(st.data) > before, rebased
}

// rebase moves the start of the stream back to seq, if what is held
// still fits under MaxStreamBytes from there. It reports whether it did.
func (st *stream) rebase(seq uint32) bool {
	d := int(int32(st.base - seq))
	if d <= 0 || d >= MaxStreamBytes {
		return false
	}
	// Everything held so far moves d bytes on and waits for the hole in
	// front of it to fill.
	old := st.pend
	st.pend = nil
	if len(st.data) > 0 {
		st.hold(d, st.data)
	}
	for _, p := range old {
		st.hold(p.off+d, p.b)
	}
	st.base, st.data = seq, nil
	return true
}

// appendAt adds the part of b (which starts at off <= len(data)) that lies
// past the end of data.
func (st *stream) appendAt(off int, b []byte) {
	skip := len(st.data) - off
	if skip >= len(b) {
		return
	}
	b = b[skip:]
	st.data = growTo(st.data, len(st.data)+len(b))
	st.data = append(st.data, b...)
}

// drain moves held segments that now touch data onto it.
func (st *stream) drain() {
	n := 0
	for n < len(st.pend) && st.pend[n].off <= len(st.data) {
		st.appendAt(st.pend[n].off, st.pend[n].b)
		n++
	}
	if n > 0 {
		st.pend = append(st.pend[:0], st.pend[n:]...)
	}
	if len(st.pend) == 0 {
		st.pend = nil
	}
}

// hold keeps a copy of the parts of b (at off, beyond data) that no held
// segment covers yet.
func (st *stream) hold(off int, b []byte) {
	if lim := MaxStreamBytes - off; lim <= 0 {
		return
	} else if len(b) > lim {
		b = b[:lim]
	}
	// Walk the held segments in order, keeping the pieces of b that fall
	// into the gaps between them.
	var out []span
	i := 0
	for len(b) > 0 {
		for i < len(st.pend) && st.pend[i].off+len(st.pend[i].b) <= off {
			out = append(out, st.pend[i])
			i++
		}
		gapEnd := MaxStreamBytes
		if i < len(st.pend) {
			gapEnd = st.pend[i].off
		}
		if off < gapEnd {
			n := min(len(b), gapEnd-off)
			out = append(out, span{off: off, b: append([]byte(nil), b[:n]...)})
			b, off = b[n:], off+n
			continue
		}
		// off lies inside pend[i]: skip what it covers.
		covered := st.pend[i].off + len(st.pend[i].b) - off
		if covered >= len(b) {
			break
		}
		b, off = b[covered:], off+covered
	}
	st.pend = append(out, st.pend[i:]...)
}

// growTo returns b with room for n bytes, growing it by doubling but never
// past MaxStreamBytes, so a buffer is at most twice what it holds.
func growTo(b []byte, n int) []byte {
	if n <= cap(b) {
		return b
	}
	c := max(2*cap(b), n, 256)
	c = min(c, MaxStreamBytes)
	nb := make([]byte, len(b), c) // at most MaxStreamBytes
	copy(nb, b)
	return nb
}
