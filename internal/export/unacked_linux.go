package export

import (
	"net"

	"golang.org/x/sys/unix"
)

// unacked returns the octets c has written (sent or not) that the peer has
// not acknowledged: Linux's SIOCOUTQ, the distance between the next
// sequence number to write and the oldest unacknowledged one. It stays
// right after a reset, which discards the queue but not the sequence
// numbers, and counts a FIN as one octet once the side is shut. ok is
// false when c is nil or the figure cannot be read.
func unacked(c *net.TCPConn) (n int, ok bool) {
	if c == nil {
		return 0, false
	}
	raw, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	_ = raw.Control(func(fd uintptr) {
		v, err := unix.IoctlGetInt(int(fd), unix.SIOCOUTQ)
		n, ok = v, err == nil
	})
	return n, ok
}
