package ipfix

import (
	"encoding/binary"
	"slices"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
)

// DPIPEN is the private enterprise number of the elements that carry DPI
// metadata without an IANA element ([DPIElements]). The project has no
// number registered with IANA: until it has, it uses 32473, the number
// RFC 5612 reserves for documentation, which no vendor owns, so these
// elements can never be mistaken for another vendor's.
const DPIPEN = 32473

// Ids of the DPI metadata elements under [DPIPEN].
const (
	IDTLSServerName     = 1
	IDTLSVersion        = 2
	IDTLSClientALPN     = 3
	IDTLSServerALPN     = 4
	IDTLSJA4            = 5
	IDQUICVersion       = 6
	IDQUICUserAgent     = 7
	IDDNSQueryName      = 8
	IDDNSQueryType      = 9
	IDDNSResponseCode   = 10
	IDSSHClientSoftware = 11
	IDSSHServerSoftware = 12
	IDServerBanner      = 13
	IDMailServerDomain  = 14
	IDStartTLS          = 15
	IDNetBIOSName       = 16
	IDNetBIOSSuffix     = 17
	IDDHCPHostName      = 18
	IDDHCPVendorClass   = 19
	IDDHCPMessageType   = 20
)

// DPIElements describes the enterprise elements of DPI metadata, in id
// order. The encoder sends an RFC 5610 type record for each one it uses
// once [Encoder.DescribeEnterpriseElements] was called.
var DPIElements = []Element{
	{IE: dpiIE(IDTLSServerName), Name: "tlsServerName", Type: str,
		Description: "server_name (SNI) of the TLS or QUIC ClientHello"},
	{IE: dpiIE(IDTLSVersion), Name: "tlsVersion", Type: u16, Semantics: sID,
		Description: "TLS version: negotiated when a ServerHello was seen, else the client's highest"},
	{IE: dpiIE(IDTLSClientALPN), Name: "tlsClientALPN", Type: str,
		Description: "ALPN protocol ids the client offered, in its order, separated by commas"},
	{IE: dpiIE(IDTLSServerALPN), Name: "tlsServerALPN", Type: str,
		Description: "ALPN protocol id the server chose"},
	{IE: dpiIE(IDTLSJA4), Name: "tlsJA4", Type: str,
		Description: "JA4 fingerprint of the ClientHello"},
	{IE: dpiIE(IDQUICVersion), Name: "quicVersion", Type: u32, Semantics: sID,
		Description: "QUIC version of the long header"},
	{IE: dpiIE(IDQUICUserAgent), Name: "quicUserAgent", Type: str,
		Description: "user agent (UAID) of a Google QUIC CHLO"},
	{IE: dpiIE(IDDNSQueryName), Name: "dnsQueryName", Type: str,
		Description: "name of the first DNS, LLMNR or mDNS question of the flow"},
	{IE: dpiIE(IDDNSQueryType), Name: "dnsQueryType", Type: u16, Semantics: sID,
		Description: "QTYPE of that question"},
	{IE: dpiIE(IDDNSResponseCode), Name: "dnsResponseCode", Type: u8, Semantics: sID,
		Description: "RCODE of the response; absent when no response was seen"},
	{IE: dpiIE(IDSSHClientSoftware), Name: "sshClientSoftware", Type: str,
		Description: "identification line of the SSH client (RFC 4253 section 4.2)"},
	{IE: dpiIE(IDSSHServerSoftware), Name: "sshServerSoftware", Type: str,
		Description: "identification line of the SSH server (RFC 4253 section 4.2)"},
	{IE: dpiIE(IDServerBanner), Name: "serverBanner", Type: str,
		Description: "first line of an SMTP, POP3, IMAP or FTP server"},
	{IE: dpiIE(IDMailServerDomain), Name: "mailServerDomain", Type: str,
		Description: "domain an SMTP server names in its 220 greeting"},
	{IE: dpiIE(IDStartTLS), Name: "startTLS", Type: bo,
		Description: "the client asked to switch to TLS (STARTTLS, STLS, AUTH TLS)"},
	{IE: dpiIE(IDNetBIOSName), Name: "netbiosName", Type: str,
		Description: "NetBIOS name the flow looked up or its sender announced, in lower case, " +
			"without padding and suffix"},
	{IE: dpiIE(IDNetBIOSSuffix), Name: "netbiosSuffix", Type: u8, Semantics: sID,
		Description: "type byte of that name (0 workstation, 32 file server, 29 master browser)"},
	{IE: dpiIE(IDDHCPHostName), Name: "dhcpHostName", Type: str,
		Description: "host name (option 12) a DHCP client gave, in lower case"},
	{IE: dpiIE(IDDHCPVendorClass), Name: "dhcpVendorClass", Type: str,
		Description: "vendor class identifier (option 60) of a DHCP client"},
	{IE: dpiIE(IDDHCPMessageType), Name: "dhcpMessageType", Type: u8, Semantics: sID,
		Description: "DHCP message type (option 53) of the flow's first message, 0 for BOOTP"},
}

func dpiIE(id uint16) IE { return IE{Enterprise: DPIPEN, ID: id} }

// dpiElement returns the description of one of our DPI elements.
func dpiElement(ie IE) (Element, bool) {
	if ie.Enterprise != DPIPEN || ie.ID == 0 || int(ie.ID) > len(DPIElements) {
		return Element{}, false
	}
	return DPIElements[ie.ID-1], true
}

// group is the kind of metadata a DPI record carries: each has its own
// fields after applicationId and applicationName, so a record carries
// only its protocol's elements and an element is there only when the
// dissector could have read it.
type group uint8

const (
	groupNone      group = iota // applicationId and applicationName only
	groupHTTP                   // IANA 459, 460, 461, 462, 468, 457
	groupTLS                    // server name, version, ALPN, JA4
	groupQUIC                   // the TLS fields, QUIC version and user agent
	groupDNS                    // query name and type
	groupDNSAnswer              // query name and type, response code
	groupSSH                    // both sides' software versions
	groupMail                   // banner, domain, STARTTLS
	groupNetBIOS                // NetBIOS name and its suffix
	groupDHCP                   // client host name, vendor class, message type
	numGroups
)

// metaGroup returns the group of m: the first of HTTP, QUIC, TLS, DNS,
// SSH, mail, NetBIOS and DHCP that holds a value (a dissector fills in
// one). A group m does not have holds none. TLS is compared field by
// field for its ALPN slice; the other groups are plain values.
func metaGroup(m *dpi.Meta) group {
	switch {
	case m == nil:
		return groupNone
	case m.HTTP != nil && *m.HTTP != dpi.HTTPMeta{}:
		return groupHTTP
	case m.QUIC != nil && *m.QUIC != dpi.QUICMeta{}:
		return groupQUIC
	case m.TLS != nil && (m.TLS.ServerName != "" || m.TLS.Version != 0 ||
		len(m.TLS.ALPN) > 0 || m.TLS.ServerALPN != "" || m.TLS.JA4 != ""):
		return groupTLS
	case m.DNS != nil && m.DNS.Response:
		return groupDNSAnswer
	case m.DNS != nil && *m.DNS != dpi.DNSMeta{}:
		return groupDNS
	case m.SSH != nil && *m.SSH != dpi.SSHMeta{}:
		return groupSSH
	case m.Mail != nil && *m.Mail != dpi.MailMeta{}:
		return groupMail
	case m.NetBIOS != nil && *m.NetBIOS != dpi.NetBIOSMeta{}:
		return groupNetBIOS
	case m.DHCP != nil && *m.DHCP != dpi.DHCPMeta{}:
		return groupDHCP
	}
	return groupNone
}

// noTLS stands for the TLS group of a QUIC flow whose metadata has none
// (a gQUIC flow seen without its CHLO); it is never written.
var noTLS dpi.TLSMeta

// tlsOf returns the TLS group of m, which may lack it.
func tlsOf(m *dpi.Meta) *dpi.TLSMeta {
	if m.TLS == nil {
		return &noTLS
	}
	return m.TLS
}

// IANA HTTP elements (RFC 9110 fields, registered for IPFIX).
var (
	ieHTTPStatus    = IE{ID: 457}
	ieHTTPMethod    = IE{ID: 459}
	ieHTTPHost      = IE{ID: 460}
	ieHTTPTarget    = IE{ID: 461}
	ieHTTPVersion   = IE{ID: 462}
	ieHTTPUserAgent = IE{ID: 468}
)

var tlsFields = []FieldSpec{{dpiIE(IDTLSServerName), VariableLength},
	{dpiIE(IDTLSVersion), 2}, {dpiIE(IDTLSClientALPN), VariableLength},
	{dpiIE(IDTLSServerALPN), VariableLength}, {dpiIE(IDTLSJA4), VariableLength}}

// groupFields lists the metadata fields of each group, in the order
// [putMeta] writes them.
var groupFields = [numGroups][]FieldSpec{
	groupHTTP: {{ieHTTPMethod, VariableLength}, {ieHTTPHost, VariableLength},
		{ieHTTPTarget, VariableLength}, {ieHTTPVersion, VariableLength},
		{ieHTTPUserAgent, VariableLength}, {ieHTTPStatus, 2}},
	groupTLS: tlsFields,
	groupQUIC: slices.Concat(tlsFields, []FieldSpec{{dpiIE(IDQUICVersion), 4},
		{dpiIE(IDQUICUserAgent), VariableLength}}),
	groupDNS: {{dpiIE(IDDNSQueryName), VariableLength}, {dpiIE(IDDNSQueryType), 2}},
	groupDNSAnswer: {{dpiIE(IDDNSQueryName), VariableLength}, {dpiIE(IDDNSQueryType), 2},
		{dpiIE(IDDNSResponseCode), 1}},
	groupSSH: {{dpiIE(IDSSHClientSoftware), VariableLength},
		{dpiIE(IDSSHServerSoftware), VariableLength}},
	groupMail: {{dpiIE(IDServerBanner), VariableLength},
		{dpiIE(IDMailServerDomain), VariableLength}, {dpiIE(IDStartTLS), 1}},
	groupNetBIOS: {{dpiIE(IDNetBIOSName), VariableLength}, {dpiIE(IDNetBIOSSuffix), 1}},
	groupDHCP: {{dpiIE(IDDHCPHostName), VariableLength},
		{dpiIE(IDDHCPVendorClass), VariableLength}, {dpiIE(IDDHCPMessageType), 1}},
}

// metaExtra returns the octets the variable-length fields of m's group
// take beyond the one length octet each that the template's minimum
// length counts.
func metaExtra(g group, m *dpi.Meta) int {
	n := 0
	add := func(l int) { n += varLenSize(l) - 1 }
	switch g {
	case groupHTTP:
		h := m.HTTP
		for _, s := range [...]string{h.Method, h.Host, h.Target, h.Version, h.UserAgent} {
			add(len(s))
		}
	case groupTLS, groupQUIC:
		t := tlsOf(m)
		add(len(t.ServerName))
		add(alpnLen(t.ALPN))
		add(len(t.ServerALPN))
		add(len(t.JA4))
		if g == groupQUIC {
			add(len(m.QUIC.UserAgent))
		}
	case groupDNS, groupDNSAnswer:
		add(len(m.DNS.Name))
	case groupSSH:
		add(len(m.SSH.Client))
		add(len(m.SSH.Server))
	case groupMail:
		add(len(m.Mail.Banner))
		add(len(m.Mail.Domain))
	case groupNetBIOS:
		add(len(m.NetBIOS.Name))
	case groupDHCP:
		add(len(m.DHCP.HostName))
		add(len(m.DHCP.VendorClass))
	}
	return n
}

// alpnLen is the length of the ALPN list written as one string, the
// protocol ids separated by commas.
func alpnLen(ids []string) int {
	n := max(len(ids)-1, 0)
	for _, id := range ids {
		n += len(id)
	}
	return n
}

// putMeta appends the metadata fields of group g.
func putMeta(b []byte, g group, m *dpi.Meta) []byte {
	switch g {
	case groupHTTP:
		h := m.HTTP
		for _, s := range [...]string{h.Method, h.Host, h.Target, h.Version, h.UserAgent} {
			b = appendVarLen(b, s)
		}
		// 0: no response was seen (no status code is 0).
		return binary.BigEndian.AppendUint16(b, h.Status)
	case groupTLS, groupQUIC:
		t := tlsOf(m)
		b = appendVarLen(b, t.ServerName)
		b = binary.BigEndian.AppendUint16(b, t.Version)
		b = appendALPN(b, t.ALPN)
		b = appendVarLen(appendVarLen(b, t.ServerALPN), t.JA4)
		if g == groupQUIC {
			b = binary.BigEndian.AppendUint32(b, m.QUIC.Version)
			b = appendVarLen(b, m.QUIC.UserAgent)
		}
		return b
	case groupDNS, groupDNSAnswer:
		b = appendVarLen(b, m.DNS.Name)
		b = binary.BigEndian.AppendUint16(b, m.DNS.Type)
		if g == groupDNSAnswer {
			b = append(b, m.DNS.RCode)
		}
		return b
	case groupSSH:
		return appendVarLen(appendVarLen(b, m.SSH.Client), m.SSH.Server)
	case groupMail:
		b = appendVarLen(appendVarLen(b, m.Mail.Banner), m.Mail.Domain)
		return append(b, boolOctet(m.Mail.StartTLS))
	case groupNetBIOS:
		return append(appendVarLen(b, m.NetBIOS.Name), m.NetBIOS.Suffix)
	case groupDHCP:
		b = appendVarLen(appendVarLen(b, m.DHCP.HostName), m.DHCP.VendorClass)
		return append(b, m.DHCP.MessageType)
	}
	return b
}

// appendALPN appends the ALPN ids as one variable-length string.
func appendALPN(b []byte, ids []string) []byte {
	n := alpnLen(ids)
	if n < 255 {
		b = append(b, byte(n))
	} else {
		b = append(b, 255, byte(n>>8), byte(n))
	}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, id...)
	}
	return b
}

// boolOctet encodes a boolean as RFC 7011 §6.1.5 does: 1 true, 2 false.
func boolOctet(v bool) byte {
	if v {
		return 1
	}
	return 2
}
