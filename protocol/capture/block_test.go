package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

// manyFrames is a capture of n frames whose data tell them apart, several
// blocks long for n in the thousands.
func manyFrames(format string, n int) []byte {
	le := binary.LittleEndian
	switch format {
	case "pcapng":
		b := newNG(le).shb(1).idb(1, 0)
		for i := range n {
			b.epb(0, uint64(i), payload(200+i%300, byte(i)), uint32(200+i%300))
		}
		return b.buf
	default:
		recs := make([]pcapRec, n)
		for i := range recs {
			recs[i] = rec(uint32(i), 0, payload(200+i%300, byte(i)))
		}
		return pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1), recs...)
	}
}

// TestRetainedBlocksKeepFrames keeps the data of every frame, uncopied,
// while reading on: the frames whose blocks are retained must not change,
// and once released, the blocks are read into again.
func TestRetainedBlocksKeepFrames(t *testing.T) {
	for _, format := range []string{"pcap", "pcapng"} {
		t.Run(format, func(t *testing.T) {
			const n = 5000
			file := manyFrames(format, n)
			if len(file) < 4*blockSize {
				t.Fatalf("capture of %d bytes spans too few blocks", len(file))
			}
			r, err := NewReader(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			var kept [][]byte
			var held []*Block
			var f Frame
			for r.Next(&f) == nil {
				kept = append(kept, f.Data)
				if b := r.Block(); len(held) == 0 || held[len(held)-1] != b {
					b.Retain()
					held = append(held, b)
				}
			}
			if len(kept) != n {
				t.Fatalf("read %d frames, want %d", len(kept), n)
			}
			for i, d := range kept {
				if want := payload(200+i%300, byte(i)); !bytes.Equal(d, want) {
					t.Fatalf("frame %d changed while its block was retained", i)
				}
			}
			if len(held) < 4 {
				t.Errorf("frames lay in %d blocks, want several", len(held))
			}
			for _, b := range held {
				b.Release()
			}
			free := len(r.in.pool.free)
			if free < len(held)-1 {
				t.Errorf("%d blocks free after releasing %d", free, len(held))
			}
		})
	}
}

// TestBlocksAreReused reads with a window of retained blocks, as a
// pipeline does: the Reader then allocates no more for many frames than
// for a few.
func TestBlocksAreReused(t *testing.T) {
	read := func(file []byte) func() {
		r := new(Reader)
		src := bytes.NewReader(file)
		return func() {
			src.Reset(file)
			if err := r.Reset(src); err != nil {
				t.Fatal(err)
			}
			var held []*Block
			var f Frame
			for r.Next(&f) == nil {
				if b := r.Block(); len(held) == 0 || held[len(held)-1] != b {
					b.Retain()
					held = append(held, b)
				}
				if len(held) > 3 {
					held[0].Release()
					held = append(held[:0], held[1:]...)
				}
			}
			for _, b := range held {
				b.Release()
			}
		}
	}
	few, many := read(manyFrames("pcap", 5000)), read(manyFrames("pcap", 20000))
	few()
	many()
	if a, b := testing.AllocsPerRun(3, few), testing.AllocsPerRun(3, many); b > a {
		t.Errorf("%v allocations for 20000 frames, %v for 5000", b, a)
	}
}

func TestBlockReleasedTooOften(t *testing.T) {
	var p blockPool
	b := p.get()
	b.Release()
	if len(p.free) != 1 {
		t.Fatalf("%d blocks free after the last release, want 1", len(p.free))
	}
	defer func() {
		if recover() == nil {
			t.Error("a Release without its Retain did not panic")
		}
	}()
	b.Release()
}

// TestBigRecordBlock checks that a record longer than a block has a block
// of its own, which a retained frame keeps.
func TestBigRecordBlock(t *testing.T) {
	le := binary.LittleEndian
	big1, big2 := payload(blockSize+100, 1), payload(blockSize+200, 2)
	file := pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 0, 1),
		rec(1, 0, big1), rec(2, 0, big2), rec(3, 0, payload(60, 3)))
	r, err := NewReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	if err := r.Next(&f); err != nil {
		t.Fatal(err)
	}
	first, b := f.Data, r.Block()
	b.Retain()
	for range 2 {
		if err := r.Next(&f); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Next(&f); err != io.EOF {
		t.Fatalf("Next at the end = %v, want io.EOF", err)
	}
	if !bytes.Equal(first, big1) {
		t.Error("a retained record longer than a block changed")
	}
	b.Release()
}
