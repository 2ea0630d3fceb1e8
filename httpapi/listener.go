package httpapi

import (
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// Waits of a [retryListener] between accepts that failed for a passing
// reason.
const (
	acceptRetryMin = 5 * time.Millisecond
	acceptRetryMax = time.Second
)

// retryListener keeps accepting through errors that pass: the process or
// the system out of file descriptors (a flood of connections above the
// descriptor limit), or out of buffers. fasthttp ends Serve at any accept
// error but a timeout, which would take the whole server down; here the
// accept waits, twice as long each time up to a second, and tries again.
// Any other error, such as the listener's own closing, is returned.
type retryListener struct {
	net.Listener
	log    *zap.Logger
	failed atomic.Int64 // accepts that failed and were tried again
}

func (l *retryListener) Accept() (net.Conn, error) {
	wait := acceptRetryMin
	for {
		c, err := l.Listener.Accept()
		if err == nil || !passing(err) {
			return c, err
		}
		if l.failed.Add(1); wait == acceptRetryMin || wait == acceptRetryMax {
			l.log.Warn("accepting connections", zap.Error(err), zap.Duration("retry_in", wait))
		}
		time.Sleep(wait)
		wait = min(2*wait, acceptRetryMax)
	}
}

// passing tells whether an accept error is one that goes away by itself.
func passing(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM,
		syscall.ECONNABORTED} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
