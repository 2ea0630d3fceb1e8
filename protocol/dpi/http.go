package dpi

import "bytes"

// HTTP/1.x (RFC 9112): the request line and the Host and User-Agent
// headers of the first request, and the status code of the first
// response. Either side may be read first; a flow whose capture starts
// with the response is HTTP too.

func httpDissector() Dissector {
	return Dissector{
		Name: "http", Proto: ProtoHTTP, Transports: TCP,
		TCPPorts: []uint16{80, 8080},
		Start:    func(info *FlowInfo) State { return reuse[httpState](info) },
	}
}

// httpMethods are the request methods recognised: RFC 9110 §9 and the
// WebDAV ones (RFC 4918) nDPI knows.
var httpMethods = []string{
	"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "PATCH ", "TRACE ",
	"PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ", "MOVE ", "LOCK ", "UNLOCK ", "REPORT ",
	"SEARCH ",
}

// httpState reads the first request and the first response.
type httpState struct {
	matched    bool
	reqDir     Dir
	sawReq     bool
	headersEnd bool // the request's header block was read whole
	sawStatus  bool
}

func (s *httpState) Inspect(in *Input, res *Result) Status {
	b := in.Stream[in.Dir]
	switch {
	case s.sawReq && in.Dir == s.reqDir:
		if !s.headersEnd {
			s.readHeaders(b, res)
		}
	case hasPrefixFold(b, "HTTP/"):
		if !s.sawStatus {
			if !s.readStatus(b, res) {
				return s.wait()
			}
		}
	case !s.sawReq:
		switch st := s.readRequest(in.Dir, b, res); {
		case st == Reject && s.matched:
			return Match // a response came first; this side is not a request
		case st != Match:
			return st
		}
	default:
		return s.wait()
	}
	if s.sawReq && s.headersEnd && s.sawStatus {
		return Final
	}
	return Match
}

func (s *httpState) wait() Status {
	if s.matched {
		return Match
	}
	return Continue
}

func (s *httpState) match(res *Result, p Proto) {
	if !s.matched {
		s.matched = true
		res.Set(p)
	}
}

// readRequest reads a request line at the start of b.
func (s *httpState) readRequest(dir Dir, b []byte, res *Result) Status {
	method := ""
	for _, m := range httpMethods {
		if bytes.HasPrefix(b, []byte(m)) {
			method = m[:len(m)-1]
			break
		}
		if prefixOfFold(b, m) && bytes.Equal(b, []byte(m[:len(b)])) {
			return Continue // a method may still be coming
		}
	}
	if method == "" {
		return Reject
	}
	ln, _, ok := line(b)
	if !ok {
		if len(b) >= MaxStreamBytes {
			return Reject
		}
		return Continue
	}
	// METHOD SP target SP HTTP/1.x
	rest := ln[len(method)+1:]
	target, version := rest, []byte("HTTP/0.9") // "GET /path" alone (HTTP/0.9)
	if sp := bytes.LastIndexByte(rest, ' '); sp >= 0 {
		target, version = rest[:sp], rest[sp+1:]
		if !bytes.HasPrefix(version, []byte("HTTP/1.")) {
			return Reject // RTSP, SIP and others share the request line's shape
		}
	} else if method != "GET" {
		return Reject
	}
	if len(target) == 0 {
		return Reject
	}
	p := ProtoHTTP
	if method == "CONNECT" {
		p = ProtoHTTPConnect
	}
	s.match(res, p)
	s.sawReq, s.reqDir = true, dir
	meta := res.Meta()
	meta.http().Method = Text([]byte(method), MaxToken)
	meta.http().Target = Text(target, MaxTarget)
	meta.http().Version = Text(version, MaxToken)
	if host := absoluteHost(target); host != nil {
		meta.http().Host = Name(hostOnly(host))
	}
	s.readHeaders(b, res)
	return Match
}

// readHeaders reads Host and User-Agent from the header lines that have
// come so far.
func (s *httpState) readHeaders(b []byte, res *Result) {
	_, rest, _ := line(b) // the request line
	for {
		ln, next, ok := line(rest)
		if !ok {
			if len(b) >= MaxStreamBytes {
				s.headersEnd = true // the rest will never come
			}
			return
		}
		if len(ln) == 0 {
			s.headersEnd = true
			return
		}
		switch {
		case hasPrefixFold(ln, "HOST:"):
			res.Meta().http().Host = Name(hostOnly(bytes.TrimSpace(ln[5:])))
		case hasPrefixFold(ln, "USER-AGENT:"):
			res.Meta().http().UserAgent = Text(bytes.TrimSpace(ln[11:]), MaxAgent)
		}
		rest = next
	}
}

// readStatus reads "HTTP/1.x NNN" at the start of b. It returns false
// until the status code has come.
func (s *httpState) readStatus(b []byte, res *Result) bool {
	if len(b) < 12 {
		return false
	}
	if !bytes.HasPrefix(b, []byte("HTTP/1.")) || b[8] != ' ' {
		return true // not HTTP/1.x; nothing to read from this side
	}
	code := uint16(0)
	for _, c := range b[9:12] {
		if c < '0' || c > '9' {
			return true
		}
		code = code*10 + uint16(c-'0')
	}
	s.sawStatus = true
	s.match(res, ProtoHTTP)
	res.Meta().http().Status = code
	return true
}

// absoluteHost returns the authority of an absolute-form target
// ("http://host:port/path"), or nil.
func absoluteHost(target []byte) []byte {
	i := bytes.Index(target, []byte("://"))
	if i <= 0 || i > 8 {
		return nil
	}
	host := target[i+3:]
	if j := bytes.IndexAny(host, "/?#"); j >= 0 {
		host = host[:j]
	}
	return host
}

// hostOnly drops the port of a "host:port" authority, also after an IPv6
// literal ("[2001:db8::1]:8080").
func hostOnly(h []byte) []byte {
	i := bytes.LastIndexByte(h, ':')
	if i < 0 || bytes.IndexByte(h[i:], ']') >= 0 {
		return h
	}
	if h[0] != '[' && bytes.IndexByte(h[:i], ':') >= 0 {
		return h // a bare IPv6 address
	}
	for _, c := range h[i+1:] {
		if c < '0' || c > '9' {
			return h
		}
	}
	return h[:i]
}
