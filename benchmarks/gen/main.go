// Command gen writes a deterministic, realistic capture of a requested
// size for benchmarks:
//
//	go run ./benchmarks/gen -size 3.6G -o /work/bench-data/large.pcap
//
// The traffic is what internal/synth makes with its benchmark shape
// (synth.BenchMix, synth.BenchSizes): TLS with browser-shaped ClientHellos,
// QUIC whose Initial packets decrypt to real ClientHellos, HTTP, DNS, SSH,
// bulk TCP, short UDP exchanges and ICMP, thousands of flows open at
// once, heavy-tailed sizes, full payloads. Per GiB it holds about 2.8
// million packets and 225 thousand flows, two minutes of capture time:
// 3.6G gives 10.1 million packets and 807 thousand flows, of which up to
// 620 thousand are live at once in a meter with a 300 s idle timeout. The
// same seed and size give the same bytes.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/synth"
)

func main() {
	size := flag.String("size", "100M", "capture size: bytes, or with a K, M or G suffix (powers of 1024)")
	out := flag.String("o", "", "output pcap file (required)")
	seed := flag.Uint64("seed", 1, "seed: the same seed and size give the same file")
	rate := flag.Float64("rate", 0, "new flows per second of capture time (0: the generator's default)")
	flag.Parse()
	bytes, err := parseSize(*size)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -size 3.6G -o FILE.pcap [-seed N] [-rate FLOWS/S]")
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen:", err)
		}
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	start := time.Now()
	st, err := synth.Write(f, synth.Config{Seed: *seed, Bytes: bytes,
		FlowsPerSecond: *rate, Mix: synth.BenchMix, Sizes: synth.BenchSizes})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d bytes, %d packets, %d flows %v, capture time %s, written in %s\n", *out,
		st.Bytes, st.Packets, st.Flows, st.Kinds, st.Last.Sub(st.First).Round(time.Second),
		time.Since(start).Round(time.Millisecond))
}

// parseSize reads "3.6G", "100M", "512K" or a plain number of bytes.
func parseSize(s string) (int64, error) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return int64(v * mult), nil
}
