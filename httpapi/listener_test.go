package httpapi

import (
	"net"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
)

// lowestFreeFile returns the lowest file descriptor number not in use.
func lowestFreeFile(tb testing.TB) uint64 {
	tb.Helper()
	fd, err := syscall.Dup(0)
	if err != nil {
		tb.Skipf("cannot find a free descriptor: %v", err)
	}
	_ = syscall.Close(fd)
	return uint64(fd)
}

// A connection that comes while the process is out of file descriptors
// does not end the accepting: it is taken once descriptors are free again.
func TestListenerOutlastsFileExhaustion(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &retryListener{Listener: inner, log: zap.NewNop()}
	defer ln.Close()
	type accepted struct {
		c   net.Conn
		err error
	}
	got := make(chan accepted, 1)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	restore := func() { _ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim) }
	defer restore()
	client, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	// Every descriptor the process may have is now taken: the accept
	// fails with EMFILE until the limit is raised again.
	low := lim
	low.Cur = lowestFreeFile(t)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skipf("cannot lower the open file limit: %v", err)
	}
	go func() {
		c, err := ln.Accept()
		got <- accepted{c, err}
	}()
	for end := time.Now().Add(10 * time.Second); ln.failed.Load() == 0; time.Sleep(time.Millisecond) {
		select {
		case a := <-got:
			restore()
			t.Fatalf("accept returned %v, %v while out of descriptors", a.c, a.err)
		default:
		}
		if time.Now().After(end) {
			restore()
			t.Fatal("the accept never ran out of descriptors")
		}
	}
	restore()
	select {
	case a := <-got:
		if a.err != nil {
			t.Fatalf("accept: %v", a.err)
		}
		a.c.Close()
	case <-time.After(10 * time.Second):
		t.Fatal("the connection was not accepted once descriptors were free")
	}
}
