package dpi

import "testing"

const (
	// StartupMessage: length 52, protocol 3.0, user=app, database=orders.
	pgStartupMsg = "00000034 00030000 7573657200 61707000 646174616261736500 6f726465727300" +
		"6170706c69636174696f6e5f6e616d6500 00 00"
	pgSSL = "00000008 04d2162f"
)

func TestPostgreSQL(t *testing.T) {
	info := flowInfo(IPProtoTCP, 50000, 5432)
	tests := []flowCase{
		{name: "startup", info: info,
			pkts: exchange(pkt{data: string(unhex(t, pgStartupMsg))}), want: ProtoPostgreSQL},
		{name: "TLS requested", info: info,
			pkts: exchange(pkt{data: string(unhex(t, pgSSL))}, pkt{dir: 1, data: "S"}),
			want: ProtoPostgreSQL},
		{name: "startup in pieces", info: info,
			pkts: exchange(pkt{data: string(unhex(t, pgStartupMsg))[:10]}, pkt{data: string(unhex(t, pgStartupMsg))[10:]}),
			want: ProtoPostgreSQL},
		{name: "protocol 2", info: info, pkts: exchange(pkt{data: patched(t, pgStartupMsg, 5, 2)})},
		{name: "no user", info: info, pkts: exchange(pkt{data: patched(t, pgStartupMsg, 8, 'x')})},
		{name: "from the server", info: info,
			pkts: exchange(pkt{dir: 1, data: string(unhex(t, pgSSL))})},
		{name: "TLS request code off by two", info: info,
			pkts: exchange(pkt{data: patched(t, pgSSL, 7, 0x31)})},
	}
	checkFlows(t, postgresDissector(), tests)
}

func FuzzPostgreSQL(f *testing.F) {
	f.Add(unhex(f, pgStartupMsg), uint16(52))
	f.Add(append(unhex(f, pgSSL), 'S'), uint16(8))
	reg := mustRegistry(f, postgresDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 5432, data, split)
	})
}

func BenchmarkPostgreSQL(b *testing.B) {
	benchFlow(b, mustRegistry(b, postgresDissector()), flowInfo(IPProtoTCP, 50000, 5432),
		exchange(pkt{data: string(unhex(b, pgStartupMsg))}))
}
