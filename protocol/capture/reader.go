package capture

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

const (
	// MaxRecordLen is the largest pcap record (captured bytes) and the
	// largest pcapng block (total length) a Reader accepts: far above any
	// real packet (a 64 KiB IP datagram, 256 KiB snaplen), yet a length
	// of random bytes is almost always over it, so corruption shows early.
	MaxRecordLen = 16 << 20
	// MaxInterfaces is the most interfaces one pcapng section may describe.
	MaxInterfaces = 1 << 16
)

// Frame is one captured packet.
type Frame struct {
	// Data holds the captured bytes. It points into the Reader's buffer and
	// is valid only until the next call to [Reader.Next]; copy what must
	// outlive it.
	Data []byte
	// Time is the capture time in nanoseconds since the Unix epoch. It may
	// be negative (an if_tsoffset before 1970) or beyond 2^32 seconds.
	Time int64
	// OrigLen is the length of the packet on the wire, which is more than
	// len(Data) when the capture was cut at a snapshot length.
	OrigLen uint32
	// LinkType is the LINKTYPE_* value of the frame's interface.
	LinkType uint16
	// Interface is the pcapng interface id within its section (0 for pcap).
	Interface uint32
	// Section is the index of the frame's pcapng section, from 0 (0 for
	// pcap). Interface ids restart in every section, so (Section,
	// Interface) names one interface of the file.
	Section uint32
	// Offset is the byte offset of the record or block holding the frame,
	// in the decompressed stream when the file is gzipped.
	Offset int64
}

// Reader reads frames from a pcap or pcapng stream, possibly gzipped.
// A Reader is not safe for concurrent use.
//
// The Reader reads the input into blocks of its own and frames the records
// and blocks there, checking every header before it uses it (see the
// package documentation); the data of a frame is never copied.
type Reader struct {
	raw        *bufio.Reader // over the caller's reader, for gzipped input
	gz         *gzip.Reader
	zin        countingByteReader // raw, as gz reads it
	guard      bombGuard          // gz, within the gzip limits
	pre        prefixed           // the magic number, then the caller's reader
	magic      [4]byte
	compressed bool
	in         input // the input, gzip removed, with its offset
	big        *Block
	cur        *Block // holds the data of the last frame, when it is not in.blk
	pcapng     bool
	pcap       pcapFile
	sec        section
	nsec       uint32 // sections seen so far
	last       int64  // time of the previous frame, for Simple Packet Blocks
	err        error  // sticky: returned by every Next after the first failure
}

// NewReader reads the file header of a capture from src and returns a
// Reader positioned at its first frame. It tells the format from the first
// bytes: gzip, pcap or pcapng. A stream that is none of them gives a
// *[FormatError] wrapping [ErrNotCapture]; a header that is cut short or
// broken gives one wrapping [ErrTruncated] or [ErrMalformed].
func NewReader(src io.Reader) (*Reader, error) {
	r := new(Reader)
	if err := r.Reset(src); err != nil {
		return nil, err
	}
	return r, nil
}

// Reset makes r read a new capture from src, as [NewReader] does, reusing
// r's buffers. Blocks retained from the input before stay as they are
// until released. After a failed Reset every Next returns the same error.
func (r *Reader) Reset(src io.Reader) error {
	r.err = r.reset(src)
	return r.err
}

func (r *Reader) reset(src io.Reader) error {
	r.dropCur()
	r.compressed, r.pcapng, r.nsec, r.last = false, false, 0, 0
	r.sec = section{ifaces: r.sec.ifaces[:0]}

	n, err := readMagic(src, &r.magic)
	r.pre = prefixed{pre: r.magic[:n], src: src, err: err}
	if n >= 2 && r.magic[0] == 0x1f && r.magic[1] == 0x8b {
		if err := r.openGzip(); err != nil {
			return err
		}
	} else {
		r.in.reset(&r.pre)
	}
	magic, err := r.in.peek(4)
	if len(magic) < 4 {
		return r.magicFault(len(magic), err)
	}

	switch binary.LittleEndian.Uint32(magic) {
	case blockSHB:
		r.pcapng = true
		return r.openPcapng()
	case magicMicro, magicNano, magicModified:
		return r.openPcap(order{}, magic)
	case magicMicroBE, magicNanoBE, magicModifiedBE:
		return r.openPcap(order{big: true}, magic)
	}
	if magic[0] == 0 && magic[1] == ipfixVersion {
		return formatErr(0, ErrNotCapture, "first bytes % x: an IPFIX message header "+
			"(version 10), not a capture; this is flow records already", magic)
	}
	return formatErr(0, ErrNotCapture, "unknown magic number % x", magic)
}

// ipfixVersion is the version number that begins every IPFIX message.
const ipfixVersion = 10

// openGzip puts a gzip decoder between the caller's reader and r.in.
func (r *Reader) openGzip() error {
	var err error
	if r.raw == nil {
		r.raw = bufio.NewReaderSize(nil, 64<<10)
	}
	r.raw.Reset(&r.pre)
	r.zin = countingByteReader{br: r.raw}
	if r.gz == nil {
		r.gz, err = gzip.NewReader(&r.zin)
	} else {
		err = r.gz.Reset(&r.zin)
	}
	if err != nil {
		return r.readFault(0, "gzip header", 0, 10, err)
	}
	r.guard = bombGuard{gz: r.gz, in: &r.zin}
	r.compressed = true
	r.in.reset(&r.guard)
	return nil
}

// readMagic reads up to 4 bytes of src into m. It returns how many it got
// and, when it got fewer, the error src ended with (io.EOF at its end).
func readMagic(src io.Reader, m *[4]byte) (int, error) {
	n := 0
	for empty := 0; n < len(m); {
		k, err := src.Read(m[n:])
		n += k
		switch {
		case err != nil:
			return n, err
		case k > 0:
			empty = 0
		case empty >= 100:
			return n, io.ErrNoProgress
		default:
			empty++
		}
	}
	return n, nil
}

// magicFault reports an input too short to hold a magic number.
func (r *Reader) magicFault(got int, err error) error {
	err = shortErr(got, err)
	if err != io.EOF && err != io.ErrUnexpectedEOF {
		return r.readFault(0, "magic number", got, 4, err)
	}
	if got == 0 {
		return formatErr(0, ErrNotCapture, "empty input")
	}
	return formatErr(0, ErrNotCapture, "input of %d bytes is too short for a capture", got)
}

// Block returns the block that holds the data of the frame [Reader.Next]
// returned last, for a caller that retains it (see [Block]). It is
// meaningful only after a Next that returned a frame.
func (r *Reader) Block() *Block {
	if r.cur != nil {
		return r.cur
	}
	return r.in.block()
}

// dropCur lets go of the block of the previous frame when it was not the
// input's current block.
func (r *Reader) dropCur() {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

// Next reads the next frame into f. It returns io.EOF at a clean end of the
// input, a *[FormatError] for a fault in the input (wrapping [ErrTruncated]
// when the input ends inside a record), or the error of the underlying
// reader. Once Next has returned an error it returns the same error on every
// later call.
func (r *Reader) Next(f *Frame) error {
	if r.err != nil {
		return r.err
	}
	r.dropCur()
	var err error
	if r.pcapng {
		err = r.nextBlock(f)
	} else {
		err = r.nextRecord(f)
	}
	if err != nil {
		r.err = err
	}
	return err
}

// Format names the format of the input: "pcap" or "pcapng", with ".gz"
// appended when it is gzipped ("pcap.gz", "pcapng.gz").
func (r *Reader) Format() string {
	switch {
	case r.pcapng && r.compressed:
		return "pcapng.gz"
	case r.pcapng:
		return "pcapng"
	case r.compressed:
		return "pcap.gz"
	}
	return "pcap"
}

// Offset returns the number of bytes consumed so far, counted in the
// decompressed stream when the input is gzipped. After Next returns a frame
// it is the offset of the end of the frame's record or block.
func (r *Reader) Offset() int64 { return r.in.off }

// readFault turns a failed read of the header, record or block that starts
// at off into the error to return. what names it; got and want count the
// bytes that were there and the bytes needed.
func (r *Reader) readFault(off int64, what string, got, want int, err error) error {
	var bomb *bombError
	if errors.As(err, &bomb) {
		return formatErr(off, ErrTooLarge, "%s", bomb.Error())
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return formatErr(off, ErrTruncated, "%s cut short: %d of %d bytes", what, got, want)
	}
	if err == errGzipCut {
		return formatErr(off, ErrTruncated, "%v, in the %s (%d of %d bytes)", err, what, got, want)
	}
	var corrupt flate.CorruptInputError
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) ||
		errors.As(err, &corrupt) {
		return &FormatError{Offset: off, Reason: "gzip: " + strings.TrimPrefix(err.Error(), "gzip: "),
			Err: fmt.Errorf("%w: %w", ErrMalformed, err)}
	}
	return fmt.Errorf("offset %d: read %s: %w", off, what, err)
}

// order decodes integers in one byte order; the zero value is little-endian.
type order struct{ big bool }

func (o order) u16(b []byte) uint16 {
	if o.big {
		return binary.BigEndian.Uint16(b)
	}
	return binary.LittleEndian.Uint16(b)
}

func (o order) u32(b []byte) uint32 {
	if o.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (o order) u64(b []byte) uint64 {
	if o.big {
		return binary.BigEndian.Uint64(b)
	}
	return binary.LittleEndian.Uint64(b)
}

func (o order) append16(b []byte, v uint16) []byte {
	if o.big {
		return binary.BigEndian.AppendUint16(b, v)
	}
	return binary.LittleEndian.AppendUint16(b, v)
}

func (o order) append32(b []byte, v uint32) []byte {
	if o.big {
		return binary.BigEndian.AppendUint32(b, v)
	}
	return binary.LittleEndian.AppendUint32(b, v)
}

func (o order) append64(b []byte, v uint64) []byte {
	if o.big {
		return binary.BigEndian.AppendUint64(b, v)
	}
	return binary.LittleEndian.AppendUint64(b, v)
}
