package ipfix

import (
	"fmt"
	"slices"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// allShapes lists every shape a record can have: the metadata group bits
// come only with shapeDPI.
func allShapes() []shape {
	var out []shape
	for s := range shape(1 << groupShift) {
		if s&shapeDPI == 0 {
			out = append(out, s)
			continue
		}
		for g := range numGroups {
			out = append(out, s|shape(g)<<groupShift)
		}
	}
	return out
}

// groupMeta returns metadata that falls in group g, every field of the
// group set.
func groupMeta(g group) *dpi.Meta {
	m := &dpi.Meta{}
	switch g {
	case groupNone:
		return nil
	case groupHTTP:
		m.HTTP = &dpi.HTTPMeta{Method: "GET", Host: "www.example.com", Target: "/index.html",
			Version: "HTTP/1.1", UserAgent: "curl/8.5.0", Status: 200}
	case groupTLS, groupQUIC:
		m.TLS = &dpi.TLSMeta{ServerName: "www.example.org", Version: 0x0304,
			ALPN: []string{"h2", "http/1.1"}, ServerALPN: "h2",
			JA4: "t13d1516h2_8daaf6152771_02713d6af862"}
		if g == groupQUIC {
			m.QUIC = &dpi.QUICMeta{Version: 1, UserAgent: "Chrome/120"}
		}
	case groupDNS, groupDNSAnswer:
		m.DNS = &dpi.DNSMeta{Name: "ns.example.com", Type: 28, RCode: 3,
			Response: g == groupDNSAnswer}
	case groupSSH:
		m.SSH = &dpi.SSHMeta{Client: "SSH-2.0-OpenSSH_9.6", Server: "SSH-2.0-dropbear"}
	case groupMail:
		m.Mail = &dpi.MailMeta{Banner: "220 mail.example.com ESMTP", Domain: "mail.example.com",
			StartTLS: true}
	case groupNetBIOS:
		m.NetBIOS = &dpi.NetBIOSMeta{Name: "workgroup", Suffix: 0x1d}
	case groupDHCP:
		m.DHCP = &dpi.DHCPMeta{HostName: "laptop-7", VendorClass: "MSFT 5.0", MessageType: 3}
	}
	return m
}

// groupValues is what a decoder gives for the fields of groupMeta(g).
func groupValues(g group) []kv {
	tls := []kv{{"tlsServerName", "www.example.org"}, {"tlsVersion", uint64(0x0304)},
		{"tlsClientALPN", "h2,http/1.1"}, {"tlsServerALPN", "h2"},
		{"tlsJA4", "t13d1516h2_8daaf6152771_02713d6af862"}}
	switch g {
	case groupHTTP:
		return []kv{{"httpRequestMethod", "GET"}, {"httpRequestHost", "www.example.com"},
			{"httpRequestTarget", "/index.html"}, {"httpMessageVersion", "HTTP/1.1"},
			{"httpUserAgent", "curl/8.5.0"}, {"httpStatusCode", uint64(200)}}
	case groupTLS:
		return tls
	case groupQUIC:
		return append(tls, kv{"quicVersion", uint64(1)}, kv{"quicUserAgent", "Chrome/120"})
	case groupDNS:
		return []kv{{"dnsQueryName", "ns.example.com"}, {"dnsQueryType", uint64(28)}}
	case groupDNSAnswer:
		return []kv{{"dnsQueryName", "ns.example.com"}, {"dnsQueryType", uint64(28)},
			{"dnsResponseCode", uint64(3)}}
	case groupSSH:
		return []kv{{"sshClientSoftware", "SSH-2.0-OpenSSH_9.6"},
			{"sshServerSoftware", "SSH-2.0-dropbear"}}
	case groupMail:
		return []kv{{"serverBanner", "220 mail.example.com ESMTP"},
			{"mailServerDomain", "mail.example.com"}, {"startTLS", true}}
	case groupNetBIOS:
		return []kv{{"netbiosName", "workgroup"}, {"netbiosSuffix", uint64(0x1d)}}
	case groupDHCP:
		return []kv{{"dhcpHostName", "laptop-7"}, {"dhcpVendorClass", "MSFT 5.0"},
			{"dhcpMessageType", uint64(3)}}
	}
	return nil
}

// checkGroup checks the decoded values of a record of group g, named
// from the RFC 5610 records when the stream has them and otherwise as
// unknown enterprise elements.
func checkGroup(tb testing.TB, g group, v map[string]any) {
	tb.Helper()
	for _, w := range groupValues(g) {
		got, ok := v[w.name]
		if !ok {
			el := slices.IndexFunc(DPIElements, func(e Element) bool { return e.Name == w.name })
			if el < 0 {
				tb.Errorf("no field %s", w.name)
				continue
			}
			got, ok = v[unknownName(DPIElements[el].IE)]
			if !ok {
				tb.Errorf("no field %s", w.name)
				continue
			}
			if fmt.Sprint(got) == "" {
				tb.Errorf("%s: empty", w.name)
			}
			continue // undescribed: raw octets
		}
		if fmt.Sprint(got) != fmt.Sprint(w.value) {
			tb.Errorf("%s = %v, want %v", w.name, got, w.value)
		}
	}
}

// The group of a record is the first kind of metadata it holds.
func TestMetaGroup(t *testing.T) {
	tests := []struct {
		name string
		meta *dpi.Meta
		want group
	}{
		{name: "none", meta: nil, want: groupNone},
		{name: "empty", meta: &dpi.Meta{}, want: groupNone},
		{name: "HTTP status only", meta: &dpi.Meta{HTTP: &dpi.HTTPMeta{Status: 404}}, want: groupHTTP},
		{name: "TLS ALPN only", meta: &dpi.Meta{TLS: &dpi.TLSMeta{ALPN: []string{"h2"}}},
			want: groupTLS},
		{name: "QUIC", meta: groupMeta(groupQUIC), want: groupQUIC},
		{name: "gQUIC version only", meta: &dpi.Meta{QUIC: &dpi.QUICMeta{Version: 0x51303433}},
			want: groupQUIC},
		{name: "DNS query", meta: &dpi.Meta{DNS: &dpi.DNSMeta{Name: "a.example"}}, want: groupDNS},
		{name: "DNS answer, NOERROR", meta: &dpi.Meta{DNS: &dpi.DNSMeta{Response: true}},
			want: groupDNSAnswer},
		{name: "SSH server only", meta: &dpi.Meta{SSH: &dpi.SSHMeta{Server: "SSH-2.0-x"}},
			want: groupSSH},
		{name: "STARTTLS only", meta: &dpi.Meta{Mail: &dpi.MailMeta{StartTLS: true}}, want: groupMail},
		{name: "NetBIOS workstation name", meta: &dpi.Meta{NetBIOS: &dpi.NetBIOSMeta{Name: "pc-1"}},
			want: groupNetBIOS},
		{name: "DHCP message type only", meta: &dpi.Meta{DHCP: &dpi.DHCPMeta{MessageType: 1}},
			want: groupDHCP},
		{name: "DHCP host name", meta: &dpi.Meta{DHCP: &dpi.DHCPMeta{HostName: "laptop-7"}},
			want: groupDHCP},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := metaGroup(tc.meta); got != tc.want {
				t.Errorf("group %d, want %d", got, tc.want)
			}
		})
	}
}

// Every group round-trips, with its elements named by the RFC 5610
// records the encoder sends, and each element described once.
func TestDPIRoundTrip(t *testing.T) {
	var recs []flow.Record
	for g := range numGroups {
		r := withApp(baseRecord(), fmt.Sprintf("app%d", g), uint32(g))
		r.App.Meta = groupMeta(g)
		recs = append(recs, r, v6(r))
	}
	out := encode(t, testConfig(1, 0), func(e *Encoder) error {
		if err := e.DescribeEnterpriseElements(); err != nil {
			return err
		}
		return addAll(recs...)(e)
	})
	msgs := decodeStrict(t, out.stream)
	flows := DataRecords(msgs)
	described := map[string]int{}
	for _, r := range optionsRecords(msgs) {
		if n, ok := values(r)["informationElementName"].(string); ok {
			described[n]++
		}
	}
	if len(flows) != len(recs) {
		t.Fatalf("%d flow records, want %d", len(flows), len(recs))
	}
	for i, r := range flows {
		g := group(i / 2)
		if n := len(flowFields(0)) + 2 + len(groupValues(g)); len(r.Fields) != n {
			t.Errorf("record %d: %d fields %v, want %d", i, len(r.Fields), names(r), n)
		}
		checkGroup(t, g, values(r))
	}
	for _, el := range DPIElements {
		if described[el.Name] != 1 {
			t.Errorf("%s described %d times, want once", el.Name, described[el.Name])
		}
	}
}

// With NameApps, the first record of each applicationId comes after the
// RFC 6759 record that names it, and each id is named once.
func TestNameApps(t *testing.T) {
	apps := []flow.App{{Name: "HTTP", ID: 7}, {Name: "DNS", ID: 5}, {Name: "HTTP", ID: 7},
		{Name: "Unknown", ID: 0}, {Name: "DNS", ID: 5}}
	cfg := testConfig(1, 300)
	cfg.NameApps = true
	out := encode(t, cfg, func(e *Encoder) error {
		for _, a := range apps {
			r := baseRecord()
			r.App = &a
			if err := e.Add(&r); err != nil {
				return err
			}
		}
		return nil
	})
	named := map[string]string{}
	msgs := decodeStrict(t, out.stream)
	var all []*Record
	for _, m := range msgs {
		for i := range m.Sets {
			for j := range m.Sets[i].Records {
				all = append(all, &m.Sets[i].Records[j])
			}
		}
	}
	for _, r := range all {
		v := values(r)
		id := fmt.Sprint(v["applicationId"])
		if r.Options() {
			if _, dup := named[id]; dup {
				t.Errorf("applicationId %s named twice", id)
			}
			named[id] = v["applicationName"].(string)
			continue
		}
		if named[id] != v["applicationName"] {
			t.Errorf("record of %s (%v) before its name record (%q)", id, v["applicationName"],
				named[id])
		}
	}
	if len(named) != 3 {
		t.Errorf("names %v, want 3", named)
	}
}
