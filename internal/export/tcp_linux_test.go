//go:build linux

package export

import (
	"bytes"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// crashingCollector accepts one connection, reads until it holds at least
// keep records, then stops reading, as a hung collector would. Once its
// receive buffer has stopped growing (its window is shut), it peeks at
// what its host acknowledged and it never read, and closes, which resets
// the connection, after its listener, so the sender cannot reconnect
// before the collector comes back. It returns the complete messages it
// read and the number of records in the complete messages of the unread
// rest.
func crashingCollector(t *testing.T, ln net.Listener, keep int) (read []byte, unread int) {
	t.Helper()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	defer ln.Close()
	var buf []byte
	chunk := make([]byte, 4096)
	for len(records(t, complete(buf))) < keep {
		n, err := c.Read(chunk)
		if err != nil {
			t.Fatalf("collector read: %v", err)
		}
		buf = append(buf, chunk[:n]...)
	}
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	queued := func() (n int) {
		_ = raw.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
		return n
	}
	last, same := -1, 0
	eventually(t, "the collector's window to shut", func() bool {
		n := queued()
		if n == last {
			same++
		} else {
			last, same = n, 0
		}
		time.Sleep(20 * time.Millisecond)
		return same >= 5
	})
	peek := make([]byte, last)
	var n int
	_ = raw.Read(func(fd uintptr) bool {
		n, _, _ = unix.Recvfrom(int(fd), peek, unix.MSG_PEEK|unix.MSG_DONTWAIT)
		return true
	})
	read = complete(buf)
	rest := append(slices.Clone(buf[len(read):]), peek[:max(n, 0)]...)
	return read, countMessagesRecords(t, read, complete(rest))
}

// complete returns the longest prefix of b made of whole messages.
func complete(b []byte) []byte {
	n := 0
	for len(b)-n >= 4 {
		l := int(b[n+2])<<8 | int(b[n+3])
		if l < 16 || n+l > len(b) {
			break
		}
		n += l
	}
	return b[:n]
}

// countMessagesRecords counts the data records of the messages in lost,
// which follow read in the stream.
func countMessagesRecords(t *testing.T, read, lost []byte) int {
	return len(records(t, append(slices.Clone(read), lost...))) - len(records(t, read))
}

// A collector that hangs and goes away in the middle of a TCP export, then
// comes back on its port, gets the rest after the reconnection: templates
// first, then the message the break cut, then the others, with nothing
// repeated. What it never got is counted as possibly lost, except what its
// own host acknowledged and it did not read, which the sender cannot see.
func TestTCPCollectorRestarts(t *testing.T) {
	addr := freePort(t, "tcp")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	st := encodeRecords(t, 20000, 1400)
	s := New(Config{URL: mustURL(t, "tcp://"+addr), Greeting: st.greeting, SendBuffer: 16 << 10,
		RetryMin: 20 * time.Millisecond, RetryFor: time.Minute})
	ctx := testContext(t)
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := sendAll(ctx, s, st)
	read, unread := crashingCollector(t, ln, 2000)
	eventually(t, "the sender to see the collector gone", func() bool {
		return !s.Stats().DownSince.IsZero()
	})
	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln2.Close()
	c, err := ln2.Accept()
	if err != nil {
		t.Fatal(err)
	}
	second, _ := io.ReadAll(c)
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	first := records(t, read)
	rest := records(t, second) // decodes by itself: the templates came first
	if m := complete(second); len(m) == 0 || m[16] != 0 || m[17] != 2 ||
		len(records(t, second[:int(m[2])<<8|int(m[3])])) != 0 {
		t.Error("the second connection does not start with a template message")
	}
	all := records(t, bytes.Join(st.msgs, nil))
	missing := len(all) - len(first) - len(rest)
	if !slices.Equal(first, all[:len(first)]) || !slices.Equal(rest, all[len(all)-len(rest):]) ||
		missing < 0 {
		t.Fatalf("first connection %d records, second %d, of %d: not a prefix and a suffix",
			len(first), len(rest), len(all))
	}
	stats := s.Stats()
	t.Logf("records: %d read, %d missing (%d unread by the collector), %d counted possibly lost",
		len(first), missing, unread, stats.PossiblyLost)
	if missing-unread > int(stats.PossiblyLost) {
		t.Errorf("%d records missing beyond the collector's buffer, only %d counted possibly lost",
			missing-unread, stats.PossiblyLost)
	}
	if stats.Connections != 2 || stats.State != StateClosed || stats.LastError == "" {
		t.Errorf("stats %+v", stats)
	}
}
