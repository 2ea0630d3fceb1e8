package dpi

import "testing"

func TestByIPProtocol(t *testing.T) {
	want := map[uint8]string{1: "ICMP", 2: "IGMP", 4: "IP_in_IP", 8: "EGP", 47: "GRE", 50: "IPsec",
		51: "IPsec", 58: "ICMPV6", 89: "OSPF", 112: "VRRP", 132: "SCTP"}
	for p := 0; p < 256; p++ {
		got := ByIPProtocol(uint8(p))
		name, ok := want[uint8(p)]
		if !ok {
			name = "Unknown"
		}
		if got.String() != name {
			t.Errorf("IP protocol %d: %s, want %s", p, got, name)
		}
	}
}
