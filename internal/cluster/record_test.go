package cluster

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

func TestSegments(t *testing.T) {
	cases := []struct {
		inputs, segments, longest int
	}{
		{inputs: 1, segments: 1, longest: 1},
		{inputs: 4, segments: 4, longest: 1},
		{inputs: MaxSegments, segments: MaxSegments, longest: 1},
		{inputs: MaxSegments + 1, segments: 33, longest: 2},
		{inputs: 10000, segments: 64, longest: 157},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.inputs), func(t *testing.T) {
			segs := Segments(tc.inputs)
			next, longest := 0, 0
			for _, s := range segs {
				if s[0] != next || s[1] <= s[0] {
					t.Fatalf("segments %v do not cover the inputs in order", segs)
				}
				next, longest = s[1], max(longest, s[1]-s[0])
			}
			if next != tc.inputs || len(segs) != tc.segments || longest != tc.longest {
				t.Errorf("%d segments up to %d inputs long, covering %d; want %d, %d, %d",
					len(segs), longest, next, tc.segments, tc.longest, tc.inputs)
			}
		})
	}
}

func TestCapErrors(t *testing.T) {
	var errs []task.FileError
	for i := range MaxPartErrors + 5 {
		errs = append(errs, task.FileError{File: fmt.Sprint(i), Reason: "bad"})
	}
	got := CapErrors(errs)
	if len(got) != MaxPartErrors+1 || got[0].File != "0" ||
		!strings.Contains(got[MaxPartErrors].Reason, "and 5 more") {
		t.Errorf("capped: %d errors, last %+v", len(got), got[len(got)-1])
	}
	if got := CapErrors(errs[:3]); len(got) != 3 {
		t.Errorf("3 errors became %d", len(got))
	}
}
