package flow

import (
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// frag returns a fragment of the B12 UDP datagram with IP id id. Only the
// first fragment carries the ports.
func frag(atMS int64, id uint32, first, more bool, octets uint32) packet.Packet {
	p := udp(atMS, client, 0, server, 0, octets)
	if first {
		p.SrcPort, p.DstPort = 40120, 9999
	}
	p.Fragmented, p.FirstFrag, p.MoreFrags, p.FragID = true, first, more, id
	return p
}

func TestFragments(t *testing.T) {
	const b = baseMS
	const (
		full     = "192.0.2.10:40120>198.51.100.20:9999/17"
		portless = "192.0.2.10:0>198.51.100.20:0/17"
	)
	inOrder := []packet.Packet{
		frag(0, 0x1111, true, true, 1500),
		frag(1, 0x1111, false, true, 1500),
		frag(2, 0x1111, false, false, 68),
	}
	reversed := []packet.Packet{
		frag(1000, 0x2222, false, false, 68),
		frag(1001, 0x2222, false, true, 1500),
		frag(1002, 0x2222, true, true, 1500),
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		pkts []packet.Packet
		tick time.Duration
		want []got
	}{
		{
			name: "B12 in order then reversed",
			cfg:  b20Timeouts,
			pkts: at(b, append(append([]packet.Packet{}, inOrder...), reversed...)...),
			want: []got{{Flow: full, Packets: 6, Octets: 6136, StartMS: b, EndMS: b + 1002,
				Reason: EndForced}},
		},
		{
			name: "B12 with sweeps",
			cfg:  b20Timeouts,
			pkts: at(b, append(append([]packet.Packet{}, inOrder...), reversed...)...),
			tick: 100 * time.Millisecond,
			want: []got{{Flow: full, Packets: 6, Octets: 6136, StartMS: b, EndMS: b + 1002,
				Reason: EndForced}},
		},
		{
			name: "first fragments lost: port-less flow at flush",
			cfg:  b20Timeouts,
			pkts: at(b, inOrder[1], inOrder[2], reversed[0], reversed[1]),
			want: []got{
				{Flow: portless, Packets: 2, Octets: 1568, StartMS: b + 1, EndMS: b + 2,
					Reason: EndForced},
				{Flow: portless, Packets: 2, Octets: 1568, StartMS: b + 1000, EndMS: b + 1001,
					Reason: EndForced},
			},
		},
		{
			name: "first fragment lost: port-less flow after the fragment timeout",
			cfg:  b20Timeouts,
			pkts: at(b, inOrder[1], inOrder[2], udp(40_000, client, 1, server, 2, 100)),
			want: []got{
				{Flow: portless, Packets: 2, Octets: 1568, StartMS: b + 1, EndMS: b + 2,
					Reason: EndIdle},
				{Flow: "192.0.2.10:1>198.51.100.20:2/17", Packets: 1, Octets: 100,
					StartMS: b + 40_000, EndMS: b + 40_000, Reason: EndForced},
			},
		},
		{
			name: "fragment table full: oldest held datagram exported",
			cfg:  Config{MaxFragments: 1},
			pkts: at(b, reversed[0], inOrder[1], inOrder[0]),
			want: []got{
				{Flow: full, Packets: 2, Octets: 3000, StartMS: b, EndMS: b + 1,
					Reason: EndForced},
				{Flow: portless, Packets: 1, Octets: 68, StartMS: b + 1000, EndMS: b + 1000,
					Reason: EndResource},
			},
		},
		{
			name: "later fragment after its flow ended opens the flow again",
			cfg:  Config{IdleTimeout: time.Second, FragmentTimeout: 10 * time.Second},
			pkts: at(b, inOrder[0], inOrder[1], frag(5000, 0x1111, false, false, 68)),
			want: []got{
				{Flow: full, Packets: 2, Octets: 3000, StartMS: b, EndMS: b + 1,
					Reason: EndIdle},
				{Flow: full, Packets: 1, Octets: 68, StartMS: b + 5000, EndMS: b + 5000,
					Reason: EndForced},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGots(t, meter(t, tc.cfg, tc.pkts, tc.tick), tc.want)
		})
	}
}

func TestFragmentsOtherDirectionAndVLAN(t *testing.T) {
	// The reply datagram of a connection is fragmented too: its fragments
	// go to the reverse direction. The same id on another VLAN is another
	// datagram.
	reply := func(atMS int64, first bool, vlan uint16) packet.Packet {
		p := udp(atMS, server, 0, client, 0, 1000)
		if first {
			p.SrcPort, p.DstPort = 9999, 40120
		}
		p.Fragmented, p.FirstFrag, p.MoreFrags, p.FragID, p.VLAN = true, first, first, 7, vlan
		return p
	}
	pkts := at(baseMS,
		udp(0, client, 40120, server, 9999, 100),
		reply(1, false, 0),
		reply(2, false, 5),
		reply(3, true, 0),
	)
	recs := meter(t, b20Timeouts, pkts, 0)
	checkGots(t, recs, []got{
		{Flow: "192.0.2.10:40120>198.51.100.20:9999/17", Packets: 1, Octets: 100,
			StartMS: baseMS, EndMS: baseMS, Reason: EndForced},
		{Flow: "198.51.100.20:9999>192.0.2.10:40120/17", Packets: 2, Octets: 2000,
			StartMS: baseMS + 1, EndMS: baseMS + 3, Reason: EndForced},
		{Flow: "198.51.100.20:0>192.0.2.10:0/17@5", Packets: 1, Octets: 1000,
			StartMS: baseMS + 2, EndMS: baseMS + 2, Reason: EndForced},
	})
}
