package ipfix

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// twoParts encodes two streams whose template 256 has different shapes:
// the first starts with an IPv4 record, the second with an IPv6 biflow
// record named by DPI, and both carry options records. It returns the
// data records of the first, which a second part's sequence numbers
// follow.
func twoParts(tb testing.TB) (a, b *output, aRecords int) {
	tb.Helper()
	a = encode(tb, testConfig(1, 0), func(e *Encoder) error {
		if err := addAll(baseRecord(), v6(baseRecord()))(e); err != nil {
			return err
		}
		return e.AddExporterStats()
	})
	cfg := testConfig(1, 0)
	cfg.NameApps = true
	b = encode(tb, cfg, addAll(withApp(biflow(v6(baseRecord())), "TLS", 91), baseRecord(),
		withApp(baseRecord(), "DNS", 5)))
	n := 0
	for _, m := range decodeStrict(tb, a.stream) {
		for _, s := range m.Sets {
			n += len(s.Records) // options records count too (RFC 7011 §3.1)
		}
	}
	return a, b, n
}

func TestSpliceOneStream(t *testing.T) {
	a, b, aRecords := twoParts(t)
	plain := append(bytes.Clone(a.stream), b.stream...)
	if _, err := ReadAllStrict(bytes.NewReader(plain)); !errors.Is(err, ErrWarning) {
		t.Fatalf("two streams back to back decode without a warning (%v): the test shows nothing", err)
	}
	var out bytes.Buffer
	first, err := Splice(&out, bytes.NewReader(a.stream), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if first.TopID < 256 || first.Octets != int64(len(a.stream)) {
		t.Fatalf("first part: %+v", first)
	}
	if _, err := Splice(&out, bytes.NewReader(b.stream), first.TopID-255, uint32(aRecords)); err != nil {
		t.Fatal(err)
	}
	spliced := decodeStrict(t, out.Bytes())
	want := append(decodeStrict(t, a.stream), decodeStrict(t, b.stream)...)
	got, exp := DataRecords(spliced), DataRecords(want)
	if len(got) != len(exp) {
		t.Fatalf("%d data records, want %d", len(got), len(exp))
	}
	for i := range got {
		if !reflect.DeepEqual(values(got[i]), values(exp[i])) {
			t.Errorf("record %d: %v, want %v", i, values(got[i]), values(exp[i]))
		}
	}
	problems, _ := ipfixDumpProblems(t, writeTemp(t, "spliced.ipfix", out.Bytes()))
	if len(problems) > 0 {
		t.Errorf("ipfixDump reports:\n%s", strings.Join(problems, "\n"))
	}
}

func TestRenumberErrors(t *testing.T) {
	tmpl := set(2, be16(300, 1, 8, 4))
	cases := []struct {
		name  string
		msg   []byte
		shift uint16
		want  error
	}{
		{name: "short header", msg: []byte{0, 10, 0, 12}, want: ErrLength},
		{name: "version 9", msg: func() []byte { m := msg(1, 0); m[1] = 9; return m }(), want: ErrVersion},
		{name: "set past the message", msg: func() []byte { m := msg(1, 0, tmpl); m[19] = 200; return m }(),
			want: ErrSetLength},
		{name: "reserved set id", msg: msg(1, 0, set(7, be16(1, 2))), want: ErrSetID},
		{name: "template past its set", msg: msg(1, 0, set(2, be16(300, 3, 8, 4))), want: ErrTemplate},
		{name: "ids exhausted", msg: msg(1, 0, tmpl), shift: 0xff00, want: ErrTemplate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Renumber(tc.msg, tc.shift, 0); !errors.Is(err, tc.want) {
				t.Errorf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestRenumberWithdrawal shifts withdrawals and options templates and
// leaves the ids of withdrawing every template alone.
func TestRenumberWithdrawal(t *testing.T) {
	m := msg(1, 7, set(2, be16(300, 0, 2, 0)), set(3, be16(301, 2, 1, 149, 4, 96, VariableLength)))
	top, err := Renumber(m, 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	want := msg(1, 12, set(2, be16(310, 0, 2, 0)), set(3, be16(311, 2, 1, 149, 4, 96, VariableLength)))
	if top != 311 || !bytes.Equal(m, want) {
		t.Errorf("top %d\n got %x\nwant %x", top, m, want)
	}
}

// FuzzRenumber renumbers arbitrary bytes: it must never panic, and a
// message the decoder reads must still be read, with as many records,
// after renumbering.
func FuzzRenumber(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		before, errBefore := NewDecoder().Decode(bytes.Clone(data))
		m := bytes.Clone(data)
		if _, err := Renumber(m, 3, 1); err != nil || errBefore != nil {
			return
		}
		after, err := NewDecoder().Decode(m)
		if err != nil {
			t.Fatalf("renumbered message no longer decodes: %v", err)
		}
		if n, k := len(DataRecords([]*Message{after})), len(DataRecords([]*Message{before})); n != k {
			t.Fatalf("%d records after renumbering, %d before", n, k)
		}
	})
}
