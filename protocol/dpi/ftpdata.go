package dpi

// FTP data connections carry no signature of their own: a flow is FTP
// data when its control connection announced it (see [Expectation] and
// [FlowInfo.Expected]). The dissector then claims the flow at its first
// payload, whatever it is (a listing, a file, or TLS after PROT P).

func ftpDataDissector() Dissector {
	return Dissector{
		Name: "ftp_data", Proto: ProtoFTPData, Transports: TCP,
		TCPPorts: []uint16{20},
		Start: func(info *FlowInfo) State {
			if info.Expected != ProtoFTPData {
				return nil
			}
			return ftpDataState
		},
	}
}

var ftpDataState inspectFunc = func(_ *Input, res *Result) Status {
	res.Set(ProtoFTPData)
	return Final
}
