package ipfix

import (
	"errors"
	"fmt"
)

// Errors returned by the encoder and the decoder. Decode errors come
// wrapped in a [*DecodeError] that says where the problem is; test them
// with errors.Is.
var (
	// ErrVersion: a message header whose version is not 10.
	ErrVersion = errors.New("not an IPFIX message (version is not 10)")
	// ErrTruncated: a message, set, record or template that runs past the
	// end of what contains it.
	ErrTruncated = errors.New("truncated")
	// ErrLength: a message length below 16 or other than the octets
	// given to [Decoder.Decode].
	ErrLength = errors.New("bad message length")
	// ErrSetLength: a set length below 4 or past the end of its message.
	ErrSetLength = errors.New("bad set length")
	// ErrSetID: a set id of 0, 1 or 4 to 255 (not used or reserved,
	// RFC 7011 §3.3.2).
	ErrSetID = errors.New("reserved set id")
	// ErrTemplate: a malformed template or options template record.
	ErrTemplate = errors.New("bad template record")
	// ErrWarning: a stream that decodes but breaks a rule (see
	// [Message.Warnings]); returned only by [ReadAllStrict].
	ErrWarning = errors.New("warning")
	// ErrRecord: a flow record the encoder cannot represent (addresses
	// missing or of two families, a time before 1900 or, in the NTP form,
	// after 2036).
	ErrRecord = errors.New("record cannot be encoded")
	// ErrTooLarge: a record or template that cannot fit in a message of
	// the configured maximum size.
	ErrTooLarge = errors.New("too large for one message")
	// ErrValue: an options record value that does not match its field.
	ErrValue = errors.New("value does not fit its field")
)

// DecodeError is a decode failure and the byte offset, counted from the
// start of the stream (or of the message given to [Decoder.Decode]), of
// the message, set or record where it happened.
type DecodeError struct {
	Offset int64
	Err    error
}

// Error returns "offset N: reason".
func (e *DecodeError) Error() string {
	return fmt.Sprintf("offset %d: %v", e.Offset, e.Err)
}

// Unwrap returns the underlying error, one of the ErrX values wrapped
// with detail.
func (e *DecodeError) Unwrap() error { return e.Err }

// decodeErr builds a *DecodeError whose reason wraps sentinel.
func decodeErr(off int64, sentinel error, format string, args ...any) *DecodeError {
	detail := fmt.Sprintf(format, args...)
	return &DecodeError{Offset: off, Err: fmt.Errorf("%s: %w", detail, sentinel)}
}
