package dpi

// TLS over TCP: the ClientHello gives the server name, the offered
// versions and ALPN list and the JA4 fingerprint; the ServerHello the
// negotiated version and ALPN. A handshake spread over many segments or
// records is read once it is whole; until then what has come is read, so
// a hello cut by the stream cap still gives its server name.

func tlsDissector() Dissector {
	return Dissector{
		Name: "tls", Proto: ProtoTLS, Transports: TCP,
		TCPPorts: []uint16{443, 8443},
		Start:    func(info *FlowInfo) State { return reuse[tlsState](info) },
	}
}

// tlsState follows both hellos of a TLS connection.
type tlsState struct {
	scratch    []byte // a handshake message gathered from several records
	clientDone bool   // the ClientHello was read whole
	serverDone bool   // the ServerHello was read
	clientDir  Dir    // the direction of the ClientHello
	sawClient  bool
	matched    bool
}

func (s *tlsState) Inspect(in *Input, res *Result) Status {
	typ, body, complete, ok := tlsFirstHandshake(in.Stream[in.Dir], &s.scratch)
	switch {
	case !ok:
		return s.notHandshake()
	case body == nil && !complete && typ == 0:
		return s.wait() // not even a handshake header yet
	}
	switch typ {
	case tlsClientHello:
		if s.clientDone || s.sawClient && in.Dir != s.clientDir {
			return s.wait()
		}
		ch, ok := parseClientHello(body, complete)
		if !ok {
			return s.notHandshake()
		}
		s.sawClient, s.clientDir = true, in.Dir
		s.match(res)
		s.readClient(&ch, res)
	case tlsServerHello:
		if s.serverDone || !complete {
			return s.wait()
		}
		sh, ok := parseServerHello(body)
		if !ok {
			return s.notHandshake()
		}
		s.serverDone = true
		s.match(res)
		meta := res.Meta()
		meta.tls().Version = sh.version
		if sh.alpn != nil {
			meta.tls().ServerALPN = Text(sh.alpn, MaxALPNLen)
		}
	default:
		return s.notHandshake()
	}
	if s.serverDone && (s.clientDone || !s.sawClient) {
		s.scratch = nil
		return Final
	}
	return Match
}

// readClient records what a ClientHello (maybe not yet whole) shows.
func (s *tlsState) readClient(ch *clientHello, res *Result) {
	meta := res.Meta()
	if ch.serverName != nil && meta.tls().ServerName == "" {
		meta.tls().ServerName = Name(ch.serverName)
	}
	if !ch.complete {
		return
	}
	s.clientDone = true
	if !s.serverDone {
		meta.tls().Version = ch.maxVersion()
	}
	meta.tls().ALPN = appendALPN(meta.tls().ALPN[:0], ch.alpn)
	meta.tls().JA4 = ja4(ch, ja4TCP)
}

// appendALPN appends the protocol names of an ALPN list, bounded.
func appendALPN(dst []string, list []byte) []string {
	alpnList(list, func(name []byte) {
		if len(dst) < MaxALPN {
			dst = append(dst, Text(name, MaxALPNLen))
		}
	})
	return dst
}

func (s *tlsState) match(res *Result) {
	if !s.matched {
		s.matched = true
		res.Set(ProtoTLS)
	}
}

// wait asks for more data, or keeps the match.
func (s *tlsState) wait() Status {
	if s.matched {
		return Match
	}
	return Continue
}

// notHandshake handles a direction whose stream is not a TLS handshake:
// after a match it is the other side's business (a server that answers
// with an alert); before one, the flow is not TLS.
func (s *tlsState) notHandshake() Status {
	if s.matched {
		return Match
	}
	return Reject
}
