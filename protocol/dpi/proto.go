package dpi

//go:generate go run gen_protocols.go

// Proto is an application protocol, numbered and named as nDPI 4.2 numbers
// and names it, so applicationId values match what ntopng and nProbe
// export. The zero value is [ProtoUnknown]. The constants and the table
// of names are in protocols.go, generated from `ndpiReader -a 0`.
type Proto uint16

// String returns nDPI's name of p, or "Unknown" for an id nDPI 4.2 does
// not define.
func (p Proto) String() string {
	if int(p) < len(protoNames) && protoNames[p] != "" {
		return protoNames[p]
	}
	return protoNames[ProtoUnknown]
}

// Known reports whether p is an id nDPI 4.2 defines (Unknown included).
func (p Proto) Known() bool {
	return int(p) < len(protoNames) && protoNames[p] != ""
}

// protoByName maps every name of protoNames to its id.
var protoByName = func() map[string]Proto {
	m := make(map[string]Proto, len(protoNames))
	for id, n := range protoNames {
		if n != "" {
			m[n] = Proto(id)
		}
	}
	return m
}()

// ProtoByName returns the protocol nDPI 4.2 calls name (matched exactly,
// as nDPI prints it: "TLS", "FTP_CONTROL", "NetBIOS").
func ProtoByName(name string) (Proto, bool) {
	p, ok := protoByName[name]
	return p, ok
}
