// Command floor is the flow floor: the least work any pcap-to-flow
// converter does, as a bare single-threaded Go loop. It reads a classic
// pcap with gopacket's pcapgo, decodes Ethernet, 802.1Q, IPv4, IPv6, TCP
// and UDP with a DecodingLayerParser, and counts packets and bytes per
// 5-tuple in a Go map:
//
//	go run ./benchmarks/floor large.pcap
//
// -stage read stops after reading, -stage decode after decoding, so the
// cost of each step can be told apart. It prints one line: packets,
// flows, seconds and packets per second.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// key is a flow's 5-tuple; IPv4 addresses sit in the first 4 bytes.
type key struct {
	src, dst     [16]byte
	sport, dport uint16
	proto        uint8
}

// counters is what the floor keeps per flow.
type counters struct {
	packets, bytes uint64
	first, last    int64
}

func main() {
	stage := flag.String("stage", "flow", "where to stop: read, decode or flow")
	procs := flag.Int("procs", 1, "GOMAXPROCS (the floor is one core)")
	flag.Parse()
	if flag.NArg() != 1 || (*stage != "read" && *stage != "decode" && *stage != "flow") {
		fmt.Fprintln(os.Stderr, "usage: floor [-stage read|decode|flow] FILE.pcap")
		os.Exit(2)
	}
	runtime.GOMAXPROCS(*procs)
	start := time.Now()
	pkts, flows, err := run(flag.Arg(0), *stage)
	secs := time.Since(start).Seconds()
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
	fmt.Printf("stage %s  packets %d  flows %d  elapsed %.3fs  %.0f packets/s\n",
		*stage, pkts, flows, secs, float64(pkts)/secs)
}

// run reads path to the given stage and returns the packets read and the
// flows counted.
func run(path, stage string) (pkts, flows int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	r, err := pcapgo.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", path, err)
	}
	var (
		eth     layers.Ethernet
		dot1q   layers.Dot1Q
		ip4     layers.IPv4
		ip6     layers.IPv6
		tcp     layers.TCP
		udp     layers.UDP
		payload gopacket.Payload
	)
	parser := gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet,
		&eth, &dot1q, &ip4, &ip6, &tcp, &udp, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	table := make(map[key]*counters)
	for {
		data, ci, err := r.ZeroCopyReadPacketData()
		if errors.Is(err, io.EOF) {
			return pkts, len(table), nil
		}
		if err != nil {
			return pkts, len(table), fmt.Errorf("%s: packet %d: %w", path, pkts, err)
		}
		pkts++
		if stage == "read" {
			continue
		}
		_ = parser.DecodeLayers(data, &decoded)
		if stage == "decode" {
			continue
		}
		var k key
		var octets uint64
		for _, t := range decoded {
			switch t {
			case layers.LayerTypeIPv4:
				copy(k.src[:], ip4.SrcIP)
				copy(k.dst[:], ip4.DstIP)
				k.proto, octets = uint8(ip4.Protocol), uint64(ip4.Length)
			case layers.LayerTypeIPv6:
				copy(k.src[:], ip6.SrcIP)
				copy(k.dst[:], ip6.DstIP)
				k.proto, octets = uint8(ip6.NextHeader), 40+uint64(ip6.Length)
			case layers.LayerTypeTCP:
				k.sport, k.dport = uint16(tcp.SrcPort), uint16(tcp.DstPort)
			case layers.LayerTypeUDP:
				k.sport, k.dport = uint16(udp.SrcPort), uint16(udp.DstPort)
			}
		}
		t := ci.Timestamp.UnixNano()
		c := table[k]
		if c == nil {
			c = &counters{first: t}
			table[k] = c
		}
		c.packets++
		c.bytes += octets
		c.last = t
	}
}
