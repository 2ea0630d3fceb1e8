package dpi

import "testing"

const (
	// PRELOGIN: header (type 0x12, status 1, length 47, packet 1), then
	// VERSION (offset 26, 6 bytes), ENCRYPTION (32, 1), INSTOPT (33, 1),
	// THREADID (34, 4), MARS (38, 1), the terminator, and their data.
	tdsPreloginMsg = "12 01 002f 0000 01 00" +
		"00 001a 0006 01 0020 0001 02 0021 0001 03 0022 0004 04 0026 0001 ff" +
		"0f000a8b0000 02 00 00001234 00"
)

func TestMsSQL(t *testing.T) {
	info := flowInfo(IPProtoTCP, 50000, 1433)
	tests := []flowCase{
		{name: "prelogin", info: info,
			pkts: exchange(pkt{data: string(unhex(t, tdsPreloginMsg))}), want: ProtoMsSQLTDS},
		{name: "prelogin answered", info: info,
			pkts: exchange(pkt{dir: 1, data: patched(t, tdsPreloginMsg, 0, tdsResponse)}), want: ProtoMsSQLTDS},
		{name: "off its port", info: flowInfo(IPProtoTCP, 50000, 50001),
			pkts: exchange(pkt{data: string(unhex(t, tdsPreloginMsg))})},
		{name: "option data past the packet", info: info,
			pkts: exchange(pkt{data: patched(t, tdsPreloginMsg, 10, 0x40)})},
		{name: "no terminator", info: info,
			pkts: exchange(pkt{data: patched(t, tdsPreloginMsg, 33, 0x05)})},
		{name: "SQL batch first", info: info,
			pkts: exchange(pkt{data: patched(t, tdsPreloginMsg, 0, 0x01)})},
	}
	checkFlows(t, mssqlDissector(), tests)
}

func FuzzMsSQL(f *testing.F) {
	f.Add(unhex(f, tdsPreloginMsg), uint16(47))
	reg := mustRegistry(f, mssqlDissector())
	f.Fuzz(func(t *testing.T, data []byte, split uint16) {
		fuzzTCP(t, reg, 1433, data, split)
	})
}

func BenchmarkMsSQL(b *testing.B) {
	benchFlow(b, mustRegistry(b, mssqlDissector()), flowInfo(IPProtoTCP, 50000, 1433),
		exchange(pkt{data: string(unhex(b, tdsPreloginMsg))}))
}
