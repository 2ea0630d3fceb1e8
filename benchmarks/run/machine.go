package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// machine describes where the run happened.
type machine struct {
	CPUs               int
	CPU, Memory, Linux string
	LoadStart, LoadEnd string
	Go, Commit         string
	Tools              []string // "name: version"
}

func describeMachine(root string) machine {
	m := machine{CPUs: runtime.NumCPU(), LoadStart: loadAverage()}
	m.CPU = procField("/proc/cpuinfo", "model name")
	m.Memory = procField("/proc/meminfo", "MemTotal")
	m.Linux = strings.TrimSpace(readFile("/proc/sys/kernel/osrelease"))
	m.Go = firstLine(output("go", "version"))
	m.Commit = firstLine(output("git", "-C", root, "rev-parse", "--short", "HEAD"))
	if strings.TrimSpace(output("git", "-C", root, "status", "--porcelain")) != "" {
		m.Commit += " (with uncommitted changes)"
	}
	m.Tools = []string{
		"softflowd: " + versionWord(grepLine(output("softflowd", "-h"), "version")),
		"ndpiReader: " + grepLine(output("ndpiReader", "-h"), "nDPI"),
		"wrk: " + firstLine(output("wrk", "-v")),
		"time: " + firstLine(output("/usr/bin/time", "--version")),
	}
	return m
}

// loadAverage is the first three fields of /proc/loadavg.
func loadAverage() string {
	f := strings.Fields(readFile("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// procField returns the value of the first "name: value" line of a /proc
// file.
func procField(path, name string) string {
	for _, line := range strings.Split(readFile(path), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

// output runs a command for its combined output; a tool that is missing
// or fails still gives what it printed.
func output(name string, args ...string) string {
	out, err := exec.Command(name, args...).CombinedOutput()
	if len(out) == 0 && err != nil {
		return "unavailable (" + err.Error() + ")"
	}
	return string(out)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

func grepLine(s, word string) string {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, word) {
			return strings.TrimSpace(line)
		}
	}
	return firstLine(s)
}

// captureInfo describes the benchmark input as ipfixweb's meter sees it
// with convert's default timeouts.
type captureInfo struct {
	Path             string
	Bytes            int64
	Packets, Records int64
	PeakFlows        int // connections live at once, at most
}

// describeCapture reads the capture once through the decoder and a flow
// table, which also puts it in the page cache for the timed runs.
func describeCapture(path string) (captureInfo, error) {
	ci := captureInfo{Path: path}
	f, err := os.Open(path)
	if err != nil {
		return ci, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ci, err
	}
	ci.Bytes = st.Size()
	r, err := capture.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return ci, fmt.Errorf("%s: %w", path, err)
	}
	var (
		fr  capture.Frame
		dec packet.Decoder
		p   packet.Packet
		out []flow.Record
	)
	tbl := flow.NewTable(flow.Config{})
	for {
		err := r.Next(&fr)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ci, fmt.Errorf("%s: %w", path, err)
		}
		ci.Packets++
		if dec.Decode(fr.LinkType, fr.Data, &p) != nil {
			continue
		}
		p.Time = fr.Time
		out = tbl.Add(&p, out[:0])
		if ci.Packets%256 == 0 {
			out = tbl.Advance(fr.Time, out)
		}
		ci.Records += int64(len(out))
		ci.PeakFlows = max(ci.PeakFlows, tbl.Len())
	}
	ci.Records += int64(len(tbl.Flush(flow.EndForced, out[:0])))
	return ci, nil
}

// versionWord returns the word after "version" in line, or line.
func versionWord(line string) string {
	f := strings.Fields(line)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "version" {
			return strings.TrimSuffix(f[i+1], ".")
		}
	}
	return line
}
