package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// maxSeedSize keeps large corpus files out of the fuzz seeds.
const maxSeedSize = 100 << 10

func FuzzReader(f *testing.F) {
	for _, seed := range builtinSeeds(f) {
		f.Add(seed)
	}
	for _, pattern := range []string{"bugcases/*.pcap*", "corpus/pcap/*"} {
		names, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", pattern))
		for _, name := range names {
			if data, err := os.ReadFile(name); err == nil && len(data) <= maxSeedSize {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			checkFuzzErr(t, err, data, true)
			return
		}
		plain := !strings.HasSuffix(r.Format(), ".gz")
		prev := int64(-1)
		var fr Frame
		for {
			err := r.Next(&fr)
			if err == io.EOF {
				if plain && r.Offset() != int64(len(data)) {
					t.Fatalf("clean end at offset %d of %d bytes", r.Offset(), len(data))
				}
				return
			}
			if err != nil {
				checkFuzzErr(t, err, data, plain)
				return
			}
			if fr.Offset <= prev || fr.Offset+int64(len(fr.Data)) > r.Offset() {
				t.Fatalf("frame at %d with %d bytes after %d, reader at %d",
					fr.Offset, len(fr.Data), prev, r.Offset())
			}
			if len(fr.Data) > MaxRecordLen || cap(fr.Data) != len(fr.Data) {
				t.Fatalf("frame data of length %d, capacity %d", len(fr.Data), cap(fr.Data))
			}
			prev = fr.Offset
		}
	})
}

// checkFuzzErr checks that err, from reading data that cannot fail to be
// read, is a FormatError inside the input and of a known kind.
func checkFuzzErr(t *testing.T, err error, data []byte, plain bool) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FormatError", err, err)
	}
	if fe.Reason == "" || fe.Offset < 0 || plain && fe.Offset > int64(len(data)) {
		t.Fatalf("error %q at offset %d of %d bytes", err, fe.Offset, len(data))
	}
	known := false
	for _, s := range []error{ErrNotCapture, ErrTruncated, ErrTooLarge, ErrMalformed} {
		known = known || errors.Is(err, s)
	}
	if !known {
		t.Fatalf("error %q wraps no sentinel", err)
	}
}

// builtinSeeds are small captures that reach every kind of record.
func builtinSeeds(t testing.TB) [][]byte {
	le, be := binary.LittleEndian, binary.BigEndian
	d := payload(20, 1)
	ng := newNG(le).shb(1)
	ng.idb(1, 8, ng.opt(optTSResol, []byte{0x80 | 20}), ng.tsoffset(-5), endOpt)
	ng.epb(0, 1<<30, d, 30).spb(20, d).pb(0, 5, d, 20).block(5, make([]byte, 8))
	ngBE := newNG(be).shb(1).idb(113, 0).epb(0, 1, d, 20)
	return [][]byte{
		pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1), rec(1, 2, d)),
		pcapBytes(be, pcapHeader(be, magicNano, 2, 3, 0, 101), rec(1, 2, d)),
		pcapBytes(le, pcapHeader(le, magicModified, 2, 4, 0, 1),
			pcapRec{capLen: 20, origLen: 20, extra: make([]byte, 8), data: d}),
		append(ng.buf, ngBE.buf...),
		gzipped(t, ng.buf),
	}
}
