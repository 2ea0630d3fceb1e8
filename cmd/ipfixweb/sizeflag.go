package main

import (
	"fmt"
	"strconv"
	"strings"
)

// sizeFlag is a flag holding a number of bytes, written as a whole number
// with an optional unit: 512MiB, 2GiB, 64KiB, or plain bytes. The powers
// of ten (MB, GB) mean what they say.
type sizeFlag int64

var sizeUnits = []struct {
	suffix string
	mul    int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

func (s *sizeFlag) String() string { return strconv.FormatInt(int64(*s), 10) }

func (s *sizeFlag) Set(v string) error {
	num, mul := strings.TrimSpace(v), int64(1)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mul = strings.TrimSpace(n), u.mul
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mul {
		return fmt.Errorf("%q is not a size such as 512MiB or 2GiB", v)
	}
	*s = sizeFlag(n * mul)
	return nil
}
