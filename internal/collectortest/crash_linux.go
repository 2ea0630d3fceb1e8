package collectortest

import (
	"net"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Crash accepts the next connection and reads it until it holds at least
// keep data records, then stops reading, as a hung collector would. Once
// its receive buffer has stopped growing while the exporter says it is
// blocked in a write (blocked), its window is shut: it peeks at what its
// host acknowledged and it never read, and closes its listener, then the
// connection, which resets it: the exporter cannot reconnect until
// Restart. It returns the complete messages it read, and
// the number of data records in the complete messages of the unread rest,
// which the crash lost although the exporter saw them acknowledged.
func (c *TCP) Crash(tb testing.TB, keep int, blocked func() bool) (read []byte, unread int) {
	tb.Helper()
	conn, err := c.ln.Accept()
	if err != nil {
		tb.Fatalf("accept: %v", err)
	}
	defer conn.Close()
	defer c.ln.Close()
	var buf []byte
	chunk := make([]byte, 16<<10)
	for checked := 0; ; {
		// Decoding what came so far takes long: only every 64 KiB.
		if len(buf)-checked >= 64<<10 {
			if checked = len(buf); len(DataRecords(tb, Complete(buf))) >= keep {
				break
			}
		}
		n, err := conn.Read(chunk)
		if err != nil {
			tb.Fatalf("collector read: %v", err)
		}
		buf = append(buf, chunk[:n]...)
	}
	raw, err := conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		tb.Fatal(err)
	}
	queued := func() (n int) {
		_ = raw.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
		return n
	}
	last, same := -1, 0
	for end := time.Now().Add(30 * time.Second); same < 5 || !blocked(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			tb.Fatal("the collector's receive buffer never stopped growing")
		}
		if n := queued(); n == last {
			same++
		} else {
			last, same = n, 0
		}
	}
	peek := make([]byte, last)
	n := 0
	_ = raw.Read(func(fd uintptr) bool {
		n, _, _ = unix.Recvfrom(int(fd), peek, unix.MSG_PEEK|unix.MSG_DONTWAIT)
		return true
	})
	read = Complete(buf)
	rest := Complete(append(slices.Clone(buf[len(read):]), peek[:max(n, 0)]...))
	whole := append(slices.Clone(read), rest...)
	return read, len(DataRecords(tb, whole)) - len(DataRecords(tb, read))
}
