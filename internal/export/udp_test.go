package export

import (
	"bytes"
	"net"
	"testing"
	"time"
)

// Every message arrives as one datagram, whole and in order.
func TestUDPDatagrams(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	st := encodeRecords(t, 300, 1400)
	s := New(Config{URL: mustURL(t, "udp://"+pc.LocalAddr().String())})
	ctx := testContext(t)
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan [][]byte)
	go func() {
		var out [][]byte
		buf := make([]byte, 65536)
		for range st.msgs {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				break
			}
			out = append(out, bytes.Clone(buf[:n]))
		}
		got <- out
	}()
	octets := 0
	for _, m := range st.msgs {
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
		octets += len(m)
	}
	dgrams := <-got
	if err := s.Close(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if len(dgrams) != len(st.msgs) {
		t.Fatalf("%d datagrams, want %d", len(dgrams), len(st.msgs))
	}
	for i := range dgrams {
		if !bytes.Equal(dgrams[i], st.msgs[i]) {
			t.Fatalf("datagram %d differs from its message", i)
		}
	}
	stats := s.Stats()
	if stats.Messages != uint64(len(st.msgs)) || stats.Octets != uint64(octets) ||
		stats.State != StateClosed || stats.Refused != 0 {
		t.Errorf("stats %+v", stats)
	}
}

// A collector that is not listening is counted, not an error; once it
// listens it gets the datagrams.
func TestUDPRefused(t *testing.T) {
	addr := freePort(t, "udp")
	st := encodeRecords(t, 40, 600)
	s := New(Config{URL: mustURL(t, "udp://"+addr)})
	ctx := testContext(t)
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a refusal", func() bool {
		if err := s.Send(ctx, st.msgs[0]); err != nil {
			t.Fatal(err)
		}
		return s.Stats().Refused > 0
	})
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	for _, m := range st.msgs[1:] {
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 2048)
	_ = pc.SetReadDeadline(time.Now().Add(10 * time.Second))
	for i, m := range st.msgs[1:] {
		n, _, err := pc.ReadFrom(buf)
		if err != nil || !bytes.Equal(buf[:n], m) {
			t.Fatalf("datagram %d after the collector started: %v", i+1, err)
		}
	}
	if st := s.Stats(); st.LastError == "" || st.State != StateConnected {
		t.Errorf("stats %+v", st)
	}
}

// The rate cap holds: 60 datagrams at 200 per second take at least the
// time the cap allows (a lower bound, which load cannot break).
func TestUDPRate(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			if _, _, err := pc.ReadFrom(buf); err != nil {
				return
			}
		}
	}()
	const n, rate = 60, 200.0
	s := New(Config{URL: mustURL(t, "udp://"+pc.LocalAddr().String()), Rate: rate})
	ctx := testContext(t)
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	msg := encodeRecords(t, 1, 1400).msgs[0]
	begin := time.Now()
	for range n {
		if err := s.Send(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
	burst := max(1, int(rate/100))
	if took, least := time.Since(begin), time.Duration(float64(n-burst)/rate*float64(time.Second)); took < least {
		t.Errorf("%d datagrams in %s, the cap allows no fewer than %s", n, took, least)
	}
}
