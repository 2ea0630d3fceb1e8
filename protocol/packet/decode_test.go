package packet

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// decodeCase is one hand-built frame and what Decode must make of it.
type decodeCase struct {
	name     string
	linkType uint16
	frame    []byte
	noDecap  bool
	want     Packet // Time and Interface are checked by runCases itself
	err      error  // the sentinel when the frame must be refused
	layer    Layer  // where the error must point
	offset   int
}

// leftover is a Packet full of values from an imaginary previous frame;
// every case decodes over it, so a field Decode forgets to reset shows.
func leftover() Packet {
	return Packet{Time: 42, Interface: 3, Src: addr("203.0.113.9"), Dst: addr("203.0.113.8"),
		SrcPort: 9, DstPort: 9, Proto: 99, IPVersion: 4, TOS: 9, TTL: 9, TCPFlags: 0x1ff, TCPSeq: 9,
		Octets: 9999, VLAN: 9, InnerVLAN: 9, MPLSTop: 9, Fragmented: true, FirstFrag: true,
		MoreFrags: true, FragID: 9, Tunnel: TunnelGTPU, TunnelID: 9, Payload: []byte("old")}
}

func runCases(t *testing.T, cases []decodeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Decoder{NoDecap: tc.noDecap}
			p := leftover()
			err := d.Decode(tc.linkType, tc.frame, &p)
			if tc.err != nil {
				checkErr(t, err, tc.err, tc.layer, tc.offset)
				return
			}
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			want := tc.want
			want.Time, want.Interface = 42, 3
			equalPacket(t, p, want)
		})
	}
}

func checkErr(t testing.TB, err, sentinel error, layer Layer, offset int) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("err = %v, want %v", err, sentinel)
	}
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("err %T is not a *DecodeError", err)
	}
	if de.Layer != layer || de.Offset != offset {
		t.Errorf("error at %s offset %d, want %s offset %d (%v)",
			de.Layer, de.Offset, layer, offset, err)
	}
}

func equalPacket(t testing.TB, got, want Packet) {
	t.Helper()
	if !bytes.Equal(got.Payload, want.Payload) || (got.Payload == nil) != (want.Payload == nil) {
		t.Errorf("Payload = %q (nil %v), want %q (nil %v)",
			got.Payload, got.Payload == nil, want.Payload, want.Payload == nil)
	}
	got.Payload, want.Payload = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("packet differs\n got %+v\nwant %+v", got, want)
	}
}

func TestDecodeResetsAfterError(t *testing.T) {
	var d Decoder
	p := leftover()
	err := d.Decode(LinkEthernet, pad(cat(eth(0x0806), make([]byte, 28))), &p)
	checkErr(t, err, ErrNotIP, LayerEthernet, 12)
	want := Packet{Time: 42, Interface: 3}
	equalPacket(t, p, want)
}

func TestDecodeErrorText(t *testing.T) {
	tests := []struct {
		name  string
		link  uint16
		frame []byte
		want  string
	}{
		{name: "not ip", link: LinkEthernet, frame: pad(eth(0x0806)),
			want: "decode ethernet at offset 12: not an ip packet (0x0806)"},
		{name: "truncated", link: LinkEthernet, frame: cat(eth(0x0800), tcp4[:10]),
			want: "decode ipv4 at offset 14: truncated"},
		{name: "link", link: 147, frame: tcp4,
			want: "decode link at offset 0: unsupported link type (0x0093)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var d Decoder
			var p Packet
			err := d.Decode(tc.link, tc.frame, &p)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			var de *DecodeError
			if errors.As(err, &de); de.LinkType != tc.link {
				t.Errorf("LinkType = %d, want %d", de.LinkType, tc.link)
			}
		})
	}
}

func TestLayerAndTunnelNames(t *testing.T) {
	if got := LayerIPv6Ext.String(); got != "ipv6 extension header" {
		t.Errorf("LayerIPv6Ext = %q", got)
	}
	if got := Layer(200).String(); got != "layer(200)" {
		t.Errorf("Layer(200) = %q", got)
	}
	if got := TunnelVXLAN.String(); got != "vxlan" {
		t.Errorf("TunnelVXLAN = %q", got)
	}
	if got := Tunnel(77).String(); got != "tunnel(77)" {
		t.Errorf("Tunnel(77) = %q", got)
	}
}

func TestLinkTypeSupported(t *testing.T) {
	for _, lt := range []uint16{0, 1, 9, 12, 14, 50, 51, 101, 104, 108, 113, 228, 229, 276} {
		if !LinkTypeSupported(lt) {
			t.Errorf("LinkTypeSupported(%d) = false", lt)
		}
		var d Decoder
		var p Packet
		if err := d.Decode(lt, nil, &p); errors.Is(err, ErrUnsupportedLink) {
			t.Errorf("Decode refuses supported link type %d", lt)
		}
	}
	for _, lt := range []uint16{2, 105, 127, 147, 65535} {
		if LinkTypeSupported(lt) {
			t.Errorf("LinkTypeSupported(%d) = true", lt)
		}
	}
}
