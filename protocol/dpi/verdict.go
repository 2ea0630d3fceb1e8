package dpi

import (
	"unicode/utf8"
)

// Limits on the strings kept in a [Meta]. Longer values are cut at these
// lengths (in bytes, at a character boundary), so a flow record stays
// small whatever a packet claims. MaxName is above the 255-byte mark at
// which IPFIX switches to its 3-byte length form, so both forms occur.
const (
	MaxName    = 512 // HTTP Host, TLS/QUIC server name, DNS query name
	MaxTarget  = 512 // HTTP request target
	MaxAgent   = 256 // HTTP User-Agent, gQUIC UAID
	MaxBanner  = 256 // SSH version lines, mail and FTP greetings
	MaxToken   = 32  // HTTP method and version, JA4
	MaxALPN    = 8   // ALPN protocol ids kept
	MaxALPNLen = 64  // bytes of one ALPN protocol id
)

// Verdict is what a [Session] concluded about a flow. The zero value is
// "Unknown" with no metadata.
//
// A Verdict is a small value: copy it freely. Meta is nil when nothing
// was read beyond the protocol; once handed out by [Session.Verdict] it
// is never written again, so it may be shared with other goroutines.
type Verdict struct {
	// Proto is the application protocol, ProtoUnknown when nothing matched.
	Proto Proto
	// Guess is true when Proto comes from the transport port alone and no
	// dissector matched. A guess is not a DPI verdict; exporters that want
	// only DPI results report ProtoUnknown instead.
	Guess bool
	// App is the application nDPI 4.2 names after the protocol, when
	// the dissector tells it: SMBv1 in a NetBIOS datagram, GTP_U or GTP_C
	// in GTP. nDPI prints such a flow as "NetBIOS.SMBv1". ProtoUnknown
	// when there is none; never set for a guess.
	App Proto
	// Meta holds what the dissector read from the flow, or nil.
	Meta *Meta
}

// Name returns nDPI's name of the protocol, "Unknown" when there is none.
func (v Verdict) Name() string { return v.Proto.String() }

// FullName returns the name as nDPI prints a flow's label: the protocol's
// name, then a dot and the application's when there is one
// ("NetBIOS.SMBv1", "GTP.GTP_U").
func (v Verdict) FullName() string {
	if v.App == ProtoUnknown || v.App == v.Proto {
		return v.Name()
	}
	return v.Name() + "." + v.App.String()
}

// FullID returns a number for [Verdict.FullName]: the protocol's nDPI id
// when there is no application, else the protocol's id in the high 16
// bits and the application's in the low 16 (nDPI writes the pair as
// "10.16" for NetBIOS.SMBv1, which is 0x000a0010 here). nDPI's ids fit in
// 16 bits, so the two forms never meet and each full name has one number.
func (v Verdict) FullID() uint32 {
	if v.App == ProtoUnknown || v.App == v.Proto {
		return uint32(v.Proto)
	}
	return uint32(v.Proto)<<16 | uint32(v.App)
}

// DPI returns the protocol if a dissector found it, ProtoUnknown for a
// guess or no match.
func (v Verdict) DPI() Proto {
	if v.Guess {
		return ProtoUnknown
	}
	return v.Proto
}

// ServerName returns the name the flow was addressed to: the HTTP Host,
// the TLS or QUIC server name, the DNS query name or the SMTP server's
// domain, whichever the dissector found; "" if none.
func (v Verdict) ServerName() string {
	m := v.Meta
	switch {
	case m == nil:
		return ""
	case m.HTTP != nil && m.HTTP.Host != "":
		return m.HTTP.Host
	case m.TLS != nil && m.TLS.ServerName != "":
		return m.TLS.ServerName
	case m.DNS != nil && m.DNS.Name != "":
		return m.DNS.Name
	case m.Mail != nil:
		return m.Mail.Domain
	}
	return ""
}

// Host returns the name nDPI 4.2 shows as a flow's host: the server name
// ([Verdict.ServerName]) when there is one, else the NetBIOS name the flow
// looked up or announced, else the host name a DHCP client gave; "" if
// none.
func (v Verdict) Host() string {
	if n := v.ServerName(); n != "" || v.Meta == nil {
		return n
	}
	if g := v.Meta.NetBIOS; g != nil && g.Name != "" {
		return g.Name
	}
	if g := v.Meta.DHCP; g != nil {
		return g.HostName
	}
	return ""
}

// Meta is the metadata of a flow. Only the groups of the flow's protocol
// are there (TLS and QUIC both use TLS, for the ClientHello); the others
// are nil, so a flow's metadata costs what its protocol reads. A nil group
// reads as its zero value. Every string is a copy bounded by the Max*
// limits and holds valid UTF-8, with control characters and bytes that
// are not UTF-8 replaced by '?'.
type Meta struct {
	HTTP *HTTPMeta
	TLS  *TLSMeta
	QUIC *QUICMeta
	DNS  *DNSMeta
	SSH  *SSHMeta
	Mail *MailMeta
	// NetBIOS and DHCP hold names that machines on a LAN call themselves.
	NetBIOS *NetBIOSMeta
	DHCP    *DHCPMeta
}

// HTTPMeta is read from the first HTTP/1.x request and response of a flow.
type HTTPMeta struct {
	Method    string // "GET", "POST", ...
	Host      string // the Host header (or absolute target's authority), without port
	Target    string // the request target as sent
	Version   string // "HTTP/1.1" as the request line gives it
	UserAgent string
	Status    uint16 // the response status code, 0 if no response was seen
}

// TLSMeta is read from a TLS ClientHello and ServerHello, over TCP or
// inside QUIC Initial packets.
type TLSMeta struct {
	ServerName string // server_name (SNI)
	// Version is the negotiated version (0x0304 for TLS 1.3, taking
	// supported_versions into account) when a ServerHello was seen, else
	// the highest version the client offered.
	Version    uint16
	ALPN       []string // protocols the client offered, in its order
	ServerALPN string   // the protocol the server chose
	JA4        string   // JA4 fingerprint of the ClientHello
}

// QUICMeta describes a QUIC flow.
type QUICMeta struct {
	Version   uint32 // the long-header version, such as 1, 0x6b3343cf or "Q025"
	UserAgent string // gQUIC CHLO UAID tag
}

// DNSMeta is read from the first DNS (or LLMNR, mDNS) message of a flow
// and from the response to it.
type DNSMeta struct {
	Name     string // the first question's name; an answer's if no question
	Type     uint16 // its QTYPE (1 A, 28 AAAA, ...)
	RCode    uint8  // the response code; meaningful when Response is set
	Response bool   // a response was seen
}

// SSHMeta holds the identification lines of both sides (RFC 4253 §4.2).
type SSHMeta struct {
	Client string // "SSH-2.0-OpenSSH_9.6", without the line end
	Server string
}

// MailMeta describes SMTP, POP3, IMAP and FTP control connections.
type MailMeta struct {
	Banner   string // the server's first line, without the line end
	Domain   string // SMTP: the domain the 220 greeting names
	StartTLS bool   // the client asked to switch to TLS (STARTTLS, STLS, AUTH TLS)
}

// NetBIOSMeta is read from the first NetBIOS message of a flow that names
// a machine.
type NetBIOSMeta struct {
	// Name is the name asked for (name service) or the sender's name
	// (datagram service), without its padding and type suffix, in lower
	// case: "wpad", "workgroup".
	Name string
	// Suffix is the name's type byte (0x00 workstation, 0x20 file
	// server, 0x1d master browser, ...).
	Suffix uint8
}

// DHCPMeta is read from the DHCP (BOOTP) messages of a flow.
type DHCPMeta struct {
	// HostName is the first host name (option 12) a client gave, in
	// lower case.
	HostName string
	// VendorClass is the first vendor class identifier (option 60), such
	// as "MSFT 5.0" or "android-dhcp-13".
	VendorClass string
	// MessageType is the DHCP message type of the first message (1
	// DISCOVER, 2 OFFER, 3 REQUEST, 5 ACK, 8 INFORM, ...), 0 for BOOTP.
	MessageType uint8
}

// clone returns a copy of m that shares nothing with it.
func (m *Meta) clone() *Meta {
	c := &Meta{HTTP: cloneGroup(m.HTTP), QUIC: cloneGroup(m.QUIC), DNS: cloneGroup(m.DNS),
		SSH: cloneGroup(m.SSH), Mail: cloneGroup(m.Mail), NetBIOS: cloneGroup(m.NetBIOS),
		DHCP: cloneGroup(m.DHCP), TLS: cloneGroup(m.TLS)}
	if c.TLS != nil && c.TLS.ALPN != nil {
		c.TLS.ALPN = append([]string(nil), c.TLS.ALPN...)
	}
	return c
}

func cloneGroup[T any](g *T) *T {
	if g == nil {
		return nil
	}
	c := *g
	return &c
}

// The groups of a Meta for a dissector to write, made on first use.

func (m *Meta) http() *HTTPMeta       { return group(&m.HTTP) }
func (m *Meta) tls() *TLSMeta         { return group(&m.TLS) }
func (m *Meta) quic() *QUICMeta       { return group(&m.QUIC) }
func (m *Meta) dns() *DNSMeta         { return group(&m.DNS) }
func (m *Meta) ssh() *SSHMeta         { return group(&m.SSH) }
func (m *Meta) mail() *MailMeta       { return group(&m.Mail) }
func (m *Meta) netbios() *NetBIOSMeta { return group(&m.NetBIOS) }
func (m *Meta) dhcp() *DHCPMeta       { return group(&m.DHCP) }

func group[T any](g **T) *T {
	if *g == nil {
		*g = new(T)
	}
	return *g
}

// Name returns a host name for keeping: [Text] with limit MaxName, ASCII
// letters in lower case (names are case-insensitive, RFC 4343, and nDPI
// reports them in lower case).
func Name(b []byte) string {
	upper := false
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			upper = true
			break
		}
	}
	if !upper {
		return Text(b, MaxName)
	}
	lower := make([]byte, min(len(b), MaxName+utf8.UTFMax))
	for i := range lower {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	return Text(lower, MaxName)
}

// Text returns b as a string of at most limit bytes: a copy, cut at a
// character boundary, in which control characters and bytes that are not
// UTF-8 become '?'. Dissectors use it for every string they keep.
func Text(b []byte, limit int) string {
	if len(b) > limit {
		b = b[:limit]
		// Drop a character the cut left incomplete.
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	clean := true
	for _, c := range b {
		if c < 0x20 || c >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1, r < 0x20, r >= 0x7f && r < 0xa0: // C0, DEL, C1
			out = append(out, '?')
		default:
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return string(out)
}
