package capture

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by [FormatError]. Test for them with [errors.Is].
var (
	// ErrNotCapture means the input does not start like a capture file of
	// a format this package reads.
	ErrNotCapture = errors.New("not a capture file")
	// ErrTruncated means the input ended in the middle of a file header,
	// record or block: the file was cut short.
	ErrTruncated = errors.New("capture truncated")
	// ErrTooLarge means a record or block length is above the package's
	// limits ([MaxRecordLen], [MaxInterfaces]).
	ErrTooLarge = errors.New("length over limit")
	// ErrMalformed means a header, record or block breaks the format's rules.
	ErrMalformed = errors.New("malformed capture")
)

// FormatError describes a fault in the input: where it is and what is wrong.
type FormatError struct {
	// Offset is the byte offset of the file header, record or block at
	// fault, counted in the decompressed stream when the file is gzipped.
	Offset int64
	// Reason says what is wrong, for people.
	Reason string
	// Err is the sentinel this fault belongs to (ErrTruncated, ErrTooLarge,
	// ErrMalformed or ErrNotCapture), possibly joined with the error of the
	// gzip decoder. It is never nil.
	Err error
}

// Error returns "offset N: reason".
func (e *FormatError) Error() string {
	return fmt.Sprintf("offset %d: %s", e.Offset, e.Reason)
}

// Unwrap returns e.Err.
func (e *FormatError) Unwrap() error { return e.Err }

// formatErr builds a *FormatError with a formatted reason.
func formatErr(off int64, sentinel error, format string, args ...any) *FormatError {
	return &FormatError{Offset: off, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}
