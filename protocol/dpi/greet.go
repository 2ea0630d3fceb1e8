package dpi

import "bytes"

// The text protocols where the server speaks first (SMTP, POP3, IMAP and
// FTP) share one dissector shape, driven by a greetProto: the server's
// greeting must look right, and the client's first commands must be the
// protocol's. A greeting that names the protocol settles it at once;
// otherwise the first client command does (SMTP and FTP both greet with
// "220"). The dissector is done once the client asked for TLS or went on
// to commands that come after that chance.

// greetProto describes one such protocol. Commands are upper case.
type greetProto struct {
	proto    Proto
	greeting func(ln []byte) bool // the server's first line fits
	names    []string             // a greeting containing one settles it
	tagged   bool                 // IMAP: commands follow a client tag
	settle   []string             // commands none of the others has
	neutral  []string             // commands the others have too
	startTLS []string             // commands asking for TLS
	later    []string             // commands past the point of asking for TLS
	domain   bool                 // SMTP: keep the domain of the greeting
}

// maxGreetLines bounds the client lines read.
const maxGreetLines = 16

func (g *greetProto) start(info *FlowInfo) State {
	s := reuse[greetState](info)
	s.g = g
	return s
}

// greetState follows the greeting and the client's first commands.
type greetState struct {
	g        *greetProto
	matched  bool
	greeted  bool // the greeting was read
	commands int  // client command lines read
}

func (s *greetState) Inspect(in *Input, res *Result) Status {
	if in.Dir == FromResponder {
		if s.greeted {
			return s.wait()
		}
		return s.readGreeting(in.Stream[FromResponder], res)
	}
	return s.readCommands(in.Stream[FromInitiator], res)
}

func (s *greetState) wait() Status {
	if s.matched {
		return Match
	}
	return Continue
}

func (s *greetState) match(res *Result) {
	if !s.matched {
		s.matched = true
		res.Set(s.g.proto)
	}
}

func (s *greetState) readGreeting(b []byte, res *Result) Status {
	ln, _, ok := line(b)
	switch {
	case !ok && len(b) < MaxStreamBytes:
		if len(b) >= 4 && !s.g.greeting(b) {
			return Reject
		}
		return s.wait()
	case !s.g.greeting(ln) || !printable(ln):
		return Reject
	}
	s.greeted = true
	meta := res.Meta()
	meta.mail().Banner = Text(ln, MaxBanner)
	if s.g.domain {
		meta.mail().Domain = greetingDomain(ln)
	}
	for _, n := range s.g.names {
		if containsFold(ln, n) {
			s.match(res)
			return Match
		}
	}
	return s.wait()
}

func (s *greetState) readCommands(b []byte, res *Result) Status {
	s.commands = 0
	for rest := b; s.commands < maxGreetLines; {
		ln, next, ok := line(rest)
		if !ok {
			break
		}
		rest = next
		s.commands++
		cmd := commandWord(ln, s.g.tagged)
		switch {
		case len(ln) == 0:
			continue
		case inFold(cmd, s.g.startTLS, ln):
			s.match(res)
			res.Meta().mail().StartTLS = true
			return Final
		case inFold(cmd, s.g.later, ln):
			if !s.matched && !s.greeted && s.commands == 1 {
				return s.wait() // a shared command and no greeting: not enough
			}
			s.match(res)
			return Final
		case inFold(cmd, s.g.settle, ln):
			s.match(res)
		case inFold(cmd, s.g.neutral, ln):
		case !s.matched:
			return Reject // not a command of this protocol
		}
	}
	if s.commands >= maxGreetLines || len(b) >= MaxStreamBytes {
		if s.matched {
			return Final
		}
		return Reject
	}
	return s.wait()
}

// commandWord returns the command of a client line, after the tag when
// the protocol uses one.
func commandWord(ln []byte, tagged bool) []byte {
	if tagged {
		i := bytes.IndexByte(ln, ' ')
		if i < 0 {
			return nil
		}
		ln = ln[i+1:]
	}
	if i := bytes.IndexByte(ln, ' '); i >= 0 {
		return ln[:i]
	}
	return ln
}

// inFold reports whether cmd is one of list, ignoring case. An entry with
// a space ("AUTH TLS") is matched against the start of the whole line.
func inFold(cmd []byte, list []string, ln []byte) bool {
	for _, c := range list {
		if bytes.IndexByte([]byte(c), ' ') >= 0 {
			if hasPrefixFold(ln, c) {
				return true
			}
		} else if len(cmd) == len(c) && hasPrefixFold(cmd, c) {
			return true
		}
	}
	return false
}

// containsFold reports whether b contains s (upper case), ignoring case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if hasPrefixFold(b[i:], s) {
			return true
		}
	}
	return false
}

// greetingDomain returns the first word after the reply code of an SMTP
// greeting ("220 mx.example.com ESMTP ready"), the server's name
// (RFC 5321 §4.2).
func greetingDomain(ln []byte) string {
	if len(ln) < 5 {
		return ""
	}
	w := ln[4:]
	if i := bytes.IndexByte(w, ' '); i >= 0 {
		w = w[:i]
	}
	if bytes.IndexByte(w, '.') < 0 && !bytes.EqualFold(w, []byte("localhost")) {
		return "" // not a domain: "220 Welcome", "220 ready"
	}
	return Name(w)
}

// replyCode reports whether ln starts with the 3-digit code and a space,
// a hyphen or the line's end.
func replyCode(ln []byte, code string) bool {
	return bytes.HasPrefix(ln, []byte(code)) && (len(ln) == 3 || ln[3] == ' ' || ln[3] == '-')
}
