// Package synth writes deterministic synthetic packet captures that look
// like an office network's traffic: TLS and HTTP sessions with real
// handshakes, DNS lookups, SSH logins, bulk transfers and short UDP
// exchanges, many of them open at once, with heavy-tailed sizes.
//
// The same Config and Seed always give the same bytes, so tests and
// benchmarks can make their inputs instead of shipping them.
package synth

import (
	"bufio"
	"container/heap"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Config describes a capture to generate. Its zero value is not useful:
// set Bytes or Packets.
type Config struct {
	// Seed selects the capture; the same seed gives the same file.
	Seed uint64
	// Bytes stops the capture once this many bytes are written (file
	// headers included); Packets stops it after this many packets. The
	// first limit reached ends the capture; flows still open are cut
	// where they are.
	Bytes   int64
	Packets int64
	// Start is the time of the first packet; zero means
	// 2024-03-01T09:00:00Z.
	Start time.Time
	// FlowsPerSecond is the rate at which new flows start, on the capture
	// clock; zero means 2000. With the default mix, about 2.5 flows per
	// rate unit are open at any time.
	FlowsPerSecond float64
	// Mix weighs the kinds of flow; the zero value means [DefaultMix].
	Mix Mix
	// Sizes shapes the flows of each kind; the zero value means
	// [DefaultSizes].
	Sizes Sizes
	// Nanosecond writes a nanosecond-resolution pcap; otherwise
	// microseconds.
	Nanosecond bool
}

// Mix gives the relative weight of each kind of flow.
type Mix struct {
	TLS, HTTP, DNS, SSH, Bulk, UDP, ICMP, QUIC float64
}

// Sample is the configuration of testdata/sample.pcap, the capture the
// project ships for its first run.
var Sample = Config{Seed: 2024, Packets: 2000, FlowsPerSecond: 200}

// DefaultMix is the share of each kind of flow when Config.Mix is zero.
var DefaultMix = Mix{TLS: 35, HTTP: 10, DNS: 35, SSH: 2, Bulk: 3, UDP: 13, ICMP: 2}

// BenchMix and BenchSizes shape the captures of benchmarks/gen: mostly
// short flows with small packets, as in a campus uplink, so that a
// capture of 3.6 GiB holds about 830 thousand flows and 10 million
// packets, and the flow table of a meter reading it outgrows the CPU's
// caches.
var (
	BenchMix   = Mix{TLS: 24, HTTP: 7, DNS: 33, SSH: 1, Bulk: 0.3, UDP: 22, ICMP: 3, QUIC: 9}
	BenchSizes = Sizes{
		TLS: Tail{Min: 1, Alpha: 1.3, Max: 3000}, HTTP: Tail{Min: 1, Alpha: 1.4, Max: 2000},
		SSH: Tail{Min: 6, Alpha: 1.2, Max: 5000}, Bulk: Tail{Min: 30, Alpha: 1.1, Max: 50000},
		UDP: Tail{Min: 4, Alpha: 1.2, Max: 3000}, QUIC: Tail{Min: 1, Alpha: 1.3, Max: 3000},
		UDPPayload: 200, AckEvery: 1, Open: 0.2,
	}
)

// Stats describes a written capture.
type Stats struct {
	Packets int64
	Bytes   int64 // of the file, headers included
	Flows   int64 // flows started (each counts once, both directions)
	// Kinds counts the flows started per kind name ("tls", "dns", ...).
	Kinds map[string]int64
	// First and Last are the times of the first and last packet.
	First, Last time.Time
}

// Write generates a capture per cfg into w as a classic pcap (Ethernet).
func Write(w io.Writer, cfg Config) (Stats, error) {
	if cfg.Bytes <= 0 && cfg.Packets <= 0 {
		return Stats{}, fmt.Errorf("synth: set Bytes or Packets")
	}
	g := newGenerator(cfg)
	bw := bufio.NewWriterSize(w, 1<<20)
	pw := pcapgo.NewWriter(bw)
	if cfg.Nanosecond {
		pw = pcapgo.NewWriterNanos(bw)
	}
	if err := pw.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return Stats{}, err
	}
	st := Stats{Bytes: 24, Kinds: map[string]int64{}}
	for {
		if cfg.Packets > 0 && st.Packets >= cfg.Packets || cfg.Bytes > 0 && st.Bytes >= cfg.Bytes {
			break
		}
		frame, at, err := g.next(&st)
		if err != nil {
			return st, err
		}
		ci := gopacket.CaptureInfo{Timestamp: at, CaptureLength: len(frame), Length: len(frame)}
		if err := pw.WritePacket(ci, frame); err != nil {
			return st, err
		}
		if st.Packets == 0 {
			st.First = at
		}
		st.Last = at
		st.Packets++
		st.Bytes += 16 + int64(len(frame))
	}
	return st, bw.Flush()
}

// generator holds the open flows in order of their next packet.
type generator struct {
	cfg      Config
	rng      *rand.Rand
	clock    time.Duration // since cfg.Start
	nextFlow time.Duration // when the next flow starts
	open     flowHeap
	buf      gopacket.SerializeBuffer
	quicBuf  []byte
	names    *names
	ports    uint16
	kinds    []kind
	weights  []float64
	total    float64
}

func newGenerator(cfg Config) *generator {
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	}
	if cfg.FlowsPerSecond <= 0 {
		cfg.FlowsPerSecond = 2000
	}
	if cfg.Mix == (Mix{}) {
		cfg.Mix = DefaultMix
	}
	cfg.Sizes = cfg.Sizes.orDefaults()
	g := &generator{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		buf: gopacket.NewSerializeBuffer(), ports: 32768}
	g.names = newNames(g.rng)
	m := cfg.Mix
	for _, k := range []struct {
		k kind
		w float64
	}{{kindTLS, m.TLS}, {kindHTTP, m.HTTP}, {kindDNS, m.DNS}, {kindSSH, m.SSH},
		{kindBulk, m.Bulk}, {kindUDP, m.UDP}, {kindICMP, m.ICMP}, {kindQUIC, m.QUIC}} {
		if k.w > 0 {
			g.kinds = append(g.kinds, k.k)
			g.weights = append(g.weights, k.w)
			g.total += k.w
		}
	}
	return g
}

// next returns the next frame of the capture and its time.
func (g *generator) next(st *Stats) ([]byte, time.Time, error) {
	for len(g.open) == 0 || g.nextFlow <= g.open[0].at {
		f := g.startFlow(g.nextFlow)
		st.Flows++
		st.Kinds[f.kind.String()]++
		heap.Push(&g.open, f)
		g.nextFlow += time.Duration(g.rng.ExpFloat64() / g.cfg.FlowsPerSecond * float64(time.Second))
	}
	f := g.open[0]
	s := f.pop()
	at := f.at
	frame, err := g.frame(f, s)
	if f.done() {
		heap.Pop(&g.open)
	} else {
		f.at += f.gap(g.rng)
		heap.Fix(&g.open, 0)
	}
	return frame, g.cfg.Start.Add(at), err
}

// pick chooses a kind of flow by weight.
func (g *generator) pick() kind {
	x := g.rng.Float64() * g.total
	for i, w := range g.weights {
		if x < w {
			return g.kinds[i]
		}
		x -= w
	}
	return g.kinds[len(g.kinds)-1]
}

// port returns a fresh ephemeral port; it wraps in the dynamic range.
func (g *generator) port() uint16 {
	g.ports++
	if g.ports < 32768 {
		g.ports = 32768
	}
	return g.ports
}

// paretoInt draws a heavy-tailed count: at least min, with tail index
// alpha, capped at max.
func paretoInt(rng *rand.Rand, min, alpha float64, max int) int {
	v := min / math.Pow(1-rng.Float64(), 1/alpha)
	if v > float64(max) {
		return max
	}
	return int(v)
}

// Tail is a heavy-tailed (Pareto) count: at least Min, with tail index
// Alpha (the smaller, the heavier the tail), at most Max.
type Tail struct {
	Min, Alpha float64
	Max        int
}

func (t Tail) draw(rng *rand.Rand) int { return paretoInt(rng, t.Min, t.Alpha, t.Max) }

// Sizes gives, per kind of flow, the number of data packets after its
// handshake (for UDP, of packets), and how TCP connections end.
type Sizes struct {
	TLS, HTTP, SSH, Bulk, UDP, QUIC Tail
	// UDPPayload bounds the payload of the UDP kind's packets: each has
	// 40 bytes and up to UDPPayload-1 more.
	UDPPayload int
	// AckEvery is how many data packets of a bulk transfer (TCP or QUIC)
	// the receiver acknowledges at a time.
	AckEvery int
	// Open is the share (0 to 1) of TCP connections that go quiet
	// without a FIN or RST, as idle keep-alive connections do; a meter
	// holds them until its idle timeout.
	Open float64
}

// orDefaults fills the fields of s left at zero from DefaultSizes.
func (s Sizes) orDefaults() Sizes {
	d := DefaultSizes
	for _, t := range []struct{ have, def *Tail }{{&s.TLS, &d.TLS}, {&s.HTTP, &d.HTTP},
		{&s.SSH, &d.SSH}, {&s.Bulk, &d.Bulk}, {&s.UDP, &d.UDP}, {&s.QUIC, &d.QUIC}} {
		if *t.have == (Tail{}) {
			*t.have = *t.def
		}
	}
	if s.UDPPayload <= 0 {
		s.UDPPayload = d.UDPPayload
	}
	if s.AckEvery <= 0 {
		s.AckEvery = d.AckEvery
	}
	return s
}

// DefaultSizes is the shape of the flows when Config.Sizes is zero.
var DefaultSizes = Sizes{
	TLS: Tail{Min: 2, Alpha: 1.2, Max: 20000}, HTTP: Tail{Min: 1, Alpha: 1.3, Max: 5000},
	SSH: Tail{Min: 10, Alpha: 1.1, Max: 20000}, Bulk: Tail{Min: 200, Alpha: 1.05, Max: 200000},
	UDP: Tail{Min: 1, Alpha: 1.5, Max: 200}, QUIC: Tail{Min: 2, Alpha: 1.2, Max: 20000},
	UDPPayload: 600, AckEvery: 2,
}

type flowHeap []*synFlow

func (h flowHeap) Len() int           { return len(h) }
func (h flowHeap) Less(i, j int) bool { return h[i].at < h[j].at }
func (h flowHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *flowHeap) Push(x any)        { *h = append(*h, x.(*synFlow)) }
func (h *flowHeap) Pop() any {
	old := *h
	f := old[len(old)-1]
	*h = old[:len(old)-1]
	return f
}
