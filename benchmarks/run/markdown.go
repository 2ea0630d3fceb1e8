package main

import (
	"fmt"
	"runtime"
	"strings"
)

// markdown renders the report as benchmarks/RESULTS.md.
func (r *report) markdown() string {
	var b strings.Builder
	m := r.Machine
	b.WriteString("# Benchmark results\n\n")
	b.WriteString("Written by `go run ./benchmarks/run " + strings.Join(r.Args, " ") + "`; rerun it to " +
		"replace this file. Contenders run in turn, once per round; medians over the rounds; " +
		"ratios are medians of the ratios within each round.\n\n")
	fmt.Fprintf(&b, "- Run: %s to %s UTC, ipfixweb %s\n", r.Started.Format("2006-01-02 15:04:05"),
		r.Finished.Format("15:04:05"), m.Commit)
	fmt.Fprintf(&b, "- Machine: %d CPUs, %s, %s memory, Linux %s\n", m.CPUs, m.CPU, m.Memory, m.Linux)
	fmt.Fprintf(&b, "- Load average: %s at the start, %s at the end\n", m.LoadStart, m.LoadEnd)
	fmt.Fprintf(&b, "- Tools: %s; %s\n", m.Go, strings.Join(m.Tools, "; "))
	c := r.Capture
	fmt.Fprintf(&b, "- Capture: `%s`, %s bytes, %s packets; with convert's default timeouts "+
		"%s records and at most %s flows live at once\n\n", c.Path, thousands(float64(c.Bytes)),
		thousands(float64(c.Packets)), thousands(float64(c.Records)), thousands(float64(c.PeakFlows)))

	fmt.Fprintf(&b, "## Throughput (median of %d rounds)\n\n", r.Rounds)
	b.WriteString(r.table())
	b.WriteString("\n\"wall ÷ floor\", \"CPU ÷ floor\": the tool's wall or CPU (user + system) " +
		"seconds over the floor's, which runs on one core; \"ipfixweb ÷ tool\": ipfixweb's wall time " +
		"(no DPI) over the tool's, below 1 when ipfixweb is faster. On a busy machine CPU seconds " +
		"move less than wall seconds.\n\n")

	b.WriteString("## Goals\n\n| goal | target | measured | met |\n|---|---|---|---|\n")
	for _, g := range r.goals() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", g.what, g.target, g.measured, g.met)
	}
	fmt.Fprintf(&b, "\nA tiny run (testdata/sample.pcap) peaks at %.0f MiB without DPI, %.0f MiB with.\n\n",
		float64(r.Baseline.RSSKiB)/1024, float64(r.Baseline.RSSKiBDPI)/1024)
	r.serveSection(&b)

	b.WriteString("## Commands\n\n")
	for _, c := range r.Contenders {
		cmd := strings.ReplaceAll(strings.Join(c.Args, " "), r.Work, "$WORK")
		fmt.Fprintf(&b, "- %s (%s): `%s`\n", c.Name, c.What, cmd)
	}
	b.WriteString("\nEach under `/usr/bin/time -f \"%e %U %S %M\"`: wall, user and system " +
		"seconds, peak RSS. softflowd exports to a UDP socket of the runner on 127.0.0.1 that " +
		"drops what it gets. $WORK is a scratch directory of the runner, which builds ipfixweb and " +
		"the floor there from the checkout.\n\n")
	r.rawSection(&b)
	r.profileSection(&b)
	return b.String()
}

func (r *report) serveSection(b *strings.Builder) {
	s := r.Serve
	if s == nil {
		return
	}
	b.WriteString("## Serve\n\n")
	fmt.Fprintf(b, "`%s`, a fresh journal each time.\n\n", s.Command)
	fmt.Fprintf(b, "- Start to ready (`GET /readyz` answers 200, polled every 2 ms): %s s\n",
		floats(s.Ready))
	fmt.Fprintf(b, "- SIGTERM to exit, idle: %s s\n", floats(s.StopIdle))
	fmt.Fprintf(b, "- SIGTERM to exit while converting the capture with DPI: %s s; output "+
		"files left behind: %d\n", floats(s.StopBusy), s.BusyLeftOutput)
	fmt.Fprintf(b, "- A DPI task of the capture with no other load, started to finished: %s s "+
		"(median %.2f); in a server started with `--gomaxprocs %d` (one Go processor per CPU "+
		"whatever the load): %s s (median %.2f)\n\n",
		floats(s.Task), median(s.Task), runtime.NumCPU(), floats(s.TaskOneProc), median(s.TaskOneProc))
	b.WriteString("| endpoint | requests/s | p50 ms | p99 ms | requests | non-2xx | socket errors " +
		"| conversion running throughout |\n|---|---:|---:|---:|---:|---:|---|---|\n")
	for _, a := range s.API {
		fmt.Fprintf(b, "| %s | %s | %.2f | %.2f | %s | %d | %s | %v |\n", a.Endpoint,
			thousands(a.ReqPerSec), a.P50, a.P99, thousands(float64(a.Requests)), a.Non2xx,
			orNone(a.SocketErrors), a.RunningBefore && a.RunningAfter)
	}
	b.WriteString("\n")
	for _, a := range s.API {
		fmt.Fprintf(b, "- `%s`\n", a.Command)
	}
	fmt.Fprintf(b, "\nThe conversion is a DPI task on the capture listed %d times, submitted through the API; another starts if it ends between the wrk runs.\n\n", apiCopies)
}

func (r *report) rawSection(b *strings.Builder) {
	b.WriteString("## Every run\n\n| round | tool | wall s | user s | sys s | peak RSS MiB | " +
		"last line of output |\n|---:|---|---:|---:|---:|---:|---|\n")
	for round := range r.Rounds {
		for _, c := range r.Contenders {
			if round >= len(c.Runs) {
				continue
			}
			m := c.Runs[round]
			fmt.Fprintf(b, "| %d | %s | %.2f | %.2f | %.2f | %.0f | %s |\n", round+1, c.Name,
				m.Wall, m.User, m.Sys, m.RSSMiB(), orNone(strings.ReplaceAll(m.Out, "|", "/")))
		}
	}
	b.WriteString("\n")
}

func (r *report) profileSection(b *strings.Builder) {
	for _, p := range r.Profiles {
		fmt.Fprintf(b, "## Profile of convert, %s\n\n`%s`, then `go tool pprof -top`:\n\n",
			p.Mode, strings.ReplaceAll(p.Command, r.Work, "$WORK"))
		fmt.Fprintf(b, "```\n%s\n```\n\nAllocated bytes (`-sample_index=alloc_space`):\n\n"+
			"```\n%s\n```\n\n", p.CPUTop, p.AllocTop)
	}
}

func floats(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.3f", x)
	}
	return strings.Join(parts, ", ")
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
