package capture

import "io"

// input is the byte stream under a Reader, gzip removed, read into blocks.
// It counts the bytes consumed, so every header, record and block has an
// offset.
//
// The unread bytes are blk.buf[r:w]. When a peek needs more than the
// block has room for, the unread bytes move: to the front of the same
// block when nobody else holds it, else to a fresh block, so that bytes a
// caller holds are never overwritten.
type input struct {
	src  io.Reader
	pool blockPool
	blk  *Block
	r, w int
	off  int64 // bytes consumed so far
	err  error // the error src returned, io.EOF at its end; sticky
}

// reset starts reading src from offset 0. The current block, if nobody
// else holds it, is kept for reading.
func (in *input) reset(src io.Reader) {
	in.src, in.off, in.err = src, 0, nil
	in.r, in.w = 0, 0
	if in.blk != nil && in.blk.refs > 1 {
		in.blk.Release()
		in.blk = nil
	}
	if in.blk == nil {
		in.blk = in.pool.get()
	}
}

// block returns the block holding the bytes of the last peek.
func (in *input) block() *Block { return in.blk }

// peek returns the next n bytes without consuming them; n must not exceed
// blockSize. On a short read it returns the bytes that were there and
// io.EOF if there were none, io.ErrUnexpectedEOF if there were some, or
// the error of the underlying reader. The bytes stay valid until the
// next call that reads (peek, skip, readBig), or as long as their block
// is retained.
func (in *input) peek(n int) ([]byte, error) {
	if in.w-in.r < n {
		in.fill(n)
		if got := in.w - in.r; got < n {
			return in.blk.buf[in.r:in.w], shortErr(got, in.err)
		}
	}
	return in.blk.buf[in.r : in.r+n], nil
}

// fill reads until n bytes are unread or src fails, making room first.
func (in *input) fill(n int) {
	if in.r+n > len(in.blk.buf) {
		in.move()
	}
	for empty := 0; in.w-in.r < n && in.err == nil; {
		m, err := in.src.Read(in.blk.buf[in.w:])
		in.w += m
		in.err = err
		if m > 0 {
			empty = 0
		} else if empty++; empty >= 100 && err == nil {
			in.err = io.ErrNoProgress
		}
	}
}

// move puts the unread bytes at the front of a block: the same one when
// nobody else holds it, else a fresh one.
func (in *input) move() {
	if in.blk.refs == 1 {
		in.w = copy(in.blk.buf, in.blk.buf[in.r:in.w])
		in.r = 0
		return
	}
	nb := in.pool.get()
	in.w = copy(nb.buf, in.blk.buf[in.r:in.w])
	in.r = 0
	in.blk.Release()
	in.blk = nb
}

// skip consumes n bytes. On a short read it returns the number of bytes
// skipped and an error as [input.peek] does.
func (in *input) skip(n int) (int, error) {
	done := 0
	for done < n {
		if in.r == in.w {
			in.fill(1)
			if in.r == in.w {
				return done, shortErr(done, in.err)
			}
		}
		m := min(n-done, in.w-in.r)
		in.r += m
		in.off += int64(m)
		done += m
	}
	return done, nil
}

// readBig consumes n bytes into buf (grown as needed; n may exceed
// blockSize) and returns them. The buffer grows with the bytes that came,
// never straight to n, so an input that claims more than it holds cannot
// make it allocate by the claim. On a short read it returns the bytes
// read and an error as [input.peek] does.
func (in *input) readBig(buf []byte, n int) ([]byte, error) {
	buf = buf[:0]
	for len(buf) < n {
		if in.r == in.w {
			in.fill(1)
			if in.r == in.w {
				return buf, shortErr(len(buf), in.err)
			}
		}
		m := min(n-len(buf), in.w-in.r)
		if len(buf)+m > cap(buf) {
			grown := make([]byte, len(buf), min(n, max(2*cap(buf), len(buf)+m)))
			copy(grown, buf)
			buf = grown
		}
		buf = append(buf, in.blk.buf[in.r:in.r+m]...)
		in.r += m
		in.off += int64(m)
	}
	return buf, nil
}

// shortErr classifies a read that returned got bytes, fewer than asked.
func shortErr(got int, err error) error {
	switch {
	case err == nil || err == io.EOF:
		if got == 0 {
			return io.EOF
		}
		return io.ErrUnexpectedEOF
	default:
		return err
	}
}

// prefixed reads the bytes of pre, then the rest of src; once src has
// failed (err), it fails the same way after pre.
type prefixed struct {
	pre []byte
	src io.Reader
	err error
}

func (p *prefixed) Read(b []byte) (int, error) {
	if len(p.pre) > 0 {
		n := copy(b, p.pre)
		p.pre = p.pre[n:]
		return n, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	return p.src.Read(b)
}
