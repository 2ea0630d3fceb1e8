package capture

import (
	"bufio"
	"io"
	"slices"
)

// readBufSize is the size of the Reader's read buffer. Records and blocks up
// to this size are returned straight from it without a copy; larger ones go
// through input.large.
const readBufSize = 256 << 10

// input is the byte stream under a Reader: it counts the bytes consumed and
// hands out records without copying them when they fit the read buffer.
type input struct {
	br    *bufio.Reader
	large []byte // records larger than br's buffer; grows with the bytes read
	off   int64  // bytes consumed so far
}

// reset starts reading br from offset 0, keeping the large buffer.
func (in *input) reset(br *bufio.Reader) {
	in.br = br
	in.large = in.large[:0]
	in.off = 0
}

// peek returns the next n bytes without consuming them; n must not exceed
// readBufSize. On a short read it returns what is there and the error
// described at [input.read].
func (in *input) peek(n int) ([]byte, error) {
	b, err := in.br.Peek(n)
	if len(b) < n {
		return b, shortErr(len(b), err)
	}
	return b, nil
}

// read consumes the next n bytes and returns them. The slice is valid until
// the next call on in; its capacity is its length, so an append by a caller
// cannot write over buffered input. On a short read it returns the bytes that were there
// and io.EOF if there were none, io.ErrUnexpectedEOF if there were some, or
// the error of the underlying reader.
func (in *input) read(n int) ([]byte, error) {
	if n > in.br.Size() {
		return in.readLarge(n)
	}
	b, err := in.peek(n)
	if err != nil {
		return b, err
	}
	_, _ = in.br.Discard(n) // cannot fail: the n bytes are buffered
	in.off += int64(n)
	return b[:n:n], nil
}

// readLarge reads n bytes into in.large. The buffer grows at most to twice
// the bytes read so far (plus one read buffer), never straight to n, so a
// length field alone cannot force a large allocation.
func (in *input) readLarge(n int) ([]byte, error) {
	buf := in.large[:0]
	for len(buf) < n {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(n-len(buf), max(len(buf), in.br.Size())))
		}
		m, err := io.ReadFull(in.br, buf[len(buf):min(n, cap(buf))])
		buf = buf[:len(buf)+m]
		if err != nil {
			in.large = buf[:0]
			return buf, shortErr(len(buf), err)
		}
	}
	in.large = buf
	in.off += int64(n)
	return buf[:n:n], nil
}

// skip consumes n bytes without looking at them. On a short read it returns
// the number of bytes skipped and an error as [input.read] does.
func (in *input) skip(n int) (int, error) {
	m, err := in.br.Discard(n)
	in.off += int64(m)
	if m < n {
		return m, shortErr(m, err)
	}
	return m, nil
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
