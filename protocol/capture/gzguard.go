package capture

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// Limits on gzipped input. Real captures compress 2 to 25 times (the
// corpus's most compressible file, an FTP session, 22 times); a run of
// zeros compresses about 1000 times, the most deflate can do. A gzipped
// input may therefore grow to [GzipRatioFloor] bytes freely, and past that
// to at most [MaxGzipRatio] times the compressed bytes read so far; beyond
// it, reading stops with a [FormatError] wrapping [ErrTooLarge]. So the
// work a gzipped file can cause is bounded by its size on disk, whatever
// it claims to hold.
const (
	MaxGzipRatio   = 200
	GzipRatioFloor = 64 << 20
)

// countingByteReader counts the compressed bytes the gzip decoder takes.
// It is an io.ByteReader, so the decoder reads through it directly and
// never past the end of the gzip stream.
type countingByteReader struct {
	br *bufio.Reader
	n  int64
}

func (c *countingByteReader) Read(p []byte) (int, error) {
	n, err := c.br.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingByteReader) ReadByte() (byte, error) {
	b, err := c.br.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// bombGuard stands between the gzip decoder and the Reader: it counts
// the decompressed bytes and fails once they break the limits above.
type bombGuard struct {
	gz  *gzip.Reader
	in  *countingByteReader
	out int64
	err *bombError
}

func (g *bombGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.gz.Read(p)
	if err == io.ErrUnexpectedEOF {
		err = errGzipCut
	}
	g.out += int64(n)
	if g.out > GzipRatioFloor && g.out > MaxGzipRatio*g.in.n {
		g.err = &bombError{out: g.out, in: g.in.n}
		return n, g.err
	}
	return n, err
}

// errGzipCut is what the guard reports when the compressed stream ends
// before its end-of-stream trailer, so that the fault is told apart from a
// capture cut short inside a complete gzip stream.
var errGzipCut = errors.New("gzip: the compressed stream is cut short")

// bombError is the guard's verdict; [Reader.readFault] turns it into a
// FormatError at the offset of the record being read.
type bombError struct{ out, in int64 }

func (e *bombError) Error() string {
	return fmt.Sprintf("gzip: %d bytes decompressed from %d is over %d times the compressed "+
		"size; refused as a decompression bomb", e.out, e.in, MaxGzipRatio)
}
