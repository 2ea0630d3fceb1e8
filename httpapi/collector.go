package httpapi

import (
	"time"

	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Limits of the collector fields.
const (
	maxUDPRate         = 1e6
	minRefresh         = time.Second
	maxRefresh         = 24 * time.Hour
	maxRefreshMessages = 1000000
)

// parseCollector checks the collector fields of an export request into r.
// The UDP settings need a udp:// collector.
func parseCollector(f *exportBody, r *task.Request) error {
	if f.Collector == nil {
		if names := udpOnly(f); len(names) > 0 {
			return bad(names[0], "needs a collector (\"collector\": \"udp://host:port\")")
		}
		return nil
	}
	u, err := export.ParseURL(*f.Collector)
	if err != nil {
		return bad("collector", "%v", err)
	}
	r.Collector = u.String()
	if u.Network != "udp" {
		if names := udpOnly(f); len(names) > 0 {
			return bad(names[0], "applies only to a udp:// collector")
		}
		return nil
	}
	return parseUDP(f, r)
}

// udpOnly lists the UDP settings the request gives.
func udpOnly(f *exportBody) []string {
	var out []string
	if f.UDPMessageSize != nil {
		out = append(out, "udp_message_size")
	}
	if f.UDPRate != nil {
		out = append(out, "udp_rate")
	}
	if f.TemplateRefresh != nil {
		out = append(out, "template_refresh")
	}
	if f.TemplateRefreshMessages != nil {
		out = append(out, "template_refresh_messages")
	}
	return out
}

func parseUDP(f *exportBody, r *task.Request) error {
	if v := f.UDPMessageSize; v != nil {
		if *v < export.MinMessageSize || *v > export.MaxMessageSize {
			return bad("udp_message_size", "must be %d to %d octets", export.MinMessageSize,
				export.MaxMessageSize)
		}
		r.UDPMessageSize = *v
	}
	if v := f.UDPRate; v != nil {
		if !(*v > 0 && *v <= maxUDPRate) {
			return bad("udp_rate", "must be more than 0 and at most %g datagrams per second",
				maxUDPRate)
		}
		r.UDPRate = *v
	}
	if f.TemplateRefresh != nil {
		d, err := timeout("template_refresh", f.TemplateRefresh, export.DefaultRefreshInterval)
		if err != nil {
			return err
		}
		if d < minRefresh || d > maxRefresh {
			return bad("template_refresh", "must be %s to %s", minRefresh, maxRefresh)
		}
		r.TemplateRefresh = d.Seconds()
	}
	if v := f.TemplateRefreshMessages; v != nil {
		if *v < 1 || *v > maxRefreshMessages {
			return bad("template_refresh_messages", "must be 1 to %d messages", maxRefreshMessages)
		}
		r.TemplateRefreshMessages = *v
	}
	return nil
}
