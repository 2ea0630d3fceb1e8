package dpi

import "bytes"

// Helpers for the line-based protocols (HTTP, SMTP, POP3, IMAP, FTP, SSH).

// line returns the first line of b without its end (LF or CRLF) and the
// rest after it; ok is false when b holds no line end yet.
func line(b []byte) (ln, rest []byte, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, false
	}
	ln, rest = b[:i], b[i+1:]
	if n := len(ln); n > 0 && ln[n-1] == '\r' {
		ln = ln[:n-1]
	}
	return ln, rest, true
}

// hasPrefixFold reports whether b starts with prefix, ignoring ASCII case.
// prefix must be upper case.
func hasPrefixFold(b []byte, prefix string) bool {
	if len(b) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if upper(b[i]) != prefix[i] {
			return false
		}
	}
	return true
}

// prefixOfFold reports whether b is the start of s (upper case), ignoring
// ASCII case: more data may still complete s.
func prefixOfFold(b []byte, s string) bool {
	if len(b) >= len(s) {
		return false
	}
	for i, c := range b {
		if upper(c) != s[i] {
			return false
		}
	}
	return true
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// printable reports whether b is printable ASCII text (tabs allowed).
func printable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}
