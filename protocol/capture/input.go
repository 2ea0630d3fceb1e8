package capture

import (
	"bufio"
	"io"
)

// readBufSize is the size of the Reader's read buffer: the most this
// package looks at before it consumes anything, and so the largest
// Interface Description Block it reads.
const readBufSize = 256 << 10

// input is the byte stream under a Reader, gzip removed. It counts the
// bytes consumed, so every header, record and block has an offset.
type input struct {
	br  *bufio.Reader
	off int64 // bytes consumed so far
}

// reset starts reading br from offset 0.
func (in *input) reset(br *bufio.Reader) {
	in.br = br
	in.off = 0
}

// peek returns the next n bytes without consuming them; n must not exceed
// readBufSize. On a short read it returns the bytes that were there and
// io.EOF if there were none, io.ErrUnexpectedEOF if there were some, or
// the error of the underlying reader.
func (in *input) peek(n int) ([]byte, error) {
	b, err := in.br.Peek(n)
	if len(b) < n {
		return b, shortErr(len(b), err)
	}
	return b, nil
}

// skip consumes n bytes without looking at them. On a short read it returns
// the number of bytes skipped and an error as [input.peek] does.
func (in *input) skip(n int) (int, error) {
	m, err := in.br.Discard(n)
	in.off += int64(m)
	if m < n {
		return m, shortErr(m, err)
	}
	return m, nil
}

// read consumes up to len(p) bytes into p, as [bufio.Reader.Read] does.
func (in *input) read(p []byte) (int, error) {
	n, err := in.br.Read(p)
	in.off += int64(n)
	return n, err
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
