package flow

import "time"

// Defaults used for zero (or negative) fields of [Config].
const (
	DefaultIdleTimeout     = 300 * time.Second
	DefaultActiveTimeout   = 1800 * time.Second
	DefaultMaxFlows        = 1 << 20
	DefaultCloseLinger     = 2 * time.Second // capped at the idle timeout
	DefaultFragmentTimeout = 30 * time.Second
	DefaultMaxFragments    = 1 << 16

	maxMaxFlows     = 1 << 30 // entries are indexed by uint32
	maxMaxFragments = 1 << 24
)

// Config sets up a [Table]. Its zero value means the defaults above, every
// protocol, and uniflow records.
type Config struct {
	// IdleTimeout ends a flow whose last packet is more than this before
	// the capture clock. 0 means 300 s.
	IdleTimeout time.Duration
	// ActiveTimeout ends a record that has run this long; the flow goes on
	// in a new record. 0 means 1800 s.
	ActiveTimeout time.Duration
	// Biflow asks for RFC 5103 records (initiator forward); otherwise each
	// direction that saw packets is its own record.
	Biflow bool
	// MaxFlows caps the connections held at once. Past it the least
	// recently used one is exported with EndResource (EndOfFlow if it had
	// closed). 0 means 1<<20; at most 1<<30. Memory is taken as flows
	// come, about 210 bytes per connection.
	MaxFlows int
	// Protocols selects the IP protocols metered; the zero set means all.
	Protocols ProtocolSet

	// CloseLinger is how long a closed TCP connection (RST, or FIN both
	// ways) stays in the table on the capture clock, so that the final ACK
	// still counts. 0 means min(IdleTimeout, 2 s).
	CloseLinger time.Duration
	// FragmentTimeout is how long the table remembers a fragmented
	// datagram, counted from its first fragment to arrive. Fragments whose
	// first fragment never came are exported port-less at its end.
	// 0 means 30 s.
	FragmentTimeout time.Duration
	// MaxFragments caps the datagrams tracked at once (rounded up to a
	// power of two). Past it the oldest is forgotten; if its first fragment
	// never came, its fragments are exported port-less with EndResource.
	// 0 means 1<<16; at most 1<<24.
	MaxFragments int
}

// settings are the resolved values of a Config, times in nanoseconds.
type settings struct {
	idle, active, linger, fragTimeout int64
	maxFlows, maxFrags                int
	biflow                            bool
	protos                            [4]uint64
}

func (c *Config) resolve() settings {
	s := settings{
		idle:        orDefault(c.IdleTimeout, DefaultIdleTimeout),
		active:      orDefault(c.ActiveTimeout, DefaultActiveTimeout),
		fragTimeout: orDefault(c.FragmentTimeout, DefaultFragmentTimeout),
		maxFlows:    c.MaxFlows,
		maxFrags:    c.MaxFragments,
		biflow:      c.Biflow,
		protos:      c.Protocols.bits,
	}
	s.linger = min(orDefault(c.CloseLinger, DefaultCloseLinger), s.idle)
	if c.CloseLinger > 0 {
		s.linger = int64(c.CloseLinger)
	}
	if s.maxFlows <= 0 {
		s.maxFlows = DefaultMaxFlows
	}
	s.maxFlows = min(s.maxFlows, maxMaxFlows)
	if s.maxFrags <= 0 {
		s.maxFrags = DefaultMaxFragments
	}
	s.maxFrags = min(s.maxFrags, maxMaxFragments)
	if c.Protocols.empty() {
		s.protos = allProtocols
	}
	return s
}

func orDefault(d, def time.Duration) int64 {
	if d <= 0 {
		return int64(def)
	}
	return int64(d)
}
