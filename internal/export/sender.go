package export

import (
	"context"
	"errors"
	"fmt"
)

// Sender streams IPFIX messages to one collector. Open, Send, Close and
// Abort are called by one goroutine, the owner; Stats by any.
type Sender interface {
	// Open makes the socket and, for TCP, the first connection (with the
	// retries of any outage). It returns an error when the collector
	// cannot be reached within the retry window or ctx ends.
	Open(ctx context.Context) error
	// Send sends one complete message; the sender does not keep msg.
	// It blocks while the collector does not read (TCP) or the rate cap
	// holds it (UDP), and while a TCP collector is away.
	Send(ctx context.Context, msg []byte) error
	// Close ends the stream after the last message. nextSeq is the
	// sequence number a message after the last would carry: it tells
	// how many records the last messages held, should the collector go
	// away before it read them.
	Close(ctx context.Context, nextSeq uint32) error
	// Abort drops the stream at once, as when its task is stopped.
	Abort()
	// Stats returns the stream's figures so far.
	Stats() Stats
}

// New returns a sender for cfg.URL; nothing is opened before Open.
func New(cfg Config) Sender {
	c := cfg.withDefaults()
	if c.TCP() {
		return newTCP(c)
	}
	return newUDP(c)
}

// ctxError reports the end of ctx as the stream's error.
func ctxError(ctx context.Context, u URL) error {
	return fmt.Errorf("collector %s: %w", u, context.Cause(ctx))
}

// errAborted is the fault of a stream dropped by Abort.
var errAborted = errors.New("stream aborted")
