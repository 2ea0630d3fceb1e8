package dpi

// IP protocol numbers (IANA) of the protocols above IP that are named by
// their number alone.
const (
	ipProtoICMP   = 1
	ipProtoIGMP   = 2
	ipProtoIPInIP = 4
	ipProtoEGP    = 8
	ipProtoGRE    = 47
	ipProtoESP    = 50
	ipProtoAH     = 51
	ipProtoICMPv6 = 58
	ipProtoOSPF   = 89
	ipProtoVRRP   = 112
	ipProtoSCTP   = 132
)

// ByIPProtocol returns the application of a flow that is neither TCP nor
// UDP, from its IP protocol number: the header names the protocol, so,
// as in nDPI, ICMP is "ICMP" and OSPF is "OSPF" with no payload read.
// This is not a port guess; it says only what the network layer says. It
// returns ProtoUnknown for TCP, UDP and the numbers it does not name.
func ByIPProtocol(ipProto uint8) Proto {
	switch ipProto {
	case ipProtoICMP:
		return ProtoICMP
	case ipProtoIGMP:
		return ProtoIGMP
	case ipProtoIPInIP:
		return ProtoIPInIP
	case ipProtoEGP:
		return ProtoEGP
	case ipProtoGRE:
		return ProtoGRE
	case ipProtoESP, ipProtoAH:
		return ProtoIPsec
	case ipProtoICMPv6:
		return ProtoICMPV6
	case ipProtoOSPF:
		return ProtoOSPF
	case ipProtoVRRP:
		return ProtoVRRP
	case ipProtoSCTP:
		return ProtoSCTP
	}
	return ProtoUnknown
}
