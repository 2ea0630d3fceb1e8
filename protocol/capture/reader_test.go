package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// samplePcap and samplePcapng return small captures of the same two frames.
func samplePcap() []byte {
	le := binary.LittleEndian
	return pcapBytes(le, pcapHeader(le, magicNano, 2, 4, 65535, 1),
		rec(10, 1, payload(60, 1)), rec(11, 2, payload(42, 2)))
}

func samplePcapng() []byte {
	b := newNG(binary.BigEndian).shb(1)
	b.idb(1, 0, b.opt(optTSResol, []byte{9}))
	return b.epb(0, 10e9+1, payload(60, 1), 60).epb(0, 11e9+2, payload(42, 2), 42).buf
}

func TestGzip(t *testing.T) {
	pcapGz, ngGz := gzipped(t, samplePcap()), gzipped(t, samplePcapng())
	tests := []struct {
		name       string
		file       []byte
		wantFormat string
		wantFrames int
		wantErr    error // nil: a clean io.EOF
		wantOffset int64
		wantReason string // part of the fault's reason
	}{
		{name: "pcap", file: pcapGz, wantFormat: "pcap.gz", wantFrames: 2},
		{name: "pcapng", file: ngGz, wantFormat: "pcapng.gz", wantFrames: 2},
		{
			name: "two gzip members", wantFormat: "pcap.gz", wantFrames: 4,
			file: append(bytes.Clone(pcapGz), gzipped(t, samplePcap()[24:])...),
		},
		{
			name: "compressed stream cut short", file: pcapGz[:len(pcapGz)-8],
			wantFormat: "pcap.gz", wantFrames: 2, wantErr: ErrTruncated, wantOffset: 24 + 76 + 58,
			wantReason: "gzip: the compressed stream is cut short",
		},
		{
			name: "capture cut in a record", file: gzipped(t, samplePcapng()[:100]),
			wantFormat: "pcapng.gz", wantErr: ErrTruncated, wantOffset: 56,
		},
		{
			name: "checksum mismatch", file: corruptCRC(pcapGz),
			wantFormat: "pcap.gz", wantFrames: 2, wantErr: ErrMalformed, wantOffset: 24 + 76 + 58,
			wantReason: "gzip: invalid checksum",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.file))
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			g := readFrames(r)
			if g.format != tc.wantFormat {
				t.Errorf("Format() = %q, want %q", g.format, tc.wantFormat)
			}
			if tc.wantErr == nil && g.err != io.EOF {
				t.Errorf("reading ended with %v, want io.EOF", g.err)
			}
			if tc.wantErr != nil {
				checkFault(t, g.err, tc.wantErr, tc.wantOffset)
				if !strings.Contains(g.err.Error(), tc.wantReason) || strings.Count(g.err.Error(), "gzip") > 1 {
					t.Errorf("fault %q does not say %q once", g.err, tc.wantReason)
				}
			}
			if len(g.frames) != tc.wantFrames {
				t.Errorf("read %d frames, want %d", len(g.frames), tc.wantFrames)
			}
		})
	}
}

// corruptCRC flips a bit of the CRC-32 in a gzip member's trailer.
func corruptCRC(gz []byte) []byte {
	b := bytes.Clone(gz)
	b[len(b)-8] ^= 1
	return b
}

func TestGzipNotCapture(t *testing.T) {
	tests := []struct {
		name    string
		file    []byte
		wantErr error
	}{
		{name: "text inside gzip", file: gzipped(t, []byte("hello, world")), wantErr: ErrNotCapture},
		{name: "empty gzip", file: gzipped(t, nil), wantErr: ErrNotCapture},
		{name: "gzip magic only", file: []byte{0x1f, 0x8b}, wantErr: ErrTruncated},
		{name: "gzip header only", file: gzipped(t, samplePcap())[:10], wantErr: ErrTruncated},
		{name: "gzip cut before any output", file: gzipped(t, samplePcap())[:14], wantErr: ErrTruncated},
		{name: "bad gzip header", file: []byte{0x1f, 0x8b, 99, 0, 0, 0, 0, 0, 0, 0, 0, 0},
			wantErr: ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tc.file))
			checkFault(t, err, tc.wantErr, 0)
		})
	}
}

func TestReset(t *testing.T) {
	inputs := []struct {
		file []byte
		size int // decompressed
	}{
		{file: samplePcapng(), size: len(samplePcapng())},
		{file: samplePcap(), size: len(samplePcap())},
		{file: gzipped(t, samplePcapng()), size: len(samplePcapng())},
		{file: samplePcap(), size: len(samplePcap())},
	}
	want := readAll(t, samplePcap()).frames
	r, err := NewReader(bytes.NewReader([]byte("not a capture")))
	if err == nil || r != nil {
		t.Fatalf("NewReader of text = %v, %v; want an error", r, err)
	}
	r = new(Reader)
	for i, in := range inputs {
		if err := r.Reset(bytes.NewReader(in.file)); err != nil {
			t.Fatalf("input %d: Reset: %v", i, err)
		}
		g := readFrames(r)
		if g.err != io.EOF {
			t.Fatalf("input %d: reading ended with %v", i, g.err)
		}
		if r.Offset() != int64(in.size) {
			t.Errorf("input %d: Offset() = %d at the end, want %d", i, r.Offset(), in.size)
		}
		for j := range g.frames {
			g.frames[j].Offset, want[j].Offset = 0, 0 // the formats differ in layout
		}
		sameFrames(t, g.frames, want)
	}
	if err := r.Reset(bytes.NewReader(nil)); !errors.Is(err, ErrNotCapture) {
		t.Errorf("Reset(empty) = %v, want ErrNotCapture", err)
	}
	if err := r.Next(new(Frame)); !errors.Is(err, ErrNotCapture) {
		t.Errorf("Next after a failed Reset = %v, want ErrNotCapture", err)
	}
}

func TestErrorsAreSticky(t *testing.T) {
	file := samplePcap()
	r, err := NewReader(bytes.NewReader(file[:len(file)-1]))
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	if err := r.Next(&f); err != nil {
		t.Fatalf("first frame: %v", err)
	}
	first := r.Next(&f)
	checkFault(t, first, ErrTruncated, 24+76)
	if again := r.Next(&f); again != first {
		t.Errorf("second Next after the error = %v, want the same %v", again, first)
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	file := samplePcapng()
	r, err := NewReader(&errReader{data: file[:len(file)-20], err: boom})
	if err != nil {
		t.Fatal(err)
	}
	g := readFrames(r)
	if len(g.frames) != 1 {
		t.Errorf("read %d frames, want 1", len(g.frames))
	}
	var fe *FormatError
	if !errors.Is(g.err, boom) || errors.As(g.err, &fe) {
		t.Errorf("error %v: want the reader's error, not a FormatError", g.err)
	}
	if _, err := NewReader(&errReader{err: boom}); !errors.Is(err, boom) {
		t.Errorf("NewReader over a failing reader = %v, want %v", err, boom)
	}
}

// TestDataCannotOverwriteInput checks that appending to Frame.Data leaves
// the frames after it intact.
func TestDataCannotOverwriteInput(t *testing.T) {
	for _, file := range [][]byte{samplePcap(), samplePcapng()} {
		r, err := NewReader(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		var f Frame
		if err := r.Next(&f); err != nil {
			t.Fatal(err)
		}
		_ = append(f.Data, make([]byte, 64)...)
		if err := r.Next(&f); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Data, payload(42, 2)) {
			t.Errorf("%s: second frame changed by an append to the first", r.Format())
		}
	}
}

// TestHostileLengths checks that lengths near the limit, with no data
// behind them, do not make the Reader allocate by the length.
func TestHostileLengths(t *testing.T) {
	le := binary.LittleEndian
	ngHead := newNG(le).shb(1).idb(1, 0).buf
	epb := le.AppendUint32(le.AppendUint32(bytes.Clone(ngHead), blockEPB), MaxRecordLen)
	tests := []struct {
		name       string
		file       []byte
		wantOffset int64 // of the hostile record
	}{
		{
			name: "pcap record of 16 MiB",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 0xffff_ffff, 1),
				pcapRec{capLen: MaxRecordLen, origLen: MaxRecordLen, data: payload(1000, 1)}),
			wantOffset: 24,
		},
		{
			name:       "pcapng block of 16 MiB",
			file:       append(epb, make([]byte, 1000)...),
			wantOffset: int64(len(ngHead)),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			g := readAll(t, tc.file)
			runtime.ReadMemStats(&after)
			checkFault(t, g.err, ErrTruncated, tc.wantOffset)
			if n := after.TotalAlloc - before.TotalAlloc; n > 2<<20 {
				t.Errorf("allocated %d bytes for a %d-byte input", n, len(tc.file))
			}
		})
	}
}

// TestReaderAllocs checks that reading allocates nothing per frame: reading
// a file of many frames allocates no more than reading one of a few. (Not
// for gzip: compress/flate allocates as the stream goes.)
func TestReaderAllocs(t *testing.T) {
	le := binary.LittleEndian
	d := payload(100, 1)
	pcap := func(n int) []byte {
		recs := make([]pcapRec, n)
		for i := range recs {
			recs[i] = rec(uint32(i), 0, d)
		}
		return pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1), recs...)
	}
	pcapng := func(n int) []byte {
		b := newNG(le).shb(1).idb(1, 0)
		for i := range n {
			// Options on every packet, which this package does not read.
			b.epb(0, uint64(i), d, 100, b.opt(1, []byte("comment")), b.opt(2, []byte{1, 0, 0, 0}))
			b.spb(100, d)
		}
		return b.buf
	}
	modified := func(n int) []byte {
		recs := make([]pcapRec, n)
		for i := range recs {
			// Version 2.2 has the original length first.
			recs[i] = pcapRec{capLen: 150, origLen: 100, extra: make([]byte, 8), data: d}
		}
		return pcapBytes(le, pcapHeader(le, magicModified, 2, 2, 0, 1), recs...)
	}
	tests := []struct {
		name string
		file func(n int) []byte
	}{
		{name: "pcap", file: pcap},
		{name: "pcapng with options", file: pcapng},
		{name: "modified pcap, version 2.2, no snaplen", file: modified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			few, many := readAllocs(t, tc.file(3)), readAllocs(t, tc.file(1000))
			if many != few {
				t.Errorf("%v allocations for 1000 frames, %v for 3", many, few)
			}
		})
	}
}

// readAllocs returns the allocations of reading file to its end with a
// Reader that has read it once before.
func readAllocs(t testing.TB, file []byte) float64 {
	t.Helper()
	r := new(Reader)
	var f Frame
	src := bytes.NewReader(file)
	read := func() {
		src.Reset(file)
		if err := r.Reset(src); err != nil {
			t.Fatal(err)
		}
		for r.Next(&f) == nil {
		}
	}
	read()
	if err := r.Next(&f); err != io.EOF {
		t.Fatalf("reading ended with %v", err)
	}
	return testing.AllocsPerRun(5, read)
}
