package main

import (
	"bytes"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// The DPI values the bug cases' expected files give, through convert
// --dpi: on both records of each connection (named by the initiator's
// port), with every tool reading the file without a warning.
func TestBugCasesDPI(t *testing.T) {
	dir := shared(t, "bugcases")
	host254 := strings.Repeat("h", 63) + "." + strings.Repeat("h", 63) + "." +
		strings.Repeat("h", 63) + "." + strings.Repeat("h", 50) + ".example.com"
	type want struct {
		port   uint16 // the initiator's port
		app    string
		fields map[string]any
	}
	http := func(port uint16, host string) want {
		return want{port: port, app: "HTTP", fields: map[string]any{"httpRequestHost": host,
			"httpRequestMethod": "GET"}}
	}
	dns := func(port uint16, name string, qtype uint64) want {
		return want{port: port, app: "DNS", fields: map[string]any{"dnsQueryName": name,
			"dnsQueryType": qtype}}
	}
	tls := func(port uint16, sni string) want {
		return want{port: port, app: "TLS", fields: map[string]any{"tlsServerName": sni,
			"tlsClientALPN": "h2,http/1.1"}}
	}
	ntp := want{port: 40032, app: "NTP"}
	tests := []struct {
		name  string
		input string
		flows []want
	}{
		{name: "B01", input: "B01-sll2-linktype276.pcap",
			flows: []want{http(40001, "www.example.com"), dns(40002, "www.example.org", 28)}},
		{name: "B02", input: "B02-pcapng-mixed-linktypes.pcapng",
			flows: []want{http(40021, "www.example.com"), tls(40022, "www.example.org"),
				dns(40023, "ns.example.com", 1)}},
		{name: "B02 TLS without ALPN", input: "B02-pcapng-mixed-linktypes.pcapng",
			flows: []want{{port: 40022, app: "TLS"}}},
		{name: "B03 101", input: "B03-rawip-linktype101.pcap",
			flows: []want{http(40031, "www.example.com"), ntp}},
		{name: "B03 12", input: "B03-rawip-linktype12.pcap",
			flows: []want{http(40031, "www.example.com"), ntp}},
		{name: "B03 228", input: "B03-rawip-linktype228-ipv4.pcap",
			flows: []want{http(40031, "www.example.com")}},
		{name: "B03 229 NTP", input: "B03-rawip-linktype229-ipv6.pcap", flows: []want{ntp}},
		{name: "B06", input: "B06-pcap-big-endian.pcap", flows: []want{http(40061, "www.example.com")}},
		// Snaplen 54 leaves nothing to read: Unknown, never a port guess.
		{name: "B07", input: "B07-snaplen-truncated.pcap",
			flows: []want{{port: 40071, app: "Unknown"}, {port: 40072, app: "Unknown"}}},
		{name: "B10", input: "B10-pcapng-blocks-sections.pcapng",
			flows: []want{http(40101, "www.example.com"), {port: 40102, app: "Syslog"}}},
		{name: "B17", input: "B17-mpls-label-stack.pcap", flows: []want{http(40171, "www.example.com")}},
		{name: "B23", input: "B23-dns-over-tcp.pcap",
			flows: []want{dns(40231, "www.example.com", 1), dns(40232, "mail.example.org", 15),
				dns(40233, "a.example.com", 1)}},
		{name: "B24", input: "B24-tls-clienthello-split.pcap",
			flows: []want{tls(40241, "www.example.com"), tls(40242, "www.example.org"),
				tls(40243, "api.example.com")}},
		{name: "B30", input: "B30-ipfix-variable-length-strings.pcap",
			flows: []want{http(40301, host254), http(40304, "")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, _ := dpiRecords(t, []string{"--idle-timeout", "30s"}, filepath.Join(dir, tc.input))
			for _, r := range recs {
				if r.App == "" {
					t.Errorf("%s: no applicationName", r.Key)
				}
			}
			for _, w := range tc.flows {
				port := fmt.Sprintf(":%d", w.port)
				n := 0
				for _, r := range recs {
					src, dst, _ := strings.Cut(r.Key, ">")
					if !strings.HasSuffix(src, port) && !strings.Contains(dst, port+"/") {
						continue
					}
					n++
					if r.App != w.app {
						t.Errorf("%s: %s, want %s", r.Key, r.App, w.app)
					}
					for name, v := range w.fields {
						if r.Fields[name] != v {
							t.Errorf("%s: %s = %#v, want %#v", r.Key, name, r.Fields[name], v)
						}
					}
				}
				if n == 0 {
					t.Errorf("no record of the connection from port %d", w.port)
				}
			}
		})
	}
}

// The data connections of ndpi_ftp.pcap are FTP_DATA through convert
// --dpi, with one shard or several: the control connection announces them
// (PASV replies for ports 25685 and 24523), and the label holds whichever
// actor runs first. nDPI 4.2 labels only the first (its reference gives
// the second, a 1 MB download, Unknown).
func TestConvertFTPData(t *testing.T) {
	in := filepath.Join(shared(t, "corpus/pcap"), "ndpi_ftp.pcap")
	want := map[string]string{
		"192.168.1.212:50694>90.130.70.73:21/6":    "FTP_CONTROL",
		"90.130.70.73:21>192.168.1.212:50694/6":    "FTP_CONTROL",
		"192.168.1.212:50695>90.130.70.73:25685/6": "FTP_DATA",
		"90.130.70.73:25685>192.168.1.212:50695/6": "FTP_DATA",
		"192.168.1.212:50696>90.130.70.73:24523/6": "FTP_DATA",
		"90.130.70.73:24523>192.168.1.212:50696/6": "FTP_DATA",
	}
	for _, shards := range []string{"1", "4"} {
		t.Run("shards "+shards, func(t *testing.T) {
			recs, _ := dpiRecords(t, []string{"--shards", shards}, in)
			got := map[string]string{}
			for _, r := range recs {
				got[r.Key] = r.App
			}
			if !maps.Equal(got, want) {
				t.Errorf("applications %v, want %v", got, want)
			}
		})
	}
}

// B30: host names of 254, 255, 300 and 0 octets are written with the
// length forms RFC 7011 §7 asks for.
func TestBugCaseB30HostEncoding(t *testing.T) {
	in := filepath.Join(shared(t, "bugcases"), "B30-ipfix-variable-length-strings.pcap")
	recs, data := dpiRecords(t, []string{"--idle-timeout", "30s"}, in)
	hosts := map[int]bool{}
	for _, r := range recs {
		if h, ok := r.Fields["httpRequestHost"].(string); ok {
			hosts[len(h)] = true
		}
	}
	for _, n := range []int{254, 255, 300, 0} {
		if !hosts[n] {
			t.Errorf("no httpRequestHost of %d octets", n)
		}
	}
	label := strings.Repeat("h", 63)
	prefix := []byte(label + "." + label + ".")
	for _, tc := range []struct {
		name   string
		length []byte
	}{
		{name: "254 in one octet", length: []byte{0xfe}},
		{name: "255 in three", length: []byte{0xff, 0x00, 0xff}},
		{name: "300 in three", length: []byte{0xff, 0x01, 0x2c}},
	} {
		if !bytes.Contains(data, append(bytes.Clone(tc.length), prefix...)) {
			t.Errorf("%s: no host value behind % x", tc.name, tc.length)
		}
	}
}

// Every corpus capture converts with --dpi into a file every tool reads
// without a warning; every record has an application; and on the
// captures below, each connection's application and server name are
// what protocol/dpi says when it classifies the connection by itself.
func TestCorpusDPI(t *testing.T) {
	dir := shared(t, "corpus/pcap")
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s (%v)", dir, err)
	}
	if testing.Short() {
		files = files[:8]
	}
	compare := map[string]bool{"ndpi_443-curl.pcap": true, "ndpi_quic.pcap": true,
		"ndpi_ssh.pcap": true, "ndpi_smtp.pcap": true, "tcpdump_dns_udp.pcap": true,
		"tcpdump_dns_tcp.pcap": true, "zeek_http_get.pcap": true, "ndpi_http_ipv6.pcap": true,
		"ndpi_imap.pcap": true, "ndpi_sites.pcapng": true, "ndpi_quic-v2.pcapng": true}
	for _, in := range files {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			recs, _ := dpiRecords(t, nil, in)
			apps := map[string][]string{}
			for _, r := range recs {
				if r.App == "" {
					t.Fatalf("%s: no applicationName", r.Key)
				}
				apps[r.Key] = append(apps[r.Key], r.App+" "+r.Server)
			}
			if !compare[name] {
				return
			}
			direct := directVerdicts(t, in)
			checked := 0
			for key, got := range apps {
				v, ok := direct[key]
				if !ok || len(got) != 1 {
					continue // not TCP or UDP, or the table split the connection
				}
				want := v.DPI().String() + " " + v.ServerName()
				if got[0] != want {
					t.Errorf("%s: %q, protocol/dpi says %q", key, got[0], want)
				}
				checked++
			}
			t.Logf("%d connections compared", checked)
			if checked == 0 {
				t.Error("no connection compared")
			}
		})
	}
}

// Known values of a few corpus flows: nDPI 4.2 reports the same, and
// tshark for the SSH client's version (nDPI shows only the server's).
func TestCorpusDPIKnownFlows(t *testing.T) {
	dir := shared(t, "corpus/pcap")
	tests := []struct {
		file, key, app, field string
		value                 any
	}{
		{file: "ndpi_443-curl.pcap", key: "192.168.1.13:55523>178.62.197.130:443/6",
			app: "TLS", field: "tlsServerName", value: "www.ntop.org"},
		{file: "ndpi_quic.pcap", key: "192.168.1.109:57833>216.58.212.101:443/17",
			app: "QUIC", field: "tlsServerName", value: "mail.google.com"},
		{file: "ndpi_ssh.pcap", key: "172.16.238.1:58395>172.16.238.168:22/6",
			app: "SSH", field: "sshServerSoftware", value: "SSH-2.0-OpenSSH_5.3"},
		{file: "ndpi_ssh.pcap", key: "172.16.238.1:58395>172.16.238.168:22/6", // tshark's view
			app: "SSH", field: "sshClientSoftware", value: "SSH-2.0-OpenSSH_5.6"},
		{file: "tcpdump_dns_udp.pcap", key: "192.168.1.11:43966>209.87.249.18:53/17",
			app: "DNS", field: "dnsQueryName", value: "www.tcpdump.org"},
		{file: "ndpi_smtp.pcap", key: "194.7.248.153:2127>172.16.114.207:25/6",
			app: "SMTP", field: "mailServerDomain", value: "pigeon.eyrie.af.mil"},
		// nDPI's full name, with SMBv1 inside NetBIOS, and its host.
		{file: "ndpi_fuzz-2006-06-26-2594.pcap", key: "192.168.1.41:138>192.168.1.255:138/17",
			app: "NetBIOS.SMBv1", field: "netbiosName", value: "lab111"},
		{file: "ndpi_1kxun.pcap", key: "192.168.5.16:68>192.168.119.1:67/17",
			app: "DHCP", field: "dhcpHostName", value: "macbook-air"},
		// nDPI cuts this host name to "btest.is.c".
		{file: "zeek_dhcp_dhcp.pcap", key: "0.0.0.0:68>255.255.255.255:67/17",
			app: "DHCP", field: "dhcpHostName", value: "btest.is.cool"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			recs, _ := dpiRecords(t, nil, filepath.Join(dir, tc.file))
			var keys []string
			for _, r := range recs {
				keys = append(keys, r.Key)
				if r.Key != tc.key {
					continue
				}
				if r.App != tc.app || r.Fields[tc.field] != tc.value {
					t.Errorf("%s: %s, %s = %#v; want %s, %#v", r.Key, r.App, tc.field,
						r.Fields[tc.field], tc.app, tc.value)
				}
				return
			}
			sort.Strings(keys)
			t.Errorf("no record %s among %v", tc.key, keys)
		})
	}
}

// convert --dpi ends its summary with the applications and the DPI
// failures; --dpi-budget bounds what DPI reads, and is checked.
func TestConvertDPISummary(t *testing.T) {
	in := filepath.Join(shared(t, "bugcases"), "B24-tls-clienthello-split.pcap")
	out := filepath.Join(t.TempDir(), "out.ipfix")
	code, stdout, stderr := convert(t, "--dpi", "--dpi-budget", "8", "-o", out, in)
	if code != 0 || !strings.Contains(stdout, "\napplications: TLS 6 records  dpi failures 0\n") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// One packet of payload is not enough for the ClientHellos that span
	// two segments.
	code, stdout, _ = convert(t, "--dpi", "--dpi-budget", "1", "-o", out, in)
	if code != 0 || !strings.Contains(stdout, "\napplications: Unknown 4 records, TLS 2 records  ") {
		t.Errorf("budget 1: exit %d, stdout %q", code, stdout)
	}
	code, stdout, _ = convert(t, "-o", out, in)
	if code != 0 || strings.Contains(stdout, "applications") {
		t.Errorf("without --dpi: exit %d, stdout %q", code, stdout)
	}
	code, _, stderr = convert(t, "--dpi", "--dpi-budget", "0", "-o", out, in)
	if code != 2 || !strings.Contains(stderr, "--dpi-budget must be 1 to") {
		t.Errorf("budget 0: exit %d, stderr %q", code, stderr)
	}
}

// Flows that are neither TCP nor UDP are named by their IP protocol, as
// nDPI 4.2 names them in the corpus's reference labels: each such row of
// EXPECTED-ndpi.tsv has records between its two addresses, with its IP
// protocol, under nDPI's name ("Unknown" for the numbers nobody names).
func TestCorpusDPIByIPProtocol(t *testing.T) {
	dir := shared(t, "corpus")
	data, err := os.ReadFile(filepath.Join(dir, "EXPECTED-ndpi.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		src, dst netip.Addr
		proto    uint64
		name     string
	}
	byFile := map[string][]row{}
	var files []string
	for _, line := range strings.Split(string(data), "\n") {
		c := strings.Split(line, "\t")
		if len(c) < 17 || strings.HasPrefix(c[0], "#") || c[0] == "file" {
			continue
		}
		proto, ok := map[string]uint64{"ICMP": 1, "IGMP": 2, "ICMPV6": 58}[c[2]]
		if !ok {
			n, err := strconv.ParseUint(c[2], 10, 8)
			if err != nil {
				continue // TCP and UDP
			}
			proto = n
		}
		src, err1 := netip.ParseAddrPort(c[3])
		dst, err2 := netip.ParseAddrPort(c[5])
		if err1 != nil || err2 != nil {
			continue // nDPI printed an address that does not parse ("fc00::2:100::1:1")
		}
		if byFile[c[0]] == nil {
			files = append(files, c[0])
		}
		byFile[c[0]] = append(byFile[c[0]], row{src.Addr(), dst.Addr(), proto, c[6]})
	}
	if len(files) == 0 {
		t.Fatal("no IP-protocol rows in the reference labels")
	}
	checked := 0
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			in := filepath.Join(dir, "pcap", file)
			if _, err := os.Stat(in); err != nil {
				in += ".gz"
			}
			recs, _ := dpiRecords(t, nil, in)
			for _, r := range byFile[file] {
				var apps []string
				for _, d := range recs {
					ends, protoText, _ := strings.Cut(d.Key, "/")
					a, b, _ := strings.Cut(ends, ">")
					src, err1 := netip.ParseAddrPort(a)
					dst, err2 := netip.ParseAddrPort(b)
					if err1 != nil || err2 != nil || protoText != strconv.FormatUint(r.proto, 10) {
						continue
					}
					if src.Addr() == r.src && dst.Addr() == r.dst || src.Addr() == r.dst && dst.Addr() == r.src {
						apps = append(apps, d.App)
					}
				}
				if len(apps) == 0 {
					// GRE that carries IP is metered as the flows inside it.
					if r.proto != 47 {
						t.Errorf("no record %s<>%s/%d", r.src, r.dst, r.proto)
					}
					continue
				}
				checked++
				for _, app := range apps {
					if app != r.name {
						t.Errorf("%s<>%s/%d: %s, nDPI says %s", r.src, r.dst, r.proto, app, r.name)
					}
				}
			}
		})
	}
	t.Logf("%d flows named by their IP protocol as nDPI names them", checked)
}
