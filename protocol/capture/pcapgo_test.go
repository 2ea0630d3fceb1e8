package capture

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// noTime marks a frame pcapgo gives no time: one of a Simple Packet Block,
// which this package gives the time of the frame before it.
const noTime = -1 << 63

// pcapgoFrames reads file with gopacket's pcapgo, a reader written
// independently of this package. ok is false when pcapgo cannot read the
// whole file (it refuses some forms libpcap reads).
func pcapgoFrames(file []byte) (frames []Frame, ok bool) {
	br := bufio.NewReader(bytes.NewReader(file))
	var src interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	link := uint16(0)
	if magic, _ := br.Peek(4); bytes.Equal(magic, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		r, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, false
		}
		src = r
	} else {
		r, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, false
		}
		src, link = r, uint16(r.LinkType())
	}
	for {
		data, ci, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return frames, true
		}
		if err != nil {
			return nil, false
		}
		f := Frame{Data: data, Time: noTime, OrigLen: uint32(ci.Length),
			LinkType: link, Interface: uint32(ci.InterfaceIndex)}
		if !ci.Timestamp.IsZero() {
			f.Time = ci.Timestamp.UnixNano()
		}
		if len(ci.AncillaryData) > 0 {
			if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
				f.LinkType = uint16(lt)
			}
		}
		frames = append(frames, f)
	}
}

// TestAgreesWithPcapgo reads the corpus and the built-in seeds with this
// package and with pcapgo: where pcapgo reads a file to its end, both
// must give the same frames.
func TestAgreesWithPcapgo(t *testing.T) {
	files := map[string][]byte{}
	for i, seed := range builtinSeeds(t) {
		files[filepath.Join("seed", string(rune('a'+i)))] = seed
	}
	files["many.pcap"] = manyFrames("pcap", 3000)
	files["many.pcapng"] = manyFrames("pcapng", 3000)
	names, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "pcap", "*"))
	for _, name := range names {
		if data, err := os.ReadFile(name); err == nil && len(data) < 64<<20 {
			files[filepath.Base(name)] = data
		}
	}
	compared := 0
	for name, file := range files {
		want, ok := pcapgoFrames(file)
		if !ok {
			continue
		}
		r, err := NewReader(bytes.NewReader(file))
		if err != nil {
			continue // gzip, which pcapgo does not read here
		}
		g := readFrames(r)
		if g.err != io.EOF {
			t.Errorf("%s: pcapgo reads it to the end, this package stops with %v", name, g.err)
			continue
		}
		for i := range g.frames {
			g.frames[i].Offset, g.frames[i].Section = 0, 0
			if i < len(want) && want[i].Time == noTime {
				want[i].Time = g.frames[i].Time
			}
		}
		t.Run(name, func(t *testing.T) { sameFrames(t, g.frames, want) })
		compared++
	}
	if compared < 5 {
		t.Errorf("compared %d files with pcapgo, want at least 5", compared)
	}
}
