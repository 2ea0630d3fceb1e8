package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

const (
	benchFrames  = 10_000
	benchDataLen = 300
)

func benchPcap() []byte {
	le := binary.LittleEndian
	recs := make([]pcapRec, benchFrames)
	for i := range recs {
		recs[i] = rec(uint32(1_700_000_000+i/1000), uint32(i%1000)*1000, payload(benchDataLen, byte(i)))
	}
	return pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 262144, 1), recs...)
}

func benchPcapng() []byte {
	b := newNG(binary.LittleEndian).shb(1).idb(1, 262144)
	for i := range benchFrames {
		b.epb(0, uint64(1_700_000_000_000_000+i*1000), payload(benchDataLen, byte(i)), benchDataLen)
	}
	return b.buf
}

func BenchmarkReader(b *testing.B) {
	for _, bc := range []struct {
		name string
		file []byte
	}{
		{name: "pcap", file: benchPcap()},
		{name: "pcapng", file: benchPcapng()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			src := bytes.NewReader(bc.file)
			r := new(Reader)
			var f Frame
			b.SetBytes(int64(len(bc.file)))
			b.ReportAllocs()
			for b.Loop() {
				src.Reset(bc.file)
				if err := r.Reset(src); err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					err := r.Next(&f)
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != benchFrames {
					b.Fatalf("read %d frames, want %d", n, benchFrames)
				}
			}
		})
	}
}
