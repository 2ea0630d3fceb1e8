package main

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/protocol/capture"
)

// loopbackCapture is dumpcap capturing UDP datagrams to a loopback port
// into a pcap file, which the test also reads as it is written, to know
// when the capture has begun and when it holds every datagram.
type loopbackCapture struct {
	cmd   *exec.Cmd
	log   bytes.Buffer  // dumpcap's stderr, to read once it has exited
	seen  atomic.Int64  // datagrams to the port so far
	live  chan struct{} // closed once a probe datagram was captured
	ended chan error    // the reader's end
}

// captureLoopback starts dumpcap on lo for datagrams to port, and probes,
// until one probe shows in the capture, so nothing sent afterwards is
// missed. It skips tb when dumpcap is missing or may not capture.
func captureLoopback(tb testing.TB, file, port string) *loopbackCapture {
	tb.Helper()
	bin := ipfixcheck.Tool(tb, "dumpcap", "tshark")
	probe, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer probe.Close()
	probePort := probe.LocalAddr().(*net.UDPAddr).Port
	filter := "udp dst port " + port + " or udp dst port " + strconv.Itoa(probePort)
	c := &loopbackCapture{live: make(chan struct{}), ended: make(chan error, 1)}
	c.cmd = exec.Command(bin, "-q", "-i", "lo", "-f", filter, "-P", "-w", "-")
	c.cmd.Stderr = &c.log
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.cmd.Process.Kill(); _ = c.cmd.Wait() })
	want, _ := strconv.Atoi(port)
	go c.read(io.TeeReader(stdout, f), want, f)
	for end := time.Now().Add(10 * time.Second); ; {
		if _, err := probe.WriteTo([]byte("probe"), probe.LocalAddr()); err != nil {
			tb.Fatal(err)
		}
		select {
		case <-c.live:
			return c
		case err := <-c.ended:
			_ = c.cmd.Wait()
			if msg := c.log.String(); strings.Contains(msg, "permission") ||
				strings.Contains(msg, "not permitted") {
				tb.Skipf("dumpcap may not capture on lo here: %s", msg)
			}
			tb.Fatalf("dumpcap: %v: %s", err, c.log.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(end) {
			tb.Skip("dumpcap captured no probe on lo in 10 s")
		}
	}
}

// read counts the captured datagrams to port until the capture ends.
func (c *loopbackCapture) read(r io.Reader, port int, f *os.File) {
	defer f.Close()
	cr, err := capture.NewReader(r)
	if err != nil {
		c.ended <- err
		return
	}
	var fr capture.Frame
	for {
		if err := cr.Next(&fr); err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			c.ended <- err
			return
		}
		switch dst := udpDstPort(fr.Data); {
		case dst == port:
			c.seen.Add(1)
		case dst > 0:
			select {
			case <-c.live:
			default:
				close(c.live)
			}
		}
	}
}

// udpDstPort returns the destination port of an Ethernet frame carrying
// IPv4 and UDP, or 0.
func udpDstPort(b []byte) int {
	if len(b) < 14+20 || b[12] != 0x08 || b[13] != 0x00 || b[14+9] != 17 {
		return 0
	}
	ihl := int(b[14]&0x0f) * 4
	if len(b) < 14+ihl+4 {
		return 0
	}
	return int(b[14+ihl+2])<<8 | int(b[14+ihl+3])
}

// wait waits until n datagrams to the port were captured, then stops
// dumpcap and waits until the file is complete.
func (c *loopbackCapture) wait(tb testing.TB, n int) {
	tb.Helper()
	for end := time.Now().Add(20 * time.Second); c.seen.Load() < int64(n); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(end) {
			tb.Fatalf("dumpcap captured %d of %d datagrams", c.seen.Load(), n)
		}
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-c.ended:
		if err != nil {
			tb.Fatalf("reading the capture: %v", err)
		}
	case <-time.After(10 * time.Second):
		tb.Fatal("dumpcap did not stop")
	}
}
