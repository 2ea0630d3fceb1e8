package dpi

import "testing"

// A verdict's full name, its number and its host read as nDPI prints
// them.
func TestVerdictNames(t *testing.T) {
	tests := []struct {
		name     string
		v        Verdict
		fullName string
		fullID   uint32
		host     string
	}{
		{name: "zero", v: Verdict{}, fullName: "Unknown", fullID: 0},
		{name: "protocol", v: Verdict{Proto: ProtoTLS}, fullName: "TLS", fullID: 91},
		{name: "application", v: Verdict{Proto: ProtoNetBIOS, App: ProtoSMBv1},
			fullName: "NetBIOS.SMBv1", fullID: 10<<16 | 16},
		{name: "GTP user plane", v: Verdict{Proto: ProtoGTP, App: ProtoGTPU},
			fullName: "GTP.GTP_U", fullID: 152<<16 | 271},
		{name: "application same as protocol", v: Verdict{Proto: ProtoDNS, App: ProtoDNS},
			fullName: "DNS", fullID: 5},
		{name: "server name first", v: Verdict{Proto: ProtoHTTP, Meta: &Meta{
			HTTP: &HTTPMeta{Host: "www.example.com"}, NetBIOS: &NetBIOSMeta{Name: "wpad"}}},
			fullName: "HTTP", fullID: 7, host: "www.example.com"},
		{name: "NetBIOS name", v: Verdict{Proto: ProtoNetBIOS, Meta: &Meta{
			NetBIOS: &NetBIOSMeta{Name: "workgroup", Suffix: 0x1d}}},
			fullName: "NetBIOS", fullID: 10, host: "workgroup"},
		{name: "DHCP host name", v: Verdict{Proto: ProtoDHCP, Meta: &Meta{
			DHCP: &DHCPMeta{HostName: "laptop-7", VendorClass: "MSFT 5.0", MessageType: 1}}},
			fullName: "DHCP", fullID: 18, host: "laptop-7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.v.FullName(); got != tc.fullName {
				t.Errorf("FullName %q, want %q", got, tc.fullName)
			}
			if got := tc.v.FullID(); got != tc.fullID {
				t.Errorf("FullID %#x, want %#x", got, tc.fullID)
			}
			if got := tc.v.Host(); got != tc.host {
				t.Errorf("Host %q, want %q", got, tc.host)
			}
		})
	}
}
