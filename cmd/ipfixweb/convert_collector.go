package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/export"
)

// collectorFlags are the flags of convert about streaming to a collector.
type collectorFlags struct {
	url         string
	size        int
	rate        float64
	refresh     time.Duration
	refreshMsgs int
	retry       time.Duration
	given       map[string]bool // the flags set on the command line
}

// udpOnlyFlags name the settings that apply only to a UDP collector.
var udpOnlyFlags = []string{"udp-message-size", "udp-rate", "template-refresh",
	"template-refresh-messages"}

func (f *collectorFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "collector", "",
		"also (or, without -o, only) stream the records to udp://host:port or tcp://host:port")
	fs.IntVar(&f.size, "udp-message-size", export.DefaultMessageSize,
		"largest UDP message (one datagram), IPFIX header included")
	fs.Float64Var(&f.rate, "udp-rate", 0, "UDP datagrams per second at most (0: no cap)")
	fs.DurationVar(&f.refresh, "template-refresh", export.DefaultRefreshInterval,
		"send the templates to a UDP collector again after this long")
	fs.IntVar(&f.refreshMsgs, "template-refresh-messages", export.DefaultRefreshMessages,
		"send the templates to a UDP collector again after this many messages")
	fs.DurationVar(&f.retry, "collector-retry", export.DefaultRetryFor,
		"fail when a TCP collector stays unreachable this long")
}

// config checks the flags and returns the stream's configuration; nil
// without --collector.
func (f *collectorFlags) config() (*export.Config, error) {
	if f.url == "" {
		for _, name := range udpOnlyFlags {
			if f.given[name] {
				return nil, fmt.Errorf("--%s needs --collector udp://host:port", name)
			}
		}
		return nil, nil
	}
	u, err := export.ParseURL(f.url)
	if err != nil {
		return nil, fmt.Errorf("--collector: %w", err)
	}
	if u.Network != "udp" {
		for _, name := range udpOnlyFlags {
			if f.given[name] {
				return nil, fmt.Errorf("--%s applies only to a udp:// collector", name)
			}
		}
	}
	switch {
	case f.size < export.MinMessageSize || f.size > export.MaxMessageSize:
		return nil, fmt.Errorf("--udp-message-size must be %d to %d", export.MinMessageSize,
			export.MaxMessageSize)
	case f.rate < 0 || f.refresh <= 0 || f.refreshMsgs < 1 || f.retry <= 0:
		return nil, fmt.Errorf("--udp-rate must not be negative; --template-refresh, " +
			"--template-refresh-messages and --collector-retry must be positive")
	}
	return &export.Config{URL: u, MessageSize: f.size, Rate: f.rate, RefreshInterval: f.refresh,
		RefreshMessages: f.refreshMsgs, RetryFor: f.retry}, nil
}

// reportDelivery prints the collector line of the summary.
func reportDelivery(w io.Writer, p actors.Progress) {
	d := p.Delivery
	if d == nil {
		return
	}
	fmt.Fprintf(w, "collector %s  messages %d  octets %d", d.Collector, d.Messages, d.Octets)
	if d.Connections > 0 {
		fmt.Fprintf(w, "  connections %d  records possibly lost %d", d.Connections, d.PossiblyLost)
	}
	if d.Refused > 0 {
		fmt.Fprintf(w, "  refused %d (nobody listened)", d.Refused)
	}
	if p.Trimmed > 0 {
		fmt.Fprintf(w, "  records without DPI metadata %d (too large for a datagram)", p.Trimmed)
	}
	fmt.Fprintln(w)
}
