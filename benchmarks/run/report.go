package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// report is everything one run of the runner measured.
type report struct {
	Started, Finished time.Time
	Args              []string
	Work              string
	Rounds            int
	Machine           machine
	Capture           captureInfo
	Contenders        []contender
	Baseline          baseline
	Serve             *serveResult
	Profiles          []profileResult
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func (r *report) find(name string) *contender {
	for i := range r.Contenders {
		if r.Contenders[i].Name == name {
			return &r.Contenders[i]
		}
	}
	return nil
}

// ratio is the median over rounds of a's wall time over b's in the same
// round; ok is false when either was not run.
func (r *report) ratio(a, b string) (float64, bool) { return r.ratioOf(a, b, wall) }

// ratioOf is ratio for any figure of the runs.
func (r *report) ratioOf(a, b string, f func(measure) float64) (float64, bool) {
	ca, cb := r.find(a), r.find(b)
	if ca == nil || cb == nil {
		return 0, false
	}
	var xs []float64
	for i := range min(len(ca.Runs), len(cb.Runs)) {
		xs = append(xs, f(ca.Runs[i])/f(cb.Runs[i]))
	}
	return median(xs), len(xs) > 0
}

// stat is the median of one figure over a contender's runs.
func (c *contender) stat(f func(measure) float64) float64 {
	var xs []float64
	for _, m := range c.Runs {
		xs = append(xs, f(m))
	}
	return median(xs)
}

func wall(m measure) float64 { return m.Wall }
func cpu(m measure) float64  { return m.CPU() }
func rss(m measure) float64  { return m.RSSMiB() }

// table is the throughput table in Markdown.
func (r *report) table() string {
	var b strings.Builder
	b.WriteString("| tool | wall s | CPU s | peak RSS MiB | packets/s | wall ÷ floor | CPU ÷ floor " +
		"| ipfixweb ÷ tool |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for i := range r.Contenders {
		c := &r.Contenders[i]
		w := c.stat(wall)
		fmt.Fprintf(&b, "| %s | %.2f | %.2f | %.0f | %s | %s | %s | %s |\n", c.Name, w, c.stat(cpu),
			c.stat(rss), thousands(float64(r.Capture.Packets)/w), ratioText(r.ratio(c.Name, "floor")),
			ratioText(r.ratioOf(c.Name, "floor", cpu)), ratioText(r.ratio("ipfixweb", c.Name)))
	}
	return b.String()
}

func ratioText(v float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.2fx", v)
}

// thousands renders 1234567.8 as "1,234,568".
func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// goal is one line of the goals table.
type goal struct {
	what, target, measured string
	met                    string // "yes", "no" or "not measured"
}

func verdict(ok, measured bool) string {
	switch {
	case !measured:
		return "not measured"
	case ok:
		return "yes"
	}
	return "no"
}

// goals checks the measured figures against the targets.
func (r *report) goals() []goal {
	var gs []goal
	v, ok := r.ratio("ipfixweb", "softflowd")
	gs = append(gs, goal{"wall time without DPI, ÷ softflowd", "≤ 0.45x",
		ratioText(v, ok), verdict(v <= 0.45, ok)})
	v, ok = r.ratio("ipfixweb-dpi", "softflowd")
	gs = append(gs, goal{"wall time with DPI, ÷ softflowd", "≤ 0.9x", ratioText(v, ok),
		verdict(v <= 0.9, ok)})
	peak := 0.0
	var perFlow float64
	if c := r.find("ipfixweb"); c != nil {
		peak = c.stat(rss)
	}
	c := r.find("ipfixweb-dpi")
	if c != nil {
		peak = max(peak, c.stat(rss))
		perFlow = (c.stat(rss)*1024 - float64(r.Baseline.RSSKiBDPI)) * 1024 /
			float64(max(1, r.Capture.PeakFlows))
	}
	gs = append(gs, goal{"peak RSS of convert", "≤ 512 MiB", fmt.Sprintf("%.0f MiB", peak),
		verdict(peak <= 512, peak > 0)})
	gs = append(gs, goal{fmt.Sprintf("RSS with DPI over a tiny run's, per live flow (%s at most)",
		thousands(float64(r.Capture.PeakFlows))), "≤ 512 bytes", fmt.Sprintf("%.0f bytes", perFlow),
		verdict(perFlow <= 512, c != nil)})
	return append(gs, r.serveGoals()...)
}

func (r *report) serveGoals() []goal {
	s := r.Serve
	if s == nil {
		return []goal{{"API, start and stop", "", "", "not measured"}}
	}
	var gs []goal
	for _, a := range s.API {
		gs = append(gs, goal{a.Endpoint + " while a conversion runs", "≥ 20,000 req/s, p99 < 10 ms",
			fmt.Sprintf("%s req/s, p99 %.2f ms", thousands(a.ReqPerSec), a.P99),
			verdict(a.ReqPerSec >= 20000 && a.P99 < 10 && a.RunningAfter && a.Non2xx == 0, true)})
	}
	ready := slices.Max(s.Ready)
	gs = append(gs, goal{"serve start to ready (worst)", "< 3 s", fmt.Sprintf("%.3f s", ready),
		verdict(ready < 3, true)})
	stop := slices.Max(append(slices.Clone(s.StopIdle), s.StopBusy...))
	gs = append(gs, goal{"SIGTERM to exit, idle or converting (worst)", "< 0.3 s",
		fmt.Sprintf("%.3f s", stop), verdict(stop < 0.3, true)})
	return gs
}
