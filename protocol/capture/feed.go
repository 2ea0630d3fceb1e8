package capture

import "io"

// feed is the stream pcapgo reads from. It holds one record or block at a
// time, loaded by the Reader after it has checked the header: head (a
// header this package wrote, in the form pcapgo reads), then the next n
// bytes of the input as they are, then trail. After them it reports
// io.EOF, so pcapgo never reads ahead into bytes that have not been
// checked, and the input's offset stays exact.
//
// pcapgo reads from its own *bufio.Reader over the feed; with the feed
// ending where the record ends, that buffer is empty whenever pcapgo
// returns a record.
type feed struct {
	in    *input
	head  []byte
	n     int // input bytes still to pass on
	trail []byte
	err   error // the input's error when it failed or ended within the n bytes

	headBuf  [28]byte // the longest header: a pcapng packet block's
	trailBuf [4]byte
}

// load makes head, n bytes of the input and trail the next bytes read.
// head and trail are copied.
func (f *feed) load(head []byte, n int, trail []byte) {
	f.head = append(f.headBuf[:0], head...)
	f.trail = append(f.trailBuf[:0], trail...)
	f.n, f.err = n, nil
}

// Read implements io.Reader for pcapgo. It fills as much of p as it can
// in one call, so pcapgo's buffer takes a whole short record at once.
func (f *feed) Read(p []byte) (int, error) {
	n := copy(p, f.head)
	f.head = f.head[n:]
	if len(f.head) > 0 {
		return n, nil
	}
	if f.n > 0 && n < len(p) {
		m, err := f.in.read(p[n:min(len(p), n+f.n)])
		f.n -= m
		n += m
		if err != nil {
			f.err = err
			return n, err
		}
	}
	if f.n == 0 && n < len(p) {
		m := copy(p[n:], f.trail)
		f.trail = f.trail[m:]
		n += m
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// feedFault turns a failed pcapgo read of the record or block of total
// bytes at start into the error to return. When the input failed or ended
// under pcapgo, that is the fault; otherwise pcapgo refused what it was
// given.
func (r *Reader) feedFault(start int64, what string, total int, err error) error {
	if r.feed.err != nil {
		got := int(r.in.off - start)
		return r.readFault(start, what, got, total, shortErr(got, r.feed.err))
	}
	return refused(start, what, err)
}

// refused reports a record or block that pcapgo would not read although
// this package found nothing wrong with it. The checks here are meant to
// leave pcapgo nothing to refuse, so pcapgo's reason is passed on as it is.
func refused(start int64, what string, err error) error {
	return formatErr(start, ErrMalformed, "%s: refused by pcapgo: %v", what, err)
}
