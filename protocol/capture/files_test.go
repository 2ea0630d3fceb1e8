package capture

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readFile reads every frame of a capture file.
func readFile(t testing.TB, path string) got {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := NewReader(f)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	return readFrames(r)
}

// linkTypes lists the distinct link types of frames, sorted.
func linkTypes(frames []Frame) []uint16 {
	var lts []uint16
	for _, f := range frames {
		lts = append(lts, f.LinkType)
	}
	slices.Sort(lts)
	return slices.Compact(lts)
}

// ms is a time in milliseconds since the epoch, as the expected files give it.
func ms(v int64) int64 { return v * 1e6 }

func TestBugCases(t *testing.T) {
	dir := sharedDir(t, "bugcases")
	tests := []struct {
		file       string
		wantFrames int
		wantLinks  []uint16
		wantErr    error // nil: a clean io.EOF
		wantOffset int64 // of wantErr
		check      func(t *testing.T, frames []Frame)
	}{
		{file: "B01-sll2-linktype276.pcap", wantFrames: 12, wantLinks: []uint16{276}},
		{
			file: "B02-pcapng-mixed-linktypes.pcapng", wantFrames: 18,
			wantLinks: []uint16{1, 101, 113},
			check: func(t *testing.T, frames []Frame) {
				want := map[uint32]uint16{0: 1, 1: 113, 2: 101}
				for i, f := range frames {
					if f.LinkType != want[f.Interface] {
						t.Errorf("frame %d on interface %d has link type %d, want %d",
							i, f.Interface, f.LinkType, want[f.Interface])
					}
				}
				// F5, the DNS query on raw IP, at 1700000000007 ms.
				if f := frames[2]; f.Interface != 2 || f.Time != ms(1700000000007) {
					t.Errorf("frame 2: interface %d at %d, want 2 at %d",
						f.Interface, f.Time, ms(1700000000007))
				}
			},
		},
		{file: "B03-rawip-linktype101.pcap", wantFrames: 12, wantLinks: []uint16{101}},
		{file: "B03-rawip-linktype12.pcap", wantFrames: 12, wantLinks: []uint16{12}},
		{file: "B03-rawip-linktype228-ipv4.pcap", wantFrames: 10, wantLinks: []uint16{228}},
		{file: "B03-rawip-linktype229-ipv6.pcap", wantFrames: 2, wantLinks: []uint16{229}},
		{
			file: "B05-pcap-nanosecond-magic.pcap", wantFrames: 2, wantLinks: []uint16{1},
			check: func(t *testing.T, frames []Frame) {
				wantTimes(t, frames, 1700000000_987054321, 1700000001_000000500)
			},
		},
		{
			file: "B06-pcap-big-endian.pcap", wantFrames: 10, wantLinks: []uint16{1},
			check: func(t *testing.T, frames []Frame) {
				if frames[0].Time != ms(1700000000250) || frames[9].Time != ms(1700000000340) {
					t.Errorf("times %d .. %d, want %d .. %d", frames[0].Time, frames[9].Time,
						ms(1700000000250), ms(1700000000340))
				}
			},
		},
		{
			file: "B07-snaplen-truncated.pcap", wantFrames: 15, wantLinks: []uint16{1},
			check: func(t *testing.T, frames []Frame) {
				cut := 0
				for i, f := range frames {
					if len(f.Data) > 54 {
						t.Errorf("frame %d: %d bytes, more than the snaplen 54", i, len(f.Data))
					}
					if f.OrigLen > uint32(len(f.Data)) {
						cut++
					}
				}
				if cut == 0 {
					t.Error("no frame has OrigLen above its captured length")
				}
			},
		},
		{
			file: "B09-truncated-last-record.pcap", wantFrames: 10, wantLinks: []uint16{1},
			wantErr: ErrTruncated, wantOffset: 869,
		},
		{
			file: "B09-truncated-last-record.pcapng", wantFrames: 10, wantLinks: []uint16{1},
			wantErr: ErrTruncated, wantOffset: 1072,
		},
		{
			file: "B10-pcapng-blocks-sections.pcapng", wantFrames: 12, wantLinks: []uint16{1},
			check: func(t *testing.T, frames []Frame) {
				for i, f := range frames {
					want := uint32(0)
					if i >= 10 {
						want = 1
					}
					if f.Section != want || f.Interface != 0 {
						t.Errorf("frame %d in section %d interface %d, want section %d interface 0",
							i, f.Section, f.Interface, want)
					}
				}
				wantTimes(t, frames[10:], ms(1700000001100), ms(1700000001600))
				if frames[0].Time != ms(1700000000000) {
					t.Errorf("frame 0 at %d, want %d", frames[0].Time, ms(1700000000000))
				}
			},
		},
		{
			file: "B22-packet-time-not-wall-clock-2009.pcap", wantFrames: 10,
			wantLinks: []uint16{1},
			check: func(t *testing.T, frames []Frame) {
				if frames[0].Time != ms(1234567890000) || frames[9].Time != ms(1234567890090) {
					t.Errorf("times %d .. %d, want %d .. %d", frames[0].Time, frames[9].Time,
						ms(1234567890000), ms(1234567890090))
				}
			},
		},
		{
			file:      "B22-packet-time-not-wall-clock-far-past-future.pcapng",
			wantLinks: []uint16{1}, wantFrames: 2,
			check: func(t *testing.T, frames []Frame) {
				wantTimes(t, frames, ms(4323283200250), -82800e9)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			g := readFile(t, filepath.Join(dir, tc.file))
			if tc.wantErr == nil {
				if g.err != io.EOF {
					t.Errorf("reading ended with %v, want io.EOF", g.err)
				}
			} else {
				checkFault(t, g.err, tc.wantErr, tc.wantOffset)
			}
			if len(g.frames) != tc.wantFrames {
				t.Fatalf("read %d frames, want %d", len(g.frames), tc.wantFrames)
			}
			if lts := linkTypes(g.frames); !slices.Equal(lts, tc.wantLinks) {
				t.Errorf("link types %v, want %v", lts, tc.wantLinks)
			}
			if tc.check != nil {
				tc.check(t, g.frames)
			}
		})
	}
}

func wantTimes(t *testing.T, frames []Frame, want ...int64) {
	t.Helper()
	for i, w := range want {
		if frames[i].Time != w {
			t.Errorf("frame %d at %d ns, want %d", i, frames[i].Time, w)
		}
	}
}

// TestBugCasesAll reads every capture among the bug cases to a clean end,
// so a case added later is read too.
func TestBugCasesAll(t *testing.T) {
	dir := sharedDir(t, "bugcases")
	names, _ := filepath.Glob(filepath.Join(dir, "*.pcap*"))
	if len(names) == 0 {
		t.Skip("no bug case captures found")
	}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			g := readFile(t, name)
			if strings.HasPrefix(filepath.Base(name), "B09-") {
				if !errors.Is(g.err, ErrTruncated) {
					t.Errorf("reading ended with %v, want ErrTruncated", g.err)
				}
			} else if g.err != io.EOF {
				t.Errorf("reading ended with %v, want io.EOF", g.err)
			}
			if len(g.frames) == 0 {
				t.Error("no frames")
			}
		})
	}
}

// corpusTruncated lists corpus files that end inside a record.
var corpusTruncated = map[string]bool{"ndpi_fuzz-2021-10-13.pcap": true}

func TestCorpus(t *testing.T) {
	dir := sharedDir(t, "corpus")
	manifest := readTSV(t, filepath.Join(dir, "MANIFEST.tsv"))
	capinfos := map[string]map[string]string{}
	for _, row := range readTSV(t, filepath.Join(dir, "CAPINFOS.tsv")) {
		capinfos[row["File name"]] = row
	}
	if len(manifest) == 0 {
		t.Fatal("MANIFEST.tsv lists no files")
	}
	for _, row := range manifest {
		name := row["file"]
		t.Run(name, func(t *testing.T) {
			g := readFile(t, filepath.Join(dir, "pcap", name))
			if corpusTruncated[name] {
				if !errors.Is(g.err, ErrTruncated) {
					t.Errorf("reading ended with %v, want ErrTruncated", g.err)
				}
			} else if g.err != io.EOF {
				t.Errorf("reading ended with %v, want io.EOF", g.err)
			}
			want, err := strconv.Atoi(row["packets"])
			if err != nil {
				t.Fatalf("packets column %q: %v", row["packets"], err)
			}
			if len(g.frames) != want {
				t.Errorf("read %d frames, want %d", len(g.frames), want)
			}
			if want := manifestLinks(t, row["link_type"]); len(g.frames) > 0 &&
				!slices.Equal(linkTypes(g.frames), want) {
				t.Errorf("link types %v, want %v", linkTypes(g.frames), want)
			}
			if want := manifestFormat(row["file_format"]); g.format != want {
				t.Errorf("Format() = %q, want %q", g.format, want)
			}
			checkTimeRange(t, g.frames, capinfos[name])
		})
	}
}

// readTSV reads a tab-separated table with a header row; lines starting
// with # are comments.
func readTSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var head []string
	var rows []map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if head == nil {
			head = cols
			continue
		}
		row := map[string]string{}
		for i, c := range cols {
			if i < len(head) {
				row[head[i]] = c
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// manifestLinks parses a link_type cell such as "1 EN10MB (Ethernet), 0 NULL
// (BSD loopback) (5 interfaces)" into its sorted link type numbers.
func manifestLinks(t testing.TB, cell string) []uint16 {
	t.Helper()
	var lts []uint16
	for part := range strings.SplitSeq(cell, ", ") {
		num, _, _ := strings.Cut(part, " ")
		v, err := strconv.ParseUint(num, 10, 16)
		if err != nil {
			t.Fatalf("link_type cell %q: %v", cell, err)
		}
		lts = append(lts, uint16(v))
	}
	slices.Sort(lts)
	return slices.Compact(lts)
}

// manifestFormat maps a file_format cell to what Format returns.
func manifestFormat(cell string) string {
	format := "pcap"
	if strings.Contains(cell, "pcapng") {
		format = "pcapng"
	}
	if strings.HasPrefix(cell, "gzip") {
		format += ".gz"
	}
	return format
}

// checkTimeRange compares the first and last frame times with capinfos'
// Start and End time, printed in UTC with as many fraction digits as the
// file's resolution.
func checkTimeRange(t *testing.T, frames []Frame, row map[string]string) {
	t.Helper()
	if row == nil || row["Start time"] == "n/a" || len(frames) == 0 {
		return
	}
	lo, hi := frames[0].Time, frames[0].Time
	for _, f := range frames {
		lo, hi = min(lo, f.Time), max(hi, f.Time)
	}
	if want := capinfosTime(t, row["Start time"]); lo != want {
		t.Errorf("earliest frame at %d, capinfos says %d (%s)", lo, want, row["Start time"])
	}
	if want := capinfosTime(t, row["End time"]); hi != want {
		t.Errorf("latest frame at %d, capinfos says %d (%s)", hi, want, row["End time"])
	}
}

// capinfosTime parses "2015-11-23 08:58:43.954061" as UTC nanoseconds. A
// fraction of more than 9 digits is capinfos printing a nanosecond field of
// a second or more as it is, so it is read as a count of nanoseconds.
func capinfosTime(t testing.TB, s string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := time.Parse(time.DateTime, whole)
	if err != nil {
		t.Fatalf("capinfos time %q: %v", s, err)
	}
	ns, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		t.Fatalf("capinfos time %q: %v", s, err)
	}
	for i := len(frac); i < 9; i++ {
		ns *= 10
	}
	return sec.UnixNano() + ns
}
