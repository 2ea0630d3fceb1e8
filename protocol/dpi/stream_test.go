package dpi

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// seg is one segment of a stream test: offset from the ISN+1 and length
// into the test's source bytes.
type seg struct{ off, n int }

func TestStreamReassembly(t *testing.T) {
	src := make([]byte, 6000)
	for i := range src {
		src[i] = byte(i*7 + i/256)
	}
	tests := []struct {
		name   string
		isn    uint32
		syn    bool // give the SYN first
		segs   []seg
		want   int // bytes of src expected in data, from wantAt
		wantAt int
	}{
		{name: "in order", syn: true, segs: []seg{{0, 100}, {100, 200}}, want: 300},
		{name: "second half first", syn: true, segs: []seg{{1200, 235}, {0, 1200}}, want: 1435},
		{name: "one byte first", syn: true, segs: []seg{{0, 1}, {1, 214}}, want: 215},
		{name: "retransmission", syn: true, segs: []seg{{0, 100}, {0, 100}, {100, 50}}, want: 150},
		{name: "overlap", syn: true, segs: []seg{{0, 100}, {50, 100}, {120, 100}}, want: 220},
		{name: "held segments overlap", syn: true,
			segs: []seg{{300, 100}, {200, 150}, {350, 100}, {0, 200}}, want: 450},
		{name: "hole never filled", syn: true, segs: []seg{{0, 100}, {200, 100}}, want: 100},
		{name: "capped", syn: true, segs: []seg{{0, 3000}, {3000, 3000}}, want: MaxStreamBytes},
		{name: "held beyond cap dropped", syn: true,
			segs: []seg{{4090, 100}, {0, 4090}}, want: MaxStreamBytes},
		{name: "sequence wraps", syn: true, isn: 0xffffff00, segs: []seg{{200, 100}, {0, 200}}, want: 300},
		{name: "no SYN, in order", segs: []seg{{0, 100}, {100, 100}}, want: 200},
		{name: "no SYN, earlier segment late",
			segs: []seg{{1200, 235}, {0, 1200}}, want: 1435},
		{name: "no SYN, earlier with a gap, then filled",
			segs: []seg{{1000, 100}, {0, 500}, {500, 500}}, want: 1100},
		{name: "no SYN, too far back ignored",
			segs: []seg{{5000, 100}, {0, 100}}, want: 100, wantAt: 5000},
		{name: "SYN retransmitted data before start", syn: true,
			segs: []seg{{0, 10}, {10, 10}}, want: 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var st stream
			if tc.syn {
				st.synSeen(tc.isn)
			}
			base := tc.isn + 1
			for _, sg := range tc.segs {
				st.add(base+uint32(sg.off), src[sg.off:sg.off+sg.n])
			}
			want := src[tc.wantAt : tc.wantAt+tc.want]
			if !bytes.Equal(st.data, want) {
				t.Fatalf("data: %d bytes, want %d (equal prefix %d)",
					len(st.data), len(want), commonPrefix(st.data, want))
			}
			if cap(st.data) > MaxStreamBytes {
				t.Errorf("buffer capacity %d over %d", cap(st.data), MaxStreamBytes)
			}
		})
	}
}

func TestStreamSynAfterData(t *testing.T) {
	var st stream
	src := []byte("0123456789abcdef")
	st.add(1011, src[10:])
	if !st.synSeen(1000) {
		t.Fatal("SYN before the first byte seen did not move the stream start")
	}
	st.add(1001, src[:10])
	if string(st.data) != string(src) {
		t.Fatalf("data %q, want %q", st.data, src)
	}
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// FuzzStream cuts a byte string into segments, shuffles, repeats and
// overlaps them, and checks that the stream always equals a prefix of the
// source, and all of it (up to the cap) once every byte was given.
func FuzzStream(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n"), uint64(1), uint32(7), true)
	f.Add(bytes.Repeat([]byte{0x16, 3, 1}, 700), uint64(42), uint32(0xfffffff0), false)
	f.Fuzz(func(t *testing.T, src []byte, seed uint64, isn uint32, syn bool) {
		r := rand.New(rand.NewPCG(seed, seed>>7))
		var segs []seg
		for off := 0; off < len(src); {
			n := min(1+r.IntN(300), len(src)-off)
			segs = append(segs, seg{off, n})
			if r.IntN(4) == 0 { // an overlapping copy
				o := max(0, off-r.IntN(50))
				segs = append(segs, seg{o, min(len(src)-o, n+r.IntN(50))})
			}
			off += n
		}
		r.Shuffle(len(segs), func(i, j int) { segs[i], segs[j] = segs[j], segs[i] })
		var st stream
		if syn {
			st.synSeen(isn)
		} else {
			// Without a SYN the first segment seen must lie within reach of
			// the start for the start to be found.
			for i, s := range segs {
				if s.off < MaxStreamBytes {
					segs[0], segs[i] = segs[i], segs[0]
					break
				}
			}
		}
		for _, s := range segs {
			st.add(isn+1+uint32(s.off), src[s.off:s.off+s.n])
			at := int(int32(st.base - (isn + 1)))
			if at < 0 || at+len(st.data) > len(src) || !bytes.Equal(st.data, src[at:at+len(st.data)]) {
				t.Fatalf("stream at %d (%d bytes) is not the source's bytes there", at, len(st.data))
			}
		}
		want := src[:min(len(src), MaxStreamBytes)]
		if len(segs) > 0 && !bytes.Equal(st.data, want) {
			t.Fatalf("stream has %d bytes (prefix %d), want %d",
				len(st.data), commonPrefix(st.data, want), len(want))
		}
	})
}
