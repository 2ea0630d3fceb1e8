package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// profileResult is a profiled convert run: pprof's top entries of CPU
// and of allocated bytes.
type profileResult struct {
	Mode, Command string
	CPUTop        string
	AllocTop      string
}

// profileConvert runs convert with --cpuprofile and --memprofile, with
// and without DPI, outside the timed rounds.
func profileConvert(b binaries, capture, work string) ([]profileResult, error) {
	var out []profileResult
	for _, mode := range []string{"no DPI", "DPI"} {
		tag := strings.ReplaceAll(strings.ToLower(mode), " ", "")
		cpu := filepath.Join(work, "cpu-"+tag+".prof")
		heap := filepath.Join(work, "heap-"+tag+".prof")
		args := []string{b.ipfixweb, "convert", "-q", "--cpuprofile", cpu, "--memprofile", heap,
			"-o", filepath.Join(work, "prof.ipfix"), capture}
		if mode == "DPI" {
			args = append(args[:2], append([]string{"--dpi"}, args[2:]...)...)
		}
		if raw, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, raw)
		}
		p := profileResult{Mode: mode, Command: "ipfixweb " + strings.Join(args[1:], " ")}
		var err error
		if p.CPUTop, err = pprofTop(b.ipfixweb, cpu, 25); err != nil {
			return nil, err
		}
		if p.AllocTop, err = pprofTop(b.ipfixweb, heap, 12, "-sample_index=alloc_space"); err != nil {
			return nil, err
		}
		logf("profiled convert, %s", mode)
		out = append(out, p)
	}
	return out, nil
}

// pprofTop is `go tool pprof -top` from its totals line on.
func pprofTop(bin, prof string, n int, extra ...string) (string, error) {
	args := append([]string{"tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", n)}, extra...)
	raw, err := exec.Command("go", append(args, bin, prof)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go tool pprof %s: %w\n%s", prof, err, raw)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "Duration:") || strings.HasPrefix(l, "Showing nodes") {
			return strings.Join(lines[i:], "\n"), nil
		}
	}
	return strings.Join(lines, "\n"), nil
}

// baseline is the peak RSS of convert on a tiny capture: what the
// process costs before any flow.
type baseline struct {
	RSSKiB, RSSKiBDPI int64
}

func baselines(b binaries, root, work string) (baseline, error) {
	sample := filepath.Join(root, "testdata", "sample.pcap")
	out := filepath.Join(work, "sample.ipfix")
	plain, err := timed([]string{b.ipfixweb, "convert", "-q", "-o", out, sample})
	if err != nil {
		return baseline{}, err
	}
	dpi, err := timed([]string{b.ipfixweb, "convert", "-q", "--dpi", "-o", out, sample})
	if err != nil {
		return baseline{}, err
	}
	return baseline{RSSKiB: plain.RSSKiB, RSSKiBDPI: dpi.RSSKiB}, nil
}

// moduleRoot is the directory of the go.mod the runner was started in.
func moduleRoot() (string, error) {
	raw, err := exec.Command("go", "env", "GOMOD").Output()
	mod := strings.TrimSpace(string(raw))
	if err != nil || mod == "" || mod == "/dev/null" {
		return "", fmt.Errorf("run from inside the ipfixweb module (go env GOMOD: %q, %v)", mod, err)
	}
	return filepath.Dir(mod), nil
}
