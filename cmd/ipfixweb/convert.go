package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/schollz/progressbar/v3"
	"go.uber.org/zap/zapcore"
	"golang.org/x/term"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/logging"
	"github.com/ipfixweb/ipfixweb/internal/pathpolicy"
	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

type convertFlags struct {
	out      string
	idle     time.Duration
	active   time.Duration
	biflow   bool
	analysis string
	domain   uint
	dpi      bool
	budget   int
	shards   int
	quiet    bool
	flowMem  sizeFlag
	prof     profiles
	coll     collectorFlags
}

func (f *convertFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "", "output IPFIX file (required unless --collector is given)")
	fs.DurationVar(&f.idle, "idle-timeout", 300*time.Second, "end a flow after this much silence (capture time)")
	fs.DurationVar(&f.active, "active-timeout", 1800*time.Second, "split flows longer than this (capture time)")
	fs.BoolVar(&f.biflow, "biflow", false, "export RFC 5103 bidirectional records")
	fs.StringVar(&f.analysis, "analysis", "", "comma-separated protocols to export, e.g. tcp,udp (default all)")
	fs.UintVar(&f.domain, "observation-domain", 0, "IPFIX observation domain id")
	fs.BoolVar(&f.dpi, "dpi", false, "label each flow's application by deep packet inspection")
	fs.IntVar(&f.budget, "dpi-budget", dpi.DefaultBudget,
		"packets with payload DPI reads per flow at most")
	fs.IntVar(&f.shards, "shards", 0, "flow-table shards (default: number of CPUs)")
	fs.Var(&f.flowMem, "flow-memory", "memory cap of the flow tables, e.g. 512MiB (default 1GiB); "+
		"past it the oldest flows are exported early with flowEndReason 5")
	fs.BoolVar(&f.quiet, "q", false, "no progress bar and no summary")
	fs.StringVar(&f.prof.cpuPath, "cpuprofile", "", "write a CPU profile (go tool pprof) to this file")
	fs.StringVar(&f.prof.heapPath, "memprofile", "", "write a heap profile to this file at the end")
	f.coll.register(fs)
}

// parseInterspersed accepts flags before, between and after the inputs.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func runConvert(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: ipfixweb convert [flags] {-o OUT.ipfix | --collector URL} IN...")
		fmt.Fprintln(stderr, "Reads every capture (pcap, pcapng, gzip) in order into one IPFIX file,")
		fmt.Fprintln(stderr, "a collector's stream, or both.")
		fs.PrintDefaults()
	}
	var f convertFlags
	f.register(fs)
	inputs, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	f.coll.given = map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { f.coll.given[fl.Name] = true })
	spec, err := f.spec(inputs)
	if err != nil {
		fmt.Fprintf(stderr, "convert: %v\n", err)
		return 2
	}
	log := logging.Console(zapcore.WarnLevel)
	defer func() { _ = log.Sync() }()
	sys := actor.NewActorSystem(logging.ActorLogger(log))
	defer sys.Shutdown()

	if err := f.prof.start(); err != nil {
		fmt.Fprintf(stderr, "convert: %v\n", err)
		return 1
	}
	show := !f.quiet && isTerminal(stderr)
	bar := newBar(show, stderr)
	res := actors.Run(ctx, sys, spec, 200*time.Millisecond, func(p actors.Progress) {
		bar.update(p)
	})
	bar.finish(res.Progress)
	code := report(res, f.quiet, f.dpi, stdout, stderr)
	if err := f.prof.stop(); err != nil {
		fmt.Fprintf(stderr, "convert: %v\n", err)
		code = 1
	}
	return code
}

func (f *convertFlags) spec(inputs []string) (actors.Spec, error) {
	coll, err := f.coll.config()
	if err != nil {
		return actors.Spec{}, err
	}
	if f.out == "" && coll == nil {
		return actors.Spec{}, errors.New("missing -o OUT or --collector URL")
	}
	if len(inputs) == 0 {
		return actors.Spec{}, errors.New("no input files")
	}
	if err := checkOutput(f.out, inputs); err != nil {
		return actors.Spec{}, err
	}
	if f.shards < 0 || f.shards > actors.MaxShards {
		return actors.Spec{}, fmt.Errorf("--shards must be 0 (one per CPU) to %d", actors.MaxShards)
	}
	if f.idle <= 0 || f.active <= 0 {
		return actors.Spec{}, errors.New("timeouts must be positive")
	}
	if f.domain > 1<<32-1 {
		return actors.Spec{}, errors.New("observation domain must fit in 32 bits")
	}
	if f.budget < 1 || f.budget > maxBudget {
		return actors.Spec{}, fmt.Errorf("--dpi-budget must be 1 to %d", maxBudget)
	}
	var names []string
	if f.analysis != "" {
		names = strings.Split(f.analysis, ",")
	}
	protos, err := flow.ParseProtocols(names)
	if err != nil {
		return actors.Spec{}, fmt.Errorf("--analysis: %w", err)
	}
	return actors.Spec{
		Inputs:    inputs,
		Output:    f.out,
		Overwrite: true, // -o names the file to write, as cp and tar do
		Meter: flow.Config{IdleTimeout: f.idle, ActiveTimeout: f.active, Biflow: f.biflow,
			Protocols: protos},
		DPI:               f.dpi,
		DPIBudget:         f.budget,
		ObservationDomain: uint32(f.domain),
		Shards:            f.shards,
		FlowMemory:        int64(f.flowMem),
		Collector:         coll,
	}, nil
}

// report prints the faults and the summary and picks the exit status.
func report(res actors.Result, quiet, dpiRan bool, stdout, stderr io.Writer) int {
	for _, e := range res.Errors {
		fmt.Fprintf(stderr, "convert: %s\n", e.Error())
	}
	if res.Err != nil {
		fmt.Fprintf(stderr, "convert: %v\n", res.Err)
		return 1
	}
	if !quiet {
		p := res.Progress
		secs := res.Elapsed.Seconds()
		pps := 0.0
		if secs > 0 {
			pps = float64(p.Packets) / secs
		}
		output := "none"
		if res.SHA256 != "" { // a file was written
			output = fmt.Sprintf("%d bytes", res.OutputBytes)
		}
		fmt.Fprintf(stdout, "%s  packets %d  bytes %d  flows %d  records %d  "+
			"bad packets %d  skipped %d  output %s  elapsed %s  %.0f packets/s\n",
			filesLine(p), p.Packets, p.Bytes, p.Flows, p.Records, p.BadPackets, p.Skipped,
			output, res.Elapsed.Round(time.Millisecond), pps)
		if p.Evicted > 0 {
			fmt.Fprintf(stdout, "flows exported early %d: the flow tables were full "+
				"(--flow-memory); their records end with flowEndReason 5, or 3 if closed\n",
				p.Evicted)
		}
		if dpiRan {
			fmt.Fprintf(stdout, "applications:%s  dpi failures %d\n", appList(res.Apps),
				p.DPIFailures)
		}
		reportDelivery(stdout, p)
	}
	if len(res.Errors) > 0 {
		return 1
	}
	return 0
}

// maxBudget bounds --dpi-budget: past a few hundred packets no dissector
// learns more, and each one costs.
const maxBudget = 10000

// appList renders the top applications as " TLS 120 records, DNS 80
// records": the flow records each label went on.
func appList(apps []task.AppCount) string {
	if len(apps) == 0 {
		return " none"
	}
	var b strings.Builder
	for i, a := range apps {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, " %s %d records", a.Name, a.Records)
	}
	return b.String()
}

// filesLine says how many inputs were read to their end, and how many
// were not (could not be opened, or stopped at a fault).
func filesLine(p actors.Progress) string {
	line := fmt.Sprintf("files %d of %d read to the end", p.FilesTotal-p.FilesWithErrors, p.FilesTotal)
	if p.FilesWithErrors > 0 {
		line += fmt.Sprintf(", %d with errors", p.FilesWithErrors)
	}
	return line
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// bar is the progress bar on a terminal; a no-op elsewhere.
type bar struct{ pb *progressbar.ProgressBar }

func newBar(show bool, w io.Writer) *bar {
	if !show {
		return &bar{}
	}
	return &bar{pb: progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true), progressbar.OptionSetDescription("converting"),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30))}
}

func (b *bar) update(p actors.Progress) {
	if b.pb == nil {
		return
	}
	if p.BytesTotal > 0 && b.pb.GetMax64() != p.BytesTotal {
		b.pb.ChangeMax64(p.BytesTotal)
	}
	b.pb.Describe(fmt.Sprintf("file %d/%d  %d packets  %d flows",
		min(p.FilesDone+1, p.FilesTotal), p.FilesTotal, p.Packets, p.ActiveFlows))
	_ = b.pb.Set64(p.BytesRead)
}

func (b *bar) finish(p actors.Progress) {
	if b.pb == nil {
		return
	}
	_ = b.pb.Set64(p.BytesRead)
	_ = b.pb.Finish()
}

// checkOutput refuses, before anything is read, an output that cannot be
// written: a directory, a path in a directory that does not exist, one of
// the inputs (which the output would replace), or anything else that is
// not a regular file: the output is renamed into place, so it would
// replace a device such as /dev/null, a named pipe or a symbolic link
// rather than write into it.
func checkOutput(out string, inputs []string) error {
	if st, err := os.Stat(filepath.Dir(out)); err != nil {
		return fmt.Errorf("-o %s: %w", out, err)
	} else if !st.IsDir() {
		return fmt.Errorf("-o %s: %s is not a directory", out, filepath.Dir(out))
	}
	if lst, err := os.Lstat(out); err == nil && lst.Mode()&os.ModeSymlink != 0 {
		if _, err := os.Stat(out); err != nil {
			return fmt.Errorf("-o %s: is a symbolic link that leads nowhere, which the "+
				"output would replace; name its target instead", out)
		}
	}
	st, err := os.Stat(out)
	if err != nil {
		return nil // a new file
	}
	if st.IsDir() {
		return fmt.Errorf("-o %s: is a directory", out)
	}
	for _, in := range inputs {
		if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
			return fmt.Errorf("-o %s: is also an input", out)
		}
	}
	if lst, err := os.Lstat(out); err == nil && lst.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("-o %s: is a symbolic link, which the output would replace; "+
			"name its target instead", out)
	}
	if !st.Mode().IsRegular() {
		k := pathpolicy.Kind(st.Mode())
		if k == "" {
			k = "not a regular file"
		}
		return fmt.Errorf("-o %s: is %s, which the output would replace; name a file", out, k)
	}
	return nil
}
