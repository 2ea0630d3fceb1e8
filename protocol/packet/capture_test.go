package packet

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

// sharedDir returns /work/shared as seen from this package, or skips the
// test when the shared material is not there.
func sharedDir(tb testing.TB, sub string) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", sub)
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared test material not found at %s: %v", dir, err)
	}
	return dir
}

// frame is one captured frame, copied out of the reader.
type frame struct {
	link  uint16
	iface int
	data  []byte
}

// packetSource is what pcapgo's two readers have in common.
type packetSource interface {
	ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// readCapture reads every frame of a pcap (optionally gzipped) or pcapng
// file. It returns the frames read before any error, and the error; a
// clean end of file is not an error.
func readCapture(tb testing.TB, path string) ([]frame, error) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	tb.Cleanup(func() { f.Close() })
	br := bufio.NewReader(f)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, err
	}
	var src packetSource
	link := uint16(0)
	if bytes.Equal(magic, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		r, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, err
		}
		src = r
	} else {
		r, err := pcapgo.NewReader(br)
		if err != nil {
			return nil, err
		}
		src, link = r, uint16(r.LinkType())
	}
	var frames []frame
	for {
		data, ci, err := src.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return frames, nil
		}
		if err != nil {
			return frames, err
		}
		fr := frame{link: link, iface: ci.InterfaceIndex, data: bytes.Clone(data)}
		if len(ci.AncillaryData) > 0 {
			if lt, ok := ci.AncillaryData[0].(layers.LinkType); ok {
				fr.link = uint16(lt)
			}
		}
		frames = append(frames, fr)
	}
}
