// Command run benchmarks ipfixweb against the tools users would pick
// instead, on one capture, in one go, and writes benchmarks/RESULTS.md:
//
//	go run ./benchmarks/gen -size 3.6G -o /work/bench-data/large.pcap
//	go run ./benchmarks/run -capture /work/bench-data/large.pcap -rounds 3
//
// Each round runs every contender once, in turn (ipfixweb convert without
// and with DPI, softflowd -r into a loopback UDP sink, ndpiReader -i, the
// flow floor of benchmarks/floor), each under GNU time for wall and CPU
// seconds and peak RSS; ratios come from the runs of the same round, so a
// machine that is busier in one round than another affects both sides of
// a ratio. Then it measures `ipfixweb serve`: start to ready, SIGTERM to
// exit (idle and while a conversion runs), and the API under wrk while a
// conversion runs; and profiles convert with and without DPI.
//
// It needs go, /usr/bin/time (GNU), softflowd, ndpiReader and wrk.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"
)

// options are the runner's flags.
type options struct {
	capture    string
	rounds     int
	out        string
	work       string
	only       string
	apiSeconds int
	wrkConns   int
	wrkThreads int
	skipAPI    bool
	skipProf   bool
}

func main() {
	var o options
	flag.StringVar(&o.capture, "capture", "", "pcap to benchmark on (required; make one with benchmarks/gen)")
	flag.IntVar(&o.rounds, "rounds", 3, "rounds: each runs every contender once")
	flag.StringVar(&o.out, "out", "benchmarks/RESULTS.md", "report to write (relative to the module root)")
	flag.StringVar(&o.work, "work", "", "scratch directory for binaries and outputs (default: a new one in TMPDIR)")
	flag.StringVar(&o.only, "only", "", "comma-separated contenders to run (default: all)")
	flag.IntVar(&o.apiSeconds, "api-seconds", 10, "seconds of wrk load per endpoint")
	flag.IntVar(&o.wrkConns, "wrk-connections", 32, "wrk connections")
	flag.IntVar(&o.wrkThreads, "wrk-threads", 2, "wrk threads")
	flag.BoolVar(&o.skipAPI, "skip-serve", false, "skip the serve measurements (start, stop, API load)")
	flag.BoolVar(&o.skipProf, "skip-profiles", false, "skip the CPU profiles of convert")
	flag.Parse()
	if o.capture == "" || o.rounds < 1 {
		fmt.Fprintln(os.Stderr, "usage: run -capture FILE.pcap [-rounds 3] [-out benchmarks/RESULTS.md]")
		os.Exit(2)
	}
	if err := run(&o); err != nil {
		fmt.Fprintln(os.Stderr, "run:", err)
		os.Exit(1)
	}
}

func run(o *options) error {
	var err error
	if o.capture, err = filepath.Abs(o.capture); err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if o.work == "" {
		if o.work, err = os.MkdirTemp("", "ipfixweb-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(o.work)
	}
	rep := &report{Started: time.Now().UTC(), Args: os.Args[1:], Rounds: o.rounds, Work: o.work}
	rep.Machine = describeMachine(root)
	logf("machine: %s, load %s", rep.Machine.CPU, rep.Machine.LoadStart)
	bins, err := build(root, o.work)
	if err != nil {
		return err
	}
	rep.Capture, err = describeCapture(o.capture)
	if err != nil {
		return err
	}
	debug.FreeOSMemory() // the flow table of describeCapture
	logf("capture: %d bytes, %d packets, %d live flows at most",
		rep.Capture.Bytes, rep.Capture.Packets, rep.Capture.PeakFlows)
	sink, err := newSink()
	if err != nil {
		return err
	}
	defer sink.close()
	cs := selectContenders(contenders(bins, o.capture, o.work, sink.addr), o.only)
	if err := rounds(rep, cs, o.rounds); err != nil {
		return err
	}
	if rep.Baseline, err = baselines(bins, root, o.work); err != nil {
		return err
	}
	if !o.skipAPI {
		if rep.Serve, err = measureServe(bins, o); err != nil {
			return err
		}
	}
	if !o.skipProf {
		if rep.Profiles, err = profileConvert(bins, o.capture, o.work); err != nil {
			return err
		}
	}
	rep.Machine.LoadEnd = loadAverage()
	rep.Finished = time.Now().UTC()
	text := rep.markdown()
	fmt.Print(rep.table())
	out := o.out
	if !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	return os.WriteFile(out, []byte(text), 0o644)
}

// rounds runs every contender once per round, in turn.
func rounds(rep *report, cs []contender, n int) error {
	rep.Contenders = cs
	for r := range n {
		for i := range cs {
			m, err := cs[i].run()
			if err != nil {
				return fmt.Errorf("round %d: %s: %w", r+1, cs[i].Name, err)
			}
			logf("round %d/%d %-16s wall %6.2fs cpu %6.2fs rss %5.0f MiB", r+1, n, cs[i].Name,
				m.Wall, m.CPU(), m.RSSMiB())
			cs[i].Runs = append(cs[i].Runs, m)
		}
	}
	return nil
}

func selectContenders(cs []contender, only string) []contender {
	if only == "" {
		return cs
	}
	var out []contender
	for _, c := range cs {
		for _, name := range strings.Split(only, ",") {
			if strings.TrimSpace(name) == c.Name {
				out = append(out, c)
			}
		}
	}
	return out
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}
