package export

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/collectortest"
)

// sendAll sends the messages on a goroutine of its own, as a task's
// writer does, then closes the stream; the result comes on the channel.
func sendAll(ctx context.Context, s Sender, st *stream) <-chan error {
	done := make(chan error, 1)
	go func() {
		for _, m := range st.msgs {
			if err := s.Send(ctx, m); err != nil {
				done <- err
				return
			}
		}
		done <- s.Close(ctx, uint32(st.enc.Stats().DataRecords))
	}()
	return done
}

// The collector gets the stream byte for byte, and the sender's Close
// returns once it has read to the end and closed.
func TestTCPStream(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(c)
		c.Close()
		got <- b
	}()
	st := encodeRecords(t, 2000, 65535)
	s := New(Config{URL: mustURL(t, "tcp://"+ln.Addr().String()), Greeting: st.greeting})
	ctx := testContext(t)
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-sendAll(ctx, s, st); err != nil {
		t.Fatal(err)
	}
	if b := <-got; !bytes.Equal(b, bytes.Join(st.msgs, nil)) {
		t.Fatalf("collector read %d octets, want the %d of the stream", len(b), len(bytes.Join(st.msgs, nil)))
	}
	stats := s.Stats()
	if stats.Connections != 1 || stats.PossiblyLost != 0 || stats.State != StateClosed ||
		stats.Messages != uint64(len(st.msgs)) {
		t.Errorf("stats %+v", stats)
	}
}

// Nobody listening for longer than RetryFor fails Open with an error
// that says so; the status shows the outage while it lasts.
func TestTCPUnreachable(t *testing.T) {
	addr := freePort(t, "tcp")
	s := New(Config{URL: mustURL(t, "tcp://"+addr), RetryFor: 300 * time.Millisecond,
		RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond})
	err := s.Open(testContext(t))
	var ue *UnreachableError
	if !errors.As(err, &ue) || ue.Attempts < 2 || ue.For < 300*time.Millisecond ||
		!strings.Contains(err.Error(), "unreachable for") ||
		!strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Open: %v", err)
	}
	if st := s.Stats(); st.State != StateFailed || st.Attempts < 2 ||
		!strings.Contains(st.Stall(time.Now()), "unreachable") {
		t.Errorf("stats %+v", st)
	}
}

// A send blocked by a collector that does not read returns as soon as
// its context ends.
func TestTCPCancelUnblocksSend(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(time.Minute) // never reads
		}
	}()
	st := encodeRecords(t, 50000, 65535)
	s := New(Config{URL: mustURL(t, "tcp://"+ln.Addr().String()), SendBuffer: 16 << 10})
	ctx, cancel := context.WithCancel(testContext(t))
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := sendAll(ctx, s, st)
	eventually(t, "a blocked write", func() bool {
		w := s.Stats().WaitingSince
		return !w.IsZero() && time.Since(w) > 100*time.Millisecond
	})
	if stall := s.Stats().Stall(time.Now().Add(time.Second)); !strings.Contains(stall, "has not read") {
		t.Errorf("stall %q", stall)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Send: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Send still blocked after its context ended")
	}
	s.Abort()
}

// A collector that hangs and goes away in the middle of a TCP export, then
// comes back on its port, gets the rest after the reconnection: templates
// first, then the message the break cut, then the others, with nothing
// repeated. What it never got is counted as possibly lost, except what its
// own host acknowledged and it did not read, which the sender cannot see.
func TestTCPCollectorRestarts(t *testing.T) {
	coll := collectortest.ListenTCP(t)
	st := encodeRecords(t, 20000, 1400)
	s := New(Config{URL: mustURL(t, coll.URL()), Greeting: st.greeting, SendBuffer: 16 << 10,
		RetryMin: 20 * time.Millisecond, RetryFor: time.Minute})
	ctx := testContext(t)
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	done := sendAll(ctx, s, st)
	read, unread := coll.Crash(t, 2000, func() bool {
		w := s.Stats().WaitingSince
		return !w.IsZero() && time.Since(w) > 200*time.Millisecond
	})
	eventually(t, "the sender to see the collector gone", func() bool {
		return !s.Stats().DownSince.IsZero()
	})
	coll.Restart(t)
	second, err := coll.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	first := records(t, read)
	rest := records(t, second) // decodes by itself: the templates came first
	if m := collectortest.Complete(second); len(m) == 0 || m[16] != 0 || m[17] != 2 ||
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

// A collector that accepts every connection and at once closes or resets
// it is as good as unreachable: the waits between connections grow as
// between refused attempts, and the export fails once that lasts
// RetryFor, instead of reconnecting for ever.
func TestTCPCollectorDropsEveryConnection(t *testing.T) {
	tests := []struct {
		name  string
		reset bool
	}{
		{name: "closes", reset: false},
		{name: "resets", reset: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Small buffers: a connection takes a few messages before its
			// end shows, so the stream needs many connections.
			lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
				return rc.Control(func(fd uintptr) {
					_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
				})
			}}
			ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			var accepted atomic.Int64
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					accepted.Add(1)
					if tc.reset {
						_ = c.(*net.TCPConn).SetLinger(0)
					}
					_ = c.Close()
				}
			}()
			const retryFor, retryMin = 300 * time.Millisecond, 10 * time.Millisecond
			s := New(Config{URL: mustURL(t, "tcp://"+ln.Addr().String()), RetryFor: retryFor,
				RetryMin: retryMin, RetryMax: 50 * time.Millisecond, SendBuffer: 16 << 10})
			ctx := testContext(t)
			if err := s.Open(ctx); err != nil {
				t.Fatal(err)
			}
			var err2 error
			select {
			case err2 = <-sendAll(ctx, s, encodeRecords(t, 50000, 1400)):
			case <-time.After(20 * time.Second):
				t.Fatalf("still reconnecting after 20 s (%d connections)", accepted.Load())
			}
			var ue *UnreachableError
			if !errors.As(err2, &ue) || ue.Attempts < 2 || ue.For < retryFor {
				t.Fatalf("export ended with %v, want the collector unreachable for %v (%d connections, stats %+v)", err2, retryFor, accepted.Load(), s.Stats())
			}
			// Doubling waits from 10 ms to 50 ms fit far fewer connections
			// in 300 ms than waits of 10 ms each.
			if n := accepted.Load(); n >= int64(retryFor/retryMin) {
				t.Errorf("%d connections in %v: the waits did not grow", n, ue.For)
			}
			s.Abort()
		})
	}
}
