package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"testing"
)

// gzipOf compresses a pcap header followed by n zero bytes, which read as
// empty records: the shape of a decompression bomb.
func gzipOf(tb testing.TB, head []byte, zeros int) []byte {
	tb.Helper()
	var b bytes.Buffer
	w, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(head); err != nil {
		tb.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for zeros > 0 {
		n := min(zeros, len(chunk))
		if _, err := w.Write(chunk[:n]); err != nil {
			tb.Fatal(err)
		}
		zeros -= n
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestGzipBombRefused(t *testing.T) {
	le := binary.LittleEndian
	head := pcapHeader(le, magicMicro, 2, 4, 65535, 1)
	tests := []struct {
		name   string
		zeros  int
		refuse bool
	}{
		{name: "below the floor", zeros: GzipRatioFloor / 2},
		{name: "bomb", zeros: 2 * GzipRatioFloor, refuse: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := gzipOf(t, head, tc.zeros)
			r, err := NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var f Frame
			frames := 0
			for err = r.Next(&f); err == nil; err = r.Next(&f) {
				frames++
			}
			if !tc.refuse {
				if err != io.EOF || frames != tc.zeros/pcapRecordLen {
					t.Fatalf("%d frames, then %v", frames, err)
				}
				return
			}
			var fe *FormatError
			if !errors.As(err, &fe) || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v, want a FormatError wrapping ErrTooLarge", err)
			}
			limit := max(GzipRatioFloor, int64(MaxGzipRatio)*int64(len(data)))
			if fe.Offset <= GzipRatioFloor-blockSize || fe.Offset > limit+blockSize {
				t.Errorf("refused at offset %d; floor %d, limit %d", fe.Offset, GzipRatioFloor, limit)
			}
			t.Logf("%d compressed bytes refused: %v", len(data), err)
		})
	}
}
