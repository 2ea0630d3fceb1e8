package packet

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusCounts holds, per corpus capture, the frames tshark reads and how
// many of them it shows as IP: tshark -r FILE -Y "ip or ipv6" -T fields
// -e frame.number | wc -l (TShark 4.x, computed once; the test does not
// run tshark). A decapsulated frame counts once.
var corpusCounts = []struct {
	file       string
	frames, ip int
	// note says why the decoder's figure differs from tshark's, and want
	// is then the decoder's figure.
	note string
	want int
	// readErr says why pcapgo cannot read the file; it then has no count.
	readErr string
}{
	{file: "gopacket_pcap_test_loopback.pcap", frames: 24, ip: 24},
	{file: "gopacket_pcapgo_tests_be_test010.pcapng", frames: 4, ip: 4},
	{file: "gopacket_pcapgo_tests_le_test005.pcapng", frames: 4, ip: 4},
	{file: "gopacket_pcapgo_tests_le_test201.pcapng", frames: 4, ip: 4},
	{file: "ndpi_1kxun.pcap", frames: 1723, ip: 1723},
	{file: "ndpi_443-curl.pcap", frames: 109, ip: 109},
	{file: "ndpi_6in4tunnel.pcap", frames: 127, ip: 127},
	{file: "ndpi_KakaoTalk_chat.pcap", frames: 347, ip: 347},
	{file: "ndpi_alexa-app.pcapng", frames: 3103, ip: 3074},
	{file: "ndpi_bittorrent.pcap", frames: 299, ip: 299},
	{file: "ndpi_dns_fragmented.pcap", frames: 66, ip: 66},
	{file: "ndpi_ftp.pcap", frames: 209, ip: 209},
	{file: "ndpi_fuzz-2006-06-26-2594.pcap", frames: 691, ip: 613, want: 606,
		note: "frames 45 55 78 303 318 551 669 have a bogus IPv4 version or IHL: " +
			"tshark shows the IP layer it could not parse, the decoder says ErrMalformed"},
	{file: "ndpi_fuzz-2021-10-13.pcap", frames: 1, ip: 0,
		readErr: "pcap version 2.0, refused by pcapgo; tshark finds no IP in its one frame"},
	{file: "ndpi_http_ipv6.pcap", frames: 193, ip: 193},
	{file: "ndpi_imap.pcap", frames: 33, ip: 33},
	{file: "ndpi_ja3_lots_of_cipher_suites_2_anon.pcap", frames: 27, ip: 27},
	{file: "ndpi_kerberos.pcap", frames: 77, ip: 77},
	{file: "ndpi_netflix.pcap", frames: 1793, ip: 1793},
	{file: "ndpi_ocs.pcap", frames: 946, ip: 946},
	{file: "ndpi_openvpn.pcap", frames: 706, ip: 706},
	{file: "ndpi_pop3.pcap", frames: 144, ip: 144},
	{file: "ndpi_quic-v2.pcapng", frames: 19, ip: 19},
	{file: "ndpi_quic.pcap", frames: 518, ip: 518},
	{file: "ndpi_rtp.pcapng", frames: 112, ip: 112},
	{file: "ndpi_sctp.cap", frames: 4, ip: 4},
	{file: "ndpi_sip.pcap", frames: 112, ip: 112},
	{file: "ndpi_sites.pcapng", frames: 699, ip: 699},
	{file: "ndpi_smtp-starttls.pcap", frames: 69, ip: 69},
	{file: "ndpi_smtp.pcap", frames: 95, ip: 95},
	{file: "ndpi_snmp.pcap", frames: 72, ip: 72},
	{file: "ndpi_ssh.pcap", frames: 295, ip: 295},
	{file: "ndpi_tls-appdata.pcap", frames: 120, ip: 120},
	{file: "ndpi_vxlan.pcap", frames: 127, ip: 127},
	{file: "ndpi_wireguard.pcap", frames: 52, ip: 52},
	{file: "tcpdump_LINKTYPE_IPV4.pcap", frames: 1, ip: 1},
	{file: "tcpdump_LINKTYPE_IPV6.pcap", frames: 1, ip: 1},
	{file: "tcpdump_dhcpv6-ia-na.pcap", frames: 4, ip: 4},
	{file: "tcpdump_dns_tcp.pcap", frames: 11, ip: 11},
	{file: "tcpdump_dns_udp.pcap", frames: 2, ip: 2},
	{file: "tcpdump_empty.pcap", frames: 0, ip: 0},
	{file: "tcpdump_geneve.pcap", frames: 39, ip: 39},
	{file: "tcpdump_icmpv6.pcap", frames: 5, ip: 5},
	{file: "tcpdump_pptp.pcap", frames: 23, ip: 23},
	{file: "tcpdump_quic_handshake.pcap", frames: 18, ip: 18},
	{file: "tcpdump_tcp-handshake-nano.pcap", frames: 3, ip: 3},
	{file: "zeek_dhcp_dhcp.pcap", frames: 9, ip: 9},
	{file: "zeek_dns-edns-ecs.pcap", frames: 89, ip: 89},
	{file: "zeek_http-qinq-0.pcap", frames: 14, ip: 14},
	{file: "zeek_http_get.pcap", frames: 14, ip: 14},
	{file: "zeek_icmp_dot1q.pcap", frames: 15, ip: 9},
	{file: "zeek_icmp_icmp-ping.pcap", frames: 4, ip: 4},
	{file: "zeek_icmp_icmp6-ping.pcap", frames: 8, ip: 8},
	{file: "zeek_ipv6-fragmented-dns.pcap", frames: 8, ip: 8},
	{file: "zeek_linux_dlt_sll2.pcap", frames: 6, ip: 4},
	{file: "zeek_mixed-vlan-mpls.pcap", frames: 47, ip: 47},
	{file: "zeek_ntp_ntp.pcap", frames: 32, ip: 32},
	{file: "zeek_pcapng-multi-interface.pcapng", frames: 6, ip: 6},
	{file: "zeek_pppoe.pcap", frames: 65, ip: 25},
	{file: "zeek_tls_chrome-1250-tls-x25519-kyber.pcap", frames: 15, ip: 15},
	{file: "zeek_tls_tls-fragmented-handshake.pcap.gz", frames: 416, ip: 416},
	{file: "zeek_tunnels_gre-sample.pcap", frames: 40, ip: 40},
	{file: "zeek_tunnels_gtp_gtp1_gn_normal_incl_fragmentation.pcap", frames: 108, ip: 108},
	{file: "zeek_vlan-qinqinq.pcap", frames: 14, ip: 14},
	{file: "zeek_wikipedia.pcap", frames: 136, ip: 126},
}

func TestCorpusIPCounts(t *testing.T) {
	dir := sharedDir(t, filepath.Join("corpus", "pcap"))
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range corpusCounts {
		known[c.file] = true
	}
	for _, e := range entries {
		if !e.IsDir() && !known[e.Name()] {
			t.Errorf("corpus file %s has no tshark count in corpusCounts", e.Name())
		}
	}
	for _, c := range corpusCounts {
		t.Run(c.file, func(t *testing.T) {
			frames, err := readCapture(t, filepath.Join(dir, c.file))
			if c.readErr != "" {
				if err == nil {
					t.Errorf("pcapgo reads it now (%d frames): give it a count", len(frames))
				}
				return
			}
			if err != nil && len(frames) != c.frames {
				t.Fatalf("read %d frames, then: %v", len(frames), err)
			}
			if len(frames) != c.frames {
				t.Fatalf("read %d frames, tshark reads %d", len(frames), c.frames)
			}
			var d Decoder
			var p Packet
			ip := 0
			for _, fr := range frames {
				if d.Decode(fr.link, fr.data, &p) == nil {
					ip++
				}
			}
			want := c.ip
			if c.note != "" {
				want = c.want
			}
			if ip != want {
				t.Errorf("decoded %d frames as IP, want %d (tshark %d)", ip, want, c.ip)
			}
		})
	}
}
