package httpapi

import (
	"fmt"
	"regexp"
	"strings"

	"go.uber.org/zap"
)

// authHeader matches an Authorization header and its value in fasthttp's
// messages, which quote what they could not parse of a request, so the
// line ends at a quoted or a real line break.
var authHeader = regexp.MustCompile(`(?i)(authorization:[ \t]*)[^\r\n"\\]*`)

// redact removes credentials from a message about a request: the value
// of any Authorization header, and the token itself wherever it appears.
func redact(msg, token string) string {
	msg = authHeader.ReplaceAllString(msg, "${1}[redacted]")
	if token != "" {
		msg = strings.ReplaceAll(msg, token, "[redacted]")
	}
	return msg
}

// fasthttpLogger carries fasthttp's own messages into zap at Debug, with
// credentials removed: fasthttp quotes the head of a request it could not
// read, Authorization header and all.
type fasthttpLogger struct {
	log   *zap.Logger
	token string
}

func (l fasthttpLogger) Printf(format string, args ...any) {
	if ce := l.log.Check(zap.DebugLevel, ""); ce != nil {
		ce.Message = redact(fmt.Sprintf(format, args...), l.token)
		ce.Write()
	}
}
