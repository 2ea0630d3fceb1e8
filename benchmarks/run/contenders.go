package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
)

// contender is one command benchmarked in every round.
type contender struct {
	Name string
	What string // one line for the report
	Args []string
	Runs []measure
}

// measure is what GNU time reports of one run.
type measure struct {
	Wall, User, Sys float64 // seconds
	RSSKiB          int64   // peak resident set size
	Out             string  // the command's last line of output, if any
}

// CPU is user plus system seconds.
func (m measure) CPU() float64 { return m.User + m.Sys }

// RSSMiB is the peak RSS in MiB.
func (m measure) RSSMiB() float64 { return float64(m.RSSKiB) / 1024 }

// binaries are the programs the runner builds.
type binaries struct {
	ipfixweb, floor string
}

// build compiles ipfixweb and the floor into work.
func build(root, work string) (binaries, error) {
	b := binaries{ipfixweb: filepath.Join(work, "ipfixweb"), floor: filepath.Join(work, "floor")}
	for _, t := range []struct{ out, pkg string }{{b.ipfixweb, "./cmd/ipfixweb"},
		{b.floor, "./benchmarks/floor"}} {
		cmd := exec.Command("go", "build", "-o", t.out, t.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("go build %s: %w\n%s", t.pkg, err, out)
		}
	}
	return b, nil
}

// contenders lists the commands of a round, ipfixweb first: ratios are
// taken against it.
func contenders(b binaries, capture, work, sink string) []contender {
	out := filepath.Join(work, "out.ipfix")
	return []contender{
		{Name: "ipfixweb", What: "ipfixweb convert, no DPI",
			Args: []string{b.ipfixweb, "convert", "-o", out, capture}},
		{Name: "ipfixweb-dpi", What: "ipfixweb convert with DPI",
			Args: []string{b.ipfixweb, "convert", "--dpi", "-o", out, capture}},
		{Name: "softflowd", What: "softflowd 1.1 -r, IPFIX to a loopback sink, default table (8192 flows)",
			Args: []string{"softflowd", "-r", capture, "-n", sink, "-v", "10",
				"-p", filepath.Join(work, "softflowd.pid")}},
		{Name: "softflowd-1M", What: "the same with -m 1048576, a table as large as ipfixweb's",
			Args: []string{"softflowd", "-r", capture, "-n", sink, "-v", "10", "-m", "1048576",
				"-p", filepath.Join(work, "softflowd.pid")}},
		{Name: "ndpiReader", What: "nDPI's ndpiReader -i, quiet",
			Args: []string{"ndpiReader", "-i", capture, "-q"}},
		{Name: "floor", What: "benchmarks/floor: pcapgo, DecodingLayerParser, 5-tuple map, one core",
			Args: []string{b.floor, capture}},
	}
}

// run runs c once under GNU time.
func (c *contender) run() (measure, error) {
	return timed(c.Args)
}

// timed runs args under /usr/bin/time and reads its report.
func timed(args []string) (measure, error) {
	tf, err := os.CreateTemp("", "time-")
	if err != nil {
		return measure{}, err
	}
	tf.Close()
	defer os.Remove(tf.Name())
	cmd := exec.Command("/usr/bin/time", append([]string{"-f", "%e %U %S %M", "-o", tf.Name(), "--"},
		args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return measure{}, fmt.Errorf("%s: %w\n%s", strings.Join(args, " "), err, tail(stderr.String()))
	}
	raw, err := os.ReadFile(tf.Name())
	if err != nil {
		return measure{}, err
	}
	f := strings.Fields(string(raw))
	if len(f) < 4 {
		return measure{}, fmt.Errorf("unexpected GNU time output %q", raw)
	}
	m := measure{Out: lastLine(stdout.String())}
	m.Wall, _ = strconv.ParseFloat(f[len(f)-4], 64)
	m.User, _ = strconv.ParseFloat(f[len(f)-3], 64)
	m.Sys, _ = strconv.ParseFloat(f[len(f)-2], 64)
	m.RSSKiB, _ = strconv.ParseInt(f[len(f)-1], 10, 64)
	return m, nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// sink is a loopback UDP collector that drops what it gets, so that
// softflowd has somewhere to export to.
type sink struct {
	conn      *net.UDPConn
	addr      string
	datagrams atomic.Int64
	done      chan struct{}
}

func newSink() (*sink, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadBuffer(8 << 20)
	s := &sink{conn: conn, addr: conn.LocalAddr().String(), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 65536)
		for {
			if _, err := conn.Read(buf); err != nil {
				return // closed
			}
			s.datagrams.Add(1)
		}
	}()
	return s, nil
}

// close stops the sink and waits for its reader.
func (s *sink) close() {
	_ = s.conn.Close()
	<-s.done
}
