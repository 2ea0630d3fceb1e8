package export

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// URL is a collector's address: "udp://host:port" or "tcp://host:port".
type URL struct {
	Network string // "udp" or "tcp"
	Host    string // a DNS name or an IP address, without brackets
	Port    uint16
}

// ErrURL is wrapped by every error of [ParseURL].
var ErrURL = errors.New("a collector is udp://host:port or tcp://host:port")

// ParseURL reads a collector URL. The scheme is udp or tcp; the host is a
// DNS name or an IP address (an IPv6 address in brackets); the port is 1
// to 65535. Nothing else may follow: no user, path, query or fragment.
// Names are not resolved here, only when the sender connects.
func ParseURL(s string) (URL, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Opaque != "" {
		return URL{}, fmt.Errorf("%q: %w", s, ErrURL)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "udp" && scheme != "tcp" {
		return URL{}, fmt.Errorf("%q: scheme %q: %w", s, u.Scheme, ErrURL)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" ||
		u.ForceQuery {
		return URL{}, fmt.Errorf("%q: nothing may follow the port: %w", s, ErrURL)
	}
	host := u.Hostname()
	if host == "" {
		return URL{}, fmt.Errorf("%q: no host: %w", s, ErrURL)
	}
	if strings.Contains(host, ":") && !strings.HasPrefix(u.Host, "[") {
		// "::1:4739" could be [::1]:4739 or the address ::1:4739.
		return URL{}, fmt.Errorf("%q: an IPv6 address goes in brackets, as udp://[::1]:4739: %w",
			s, ErrURL)
	}
	if !validHost(host) {
		return URL{}, fmt.Errorf("%q: host %q is neither an IP address nor a DNS name: %w",
			s, host, ErrURL)
	}
	p := u.Port()
	if p == "" {
		return URL{}, fmt.Errorf("%q: no port: %w", s, ErrURL)
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil || port == 0 {
		return URL{}, fmt.Errorf("%q: port %q is not 1 to 65535: %w", s, p, ErrURL)
	}
	return URL{Network: scheme, Host: host, Port: uint16(port)}, nil
}

// String returns the URL in the form ParseURL reads (an IPv6 zone's "%"
// escaped as "%25").
func (u URL) String() string {
	host := strings.ReplaceAll(u.Host, "%", "%25")
	return u.Network + "://" + net.JoinHostPort(host, strconv.Itoa(int(u.Port)))
}

// Addr returns "host:port", as net.Dial takes it.
func (u URL) Addr() string { return net.JoinHostPort(u.Host, strconv.Itoa(int(u.Port))) }

// validHost accepts IP addresses and DNS names of letters, digits,
// hyphens and underscores in dot-separated labels.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
				c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}
