package dpi

import "bytes"

// SSH (RFC 4253 §4.2): both sides open with an identification line,
// "SSH-protoversion-softwareversion comments", ended by CR LF.

func sshDissector() Dissector {
	return Dissector{
		Name: "ssh", Proto: ProtoSSH, Transports: TCP,
		TCPPorts: []uint16{22},
		Start:    func(info *FlowInfo) State { return reuse[sshState](info) },
	}
}

// sshState waits for the identification lines of both sides.
type sshState struct {
	matched bool
	seen    [2]bool
}

func (s *sshState) Inspect(in *Input, res *Result) Status {
	if s.seen[in.Dir] {
		return s.wait()
	}
	b := in.Stream[in.Dir]
	ln, _, ok := line(b)
	switch {
	case prefixOfFold(b, "SSH-") && bytes.HasPrefix([]byte("SSH-"), b):
		return s.wait()
	case !bytes.HasPrefix(b, []byte("SSH-")):
		return s.other()
	case !ok && len(b) < MaxStreamBytes:
		return s.wait()
	case !sshVersion(ln):
		return s.other()
	}
	s.seen[in.Dir] = true
	if !s.matched {
		s.matched = true
		res.Set(ProtoSSH)
	}
	v := Text(ln, MaxBanner)
	meta := res.Meta()
	if in.Dir == FromInitiator {
		meta.ssh().Client = v
	} else {
		meta.ssh().Server = v
	}
	if s.seen[0] && s.seen[1] {
		return Final
	}
	return Match
}

func (s *sshState) wait() Status {
	if s.matched {
		return Match
	}
	return Continue
}

// other handles a side that does not open with "SSH-": fatal unless the
// other side already did (a server may send other lines first).
func (s *sshState) other() Status {
	if s.matched {
		return Match
	}
	return Reject
}

// sshVersion reports whether ln is an identification line of protocol
// 2.0, 1.99 (both) or 1.x.
func sshVersion(ln []byte) bool {
	rest, ok := bytes.CutPrefix(ln, []byte("SSH-"))
	if !ok {
		return false
	}
	proto, soft, ok := bytes.Cut(rest, []byte("-"))
	if !ok || len(soft) == 0 || !printable(ln) {
		return false
	}
	return bytes.Equal(proto, []byte("2.0")) || bytes.Equal(proto, []byte("1.99")) ||
		bytes.HasPrefix(proto, []byte("1."))
}
