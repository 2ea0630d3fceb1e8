package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// sharedDir returns the shared test material (bug cases and corpus), which
// lives next to the repository, or skips the test when it is absent.
func sharedDir(t testing.TB, sub ...string) string {
	t.Helper()
	dir := filepath.Join(append([]string{"..", "..", "..", "shared"}, sub...)...)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("shared test material not found at %s: %v", dir, err)
	}
	return dir
}

// got is what a test keeps of a Frame: Data copied.
type got struct {
	frames []Frame
	err    error // the error that ended reading: io.EOF at a clean end
	format string
}

// readAll reads every frame of data. It fails the test if NewReader fails.
func readAll(t testing.TB, data []byte) got {
	t.Helper()
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	return readFrames(r)
}

func readFrames(r *Reader) got {
	g := got{format: r.Format()}
	var f Frame
	for {
		if g.err = r.Next(&f); g.err != nil {
			return g
		}
		f.Data = bytes.Clone(f.Data)
		g.frames = append(g.frames, f)
	}
}

// checkFault checks that err is a *FormatError at offset off wrapping want.
func checkFault(t testing.TB, err error, want error, off int64) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FormatError", err, err)
	}
	if !errors.Is(err, want) {
		t.Errorf("error %q does not wrap %q", err, want)
	}
	if fe.Offset != off {
		t.Errorf("error %q at offset %d, want %d", err, fe.Offset, off)
	}
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pcapRec is one classic pcap record for pcapBytes.
type pcapRec struct {
	sec, frac uint32
	capLen    uint32 // written as is; data is written whatever its length
	origLen   uint32
	extra     []byte // the 8 more header bytes of the modified format
	data      []byte
}

// pcapHeader builds a 24-byte pcap file header in order o.
func pcapHeader(o binary.AppendByteOrder, magic uint32, major, minor uint16,
	snaplen, linkType uint32) []byte {
	b := o.AppendUint32(nil, magic)
	b = o.AppendUint16(b, major)
	b = o.AppendUint16(b, minor)
	b = o.AppendUint32(b, 0) // thiszone
	b = o.AppendUint32(b, 0) // sigfigs
	b = o.AppendUint32(b, snaplen)
	return o.AppendUint32(b, linkType)
}

// pcapBytes appends records to a file header.
func pcapBytes(o binary.AppendByteOrder, hdr []byte, recs ...pcapRec) []byte {
	b := bytes.Clone(hdr)
	for _, r := range recs {
		b = o.AppendUint32(b, r.sec)
		b = o.AppendUint32(b, r.frac)
		b = o.AppendUint32(b, r.capLen)
		b = o.AppendUint32(b, r.origLen)
		b = append(b, r.extra...)
		b = append(b, r.data...)
	}
	return b
}

// rec makes a well-formed pcap record of data.
func rec(sec, frac uint32, data []byte) pcapRec {
	n := uint32(len(data))
	return pcapRec{sec: sec, frac: frac, capLen: n, origLen: n, data: data}
}

// ng builds pcapng bytes in one byte order.
type ng struct {
	o   binary.AppendByteOrder
	buf []byte
}

func newNG(o binary.AppendByteOrder) *ng { return &ng{o: o} }

// block appends a block of type typ whose body is the concatenation of
// parts, padded to 32 bits.
func (b *ng) block(typ uint32, parts ...[]byte) *ng {
	body := bytes.Join(parts, nil)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	total := uint32(12 + len(body))
	b.buf = b.o.AppendUint32(b.buf, typ)
	b.buf = b.o.AppendUint32(b.buf, total)
	b.buf = append(b.buf, body...)
	b.buf = b.o.AppendUint32(b.buf, total)
	return b
}

// shb appends a Section Header Block of the given major version.
func (b *ng) shb(major uint16, opts ...[]byte) *ng {
	h := b.o.AppendUint32(nil, 0x1a2b3c4d)
	h = b.o.AppendUint16(h, major)
	h = b.o.AppendUint16(h, 0)
	h = b.o.AppendUint64(h, ^uint64(0)) // section length unknown
	return b.block(blockSHB, append([][]byte{h}, opts...)...)
}

func (b *ng) idb(linkType uint16, snaplen uint32, opts ...[]byte) *ng {
	h := b.o.AppendUint16(nil, linkType)
	h = b.o.AppendUint16(h, 0)
	h = b.o.AppendUint32(h, snaplen)
	return b.block(blockIDB, append([][]byte{h}, opts...)...)
}

func (b *ng) epb(id uint32, ts uint64, data []byte, origLen uint32, opts ...[]byte) *ng {
	h := b.o.AppendUint32(nil, id)
	h = b.o.AppendUint32(h, uint32(ts>>32))
	h = b.o.AppendUint32(h, uint32(ts))
	h = b.o.AppendUint32(h, uint32(len(data)))
	h = b.o.AppendUint32(h, origLen)
	return b.block(blockEPB, append([][]byte{h, pad4(data)}, opts...)...)
}

func (b *ng) pb(id uint16, ts uint64, data []byte, origLen uint32) *ng {
	h := b.o.AppendUint16(nil, id)
	h = b.o.AppendUint16(h, 0) // drops count
	h = b.o.AppendUint32(h, uint32(ts>>32))
	h = b.o.AppendUint32(h, uint32(ts))
	h = b.o.AppendUint32(h, uint32(len(data)))
	h = b.o.AppendUint32(h, origLen)
	return b.block(blockPB, h, pad4(data))
}

func (b *ng) spb(origLen uint32, data []byte) *ng {
	return b.block(blockSPB, b.o.AppendUint32(nil, origLen), data)
}

// opt encodes one option, padded to 32 bits.
func (b *ng) opt(code uint16, val []byte) []byte {
	o := b.o.AppendUint16(nil, code)
	o = b.o.AppendUint16(o, uint16(len(val)))
	return pad4(append(o, val...))
}

// tsoffset encodes an if_tsoffset option of sec seconds.
func (b *ng) tsoffset(sec int64) []byte {
	return b.opt(optTSOffset, b.o.AppendUint64(nil, uint64(sec)))
}

// endOpt is opt_endofopt.
var endOpt = []byte{0, 0, 0, 0}

func pad4(b []byte) []byte {
	b = bytes.Clone(b)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// payload returns n bytes that differ from frame to frame.
func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i)
	}
	return b
}

// errReader returns data, then err.
type errReader struct {
	data []byte
	err  error
}

func (e *errReader) Read(p []byte) (int, error) {
	if len(e.data) == 0 {
		return 0, e.err
	}
	n := copy(p, e.data)
	e.data = e.data[n:]
	return n, nil
}

var _ io.Reader = (*errReader)(nil)
