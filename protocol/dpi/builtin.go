package dpi

// Builtins returns the built-in dissectors in the order a Registry tries
// them: when two match the same packet, the earlier wins. A flow another
// session announced comes first; then the protocols with long, sure
// signatures (TLS, HTTP, QUIC, the DNS family on their ports, DHCP,
// NetBIOS, SSDP, the text protocols, magic numbers), then binary headers
// whose nested lengths must agree, then those that need their port as
// well (NTP, DHCPv6, GTP, RADIUS, TFTP, Syslog...), and last the media
// protocols, which need two packets.
func Builtins() []Dissector {
	return []Dissector{
		ftpDataDissector(),
		tlsDissector(),
		httpDissector(),
		quicDissector(),
		gquicDissector(),
		dnsDissector(),
		llmnrDissector(),
		mdnsDissector(),
		dhcpDissector(),
		netbiosDissector(),
		ssdpDissector(),
		sshDissector(),
		smtpDissector(),
		pop3Dissector(),
		imapDissector(),
		ftpDissector(),
		sipDissector(),
		vncDissector(),
		pptpDissector(),
		bittorrentDissector(),
		stunDissector(),
		smbDissector(),
		kerberosDissector(),
		snmpDissector(),
		ldapDissector(),
		rdpDissector(),
		dcerpcDissector(),
		mysqlDissector(),
		postgresDissector(),
		wireguardDissector(),
		openvpnDissector(),
		ikeDissector(),
		telnetDissector(),
		ntpDissector(),
		dhcpv6Dissector(),
		gtpDissector(),
		radiusDissector(),
		tftpDissector(),
		syslogDissector(),
		mssqlDissector(),
		dropboxDissector(),
		spotifyDissector(),
		wsdDissector(),
		bjnpDissector(),
		netflowDissector(),
		sflowDissector(),
		rtcpDissector(),
		rtpDissector(),
	}
}
