package ipfix

import (
	"math"
	"time"
)

// ntpUnixOffset is the number of seconds from the NTP epoch (1900-01-01)
// to the Unix epoch (1970-01-01); RFC 7011 §6.1.10.
const ntpUnixOffset = 2208988800

// ntpFromUnixNano converts nanoseconds since the Unix epoch to the 64-bit
// NTP form of dateTimeNanoseconds: seconds since 1900 in the high 32 bits
// and the fraction of a second in units of 2^-32 s, rounded down, in the
// low 32 bits (RFC 7011 §6.1.10). ok is false for times outside NTP era 0
// (before 1900 or from 2036-02-07T06:28:16Z on): they cannot be written
// without wrapping.
func ntpFromUnixNano(ns int64) (v uint64, ok bool) {
	sec, frac := ns/1e9, ns%1e9
	if frac < 0 {
		sec--
		frac += 1e9
	}
	sec += ntpUnixOffset
	if sec < 0 || sec > math.MaxUint32 {
		return 0, false
	}
	// frac < 1e9 < 2^30, so frac<<32 stays below 2^62.
	return uint64(sec)<<32 | uint64(frac)<<32/1e9, true
}

// timeFromNTP converts a 64-bit NTP timestamp (era 0) to a time. The
// fraction is rounded to the nearest nanosecond, which gives back exactly
// the nanosecond [ntpFromUnixNano] started from. For dateTimeMicroseconds
// (micro true) the low 11 bits of the fraction are ignored (RFC 7011
// §6.1.9) and the result is rounded to the microsecond.
func timeFromNTP(v uint64, micro bool) time.Time {
	sec := int64(v>>32) - ntpUnixOffset
	frac := v & 0xffffffff
	if micro {
		frac &^= 0x7ff
	}
	ns := int64((frac*1e9 + 1<<31) >> 32)
	t := time.Unix(sec, ns).UTC()
	if micro {
		t = t.Round(time.Microsecond)
	}
	return t
}

// millisFromUnixNano converts nanoseconds since the Unix epoch to the
// dateTimeMilliseconds form, rounded to the nearest millisecond (half up),
// so a packet at 1.289999 s ends its flow at 1290 ms rather than before
// the packet; rounding keeps start <= end. ok is false before 1970, which
// the unsigned form cannot hold.
func millisFromUnixNano(ns int64) (uint64, bool) {
	if ns < 0 {
		return 0, false
	}
	return (uint64(ns) + 5e5) / 1e6, true
}
