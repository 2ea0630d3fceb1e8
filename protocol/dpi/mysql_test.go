package dpi

import "testing"

const (
	// A MySQL 8 handshake: length 74, sequence 0, protocol 10,
	// "8.0.36\0", connection id, scramble, filler, capabilities...
	mysqlHello = "4a0000 00 0a 382e302e333600 0d000000 3a0b1c2d3e4f5a6b 00 ffff ff 0200 ffdf 15" +
		"00000000000000000000 1a2b3c4d5e6f7a1b2c3d4e5f00 6d7973716c5f6e61746976655f70617373776f726400"
	// Error 1130: the host may not connect.
	mysqlHostDenied = "2c0000 00 ff 6a04 486f7374202731302e302e302e3527206973206e6f7420616c6c6f77656420" +
		"746f20636f6e6e656374"
)

func TestMySQL(t *testing.T) {
	info := flowInfo(IPProtoTCP, 50000, 3306)
	tests := []flowCase{
		{name: "handshake", info: info,
			pkts: exchange(pkt{dir: 1, data: string(unhex(t, mysqlHello))}),
			want: ProtoMySQL},
		{name: "handshake in two segments", info: info,
			pkts: exchange(pkt{dir: 1, data: string(unhex(t, mysqlHello))[:9]},
				pkt{dir: 1, data: string(unhex(t, mysqlHello))[9:]}), want: ProtoMySQL},
		{name: "host refused", info: info,
			pkts: exchange(pkt{dir: 1, data: string(unhex(t, mysqlHostDenied))}),
			want: ProtoMySQL},
		{name: "from the client", info: info,
			pkts: exchange(pkt{data: string(unhex(t, mysqlHello))})},
		{name: "protocol 9", info: info,
			pkts: exchange(pkt{dir: 1, data: patched(t, mysqlHello, 4, 9)})},
		{name: "filler not zero", info: info,
			pkts: exchange(pkt{dir: 1, data: patched(t, mysqlHello, 24, 1)})},
		{name: "sequence 1", info: info,
			pkts: exchange(pkt{dir: 1, data: patched(t, mysqlHello, 3, 1)})},
	}
	checkFlows(t, mysqlDissector(), tests)
}

func FuzzMySQL(f *testing.F) {
	f.Add(unhex(f, mysqlHello), uint16(0))
	f.Add(unhex(f, mysqlHostDenied), uint16(0))
	reg := mustRegistry(f, mysqlDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 3306, data, split)
	})
}

func BenchmarkMySQL(b *testing.B) {
	benchFlow(b, mustRegistry(b, mysqlDissector()), flowInfo(IPProtoTCP, 50000, 3306),
		exchange(pkt{dir: 1, data: string(unhex(b, mysqlHello))}))
}
