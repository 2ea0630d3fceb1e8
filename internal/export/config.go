package export

import "time"

// Defaults of [Config].
const (
	// DefaultMessageSize keeps a UDP datagram, with its IP and UDP
	// headers, inside a 1500-octet Ethernet MTU on IPv4 and IPv6.
	DefaultMessageSize = 1400
	// MinMessageSize and MaxMessageSize bound [Config.MessageSize]: the
	// largest template the encoder declares needs a few hundred octets,
	// and 65507 is the largest UDP payload over IPv4.
	MinMessageSize = 512
	MaxMessageSize = 65507
	// DefaultRefreshInterval and DefaultRefreshMessages: UDP templates
	// are sent again after this long or this many messages, whichever
	// comes first, so a collector that starts (or restarts) during an
	// export can read it from then on.
	DefaultRefreshInterval = 30 * time.Second
	DefaultRefreshMessages = 256
	// DefaultRetryFor is how long a TCP collector may stay unreachable
	// before the export fails.
	DefaultRetryFor = 2 * time.Minute
	// DefaultLinger is how long Close waits for a TCP collector to close
	// its side once everything is sent.
	DefaultLinger = 5 * time.Second
)

// Config describes a collector stream. The zero value of each field but
// URL means its default.
type Config struct {
	URL URL

	// MessageSize bounds each UDP message (one datagram), IPFIX header
	// included; 0 means DefaultMessageSize. TCP messages may take the
	// full 65535 octets.
	MessageSize int
	// RefreshInterval and RefreshMessages say when the owner's encoder
	// sends UDP templates again; 0 means the defaults. TCP sends them at
	// the start of each connection instead.
	RefreshInterval time.Duration
	RefreshMessages int
	// Rate caps UDP messages (datagrams) per second; 0 means no cap.
	Rate float64

	// RetryFor bounds a TCP outage: past it Send gives up; 0 means
	// DefaultRetryFor.
	RetryFor time.Duration
	// RetryMin and RetryMax bound the wait between TCP connection
	// attempts, which doubles from RetryMin up to RetryMax; 0 means
	// 100 ms and 5 s.
	RetryMin, RetryMax time.Duration
	// Linger bounds the wait of Close for the collector to close its
	// side; 0 means DefaultLinger.
	Linger time.Duration
	// SendBuffer sets the socket's send buffer (SO_SNDBUF) in octets;
	// 0 leaves the system's default. On TCP it also bounds what a break
	// can lose on this side.
	SendBuffer int
	// Greeting returns the messages a new TCP connection must carry
	// before next, the message to be sent on it, once messages were
	// sent on an earlier connection: every template the stream has
	// declared. nil means none.
	Greeting func(next []byte) [][]byte
}

// TCP reports whether the stream goes over TCP.
func (c *Config) TCP() bool { return c.URL.Network == "tcp" }

// MaxMessage is the largest message the stream takes: MessageSize for UDP
// (or its default), 65535 for TCP.
func (c *Config) MaxMessage() int {
	if c.TCP() {
		return 65535
	}
	if c.MessageSize <= 0 {
		return DefaultMessageSize
	}
	return c.MessageSize
}

// Refresh returns the template refresh interval and message count, the
// defaults filled in.
func (c *Config) Refresh() (time.Duration, uint64) {
	every, msgs := c.RefreshInterval, c.RefreshMessages
	if every <= 0 {
		every = DefaultRefreshInterval
	}
	if msgs <= 0 {
		msgs = DefaultRefreshMessages
	}
	return every, uint64(msgs)
}

func (c *Config) withDefaults() Config {
	d := *c
	if d.RetryFor <= 0 {
		d.RetryFor = DefaultRetryFor
	}
	if d.RetryMin <= 0 {
		d.RetryMin = 100 * time.Millisecond
	}
	if d.RetryMax <= 0 {
		d.RetryMax = 5 * time.Second
	}
	d.RetryMax = max(d.RetryMax, d.RetryMin)
	if d.Linger <= 0 {
		d.Linger = DefaultLinger
	}
	return d
}
