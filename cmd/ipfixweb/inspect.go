package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

const inspectUsage = `Usage: ipfixweb inspect [--json] FILE.ipfix

Decodes an IPFIX file (RFC 5655: IPFIX messages back to back) strictly.
Without --json it prints every message header, template, options template,
data record and options record. With --json it prints one JSON object per
data record (options records left out), each element under its name:
addresses as strings, dateTimeMilliseconds as integer ms since the epoch,
dateTimeMicro/Nanoseconds as RFC 3339 strings, octet arrays as hex.

Problems that do not stop decoding (a data set without template, a
sequence number jump) go to stderr as warnings; the exit status is 0. A
broken file stops with "inspect: FILE: offset N: reason" and status 1.

Flags:
`

// runInspect implements "ipfixweb inspect [--json] FILE" and returns the
// exit status: 0 when the file decoded, 1 when it is broken or cannot be
// read, 2 for bad usage.
func runInspect(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per data record")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), inspectUsage)
		fs.PrintDefaults()
	}
	// Flags may come before or after the file name.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		fs.Usage()
		return 2
	}
	file := files[0]
	f, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "inspect: %v\n", err)
		return 1
	}
	defer f.Close()

	w := bufio.NewWriter(stdout)
	p := &inspector{w: w, stderr: stderr, file: file, json: *asJSON}
	err = ipfix.ReadMessages(bufio.NewReaderSize(f, 1<<16), p.message)
	if err == nil && !p.json {
		p.summary()
	}
	if ferr := w.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("write output: %w", ferr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "inspect: %s: %v\n", file, err)
		return 1
	}
	return 0
}

// inspector prints the messages of one file.
type inspector struct {
	w      *bufio.Writer
	stderr io.Writer
	file   string
	json   bool

	messages, templates, records, options, warnings int
	line                                            bytes.Buffer // one JSON record
	// apps maps applicationId values (raw octets) to the applicationName
	// RFC 6759 options records gave them so far.
	apps map[string]string
}

// message prints one message and reports its warnings on stderr.
func (p *inspector) message(m *ipfix.Message) error {
	p.messages++
	for _, w := range m.Warnings {
		p.warnings++
		fmt.Fprintf(p.stderr, "inspect: %s: warning: %v\n", p.file, w)
	}
	if p.json {
		return p.jsonRecords(m)
	}
	fmt.Fprintf(p.w, "message %d at offset %d: length %d, export time %s, sequence %d, "+
		"domain %d\n", p.messages, m.Offset, m.Length, unixTime(int64(m.ExportTime), 0),
		m.Sequence, m.Domain)
	for i := range m.Sets {
		p.set(&m.Sets[i])
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(p.w, "  warning: %v\n", w)
	}
	return p.err()
}

// set prints a set and what it holds.
func (p *inspector) set(s *ipfix.Set) {
	switch {
	case len(s.Templates) > 0 || s.ID == 2:
		fmt.Fprintf(p.w, "  template set at offset %d, length %d\n", s.Offset, s.Length)
	case len(s.OptionsTemplates) > 0 || s.ID == 3:
		fmt.Fprintf(p.w, "  options template set at offset %d, length %d\n", s.Offset, s.Length)
	default:
		fmt.Fprintf(p.w, "  data set %d at offset %d, length %d, records: %d\n", s.ID, s.Offset,
			s.Length, len(s.Records))
	}
	for _, t := range slices.Concat(s.Templates, s.OptionsTemplates) {
		p.template(&t)
	}
	for i := range s.Records {
		p.record(&s.Records[i])
	}
}

// template prints a template record with its fields by name.
func (p *inspector) template(t *ipfix.Template) {
	p.templates++
	kind := "template"
	if t.ScopeCount > 0 {
		kind = "options template"
	}
	if t.Withdrawal() {
		fmt.Fprintf(p.w, "    %s %d withdrawn\n", kind, t.ID)
		return
	}
	fmt.Fprintf(p.w, "    %s %d: %d fields", kind, t.ID, len(t.Fields))
	if t.ScopeCount > 0 {
		fmt.Fprintf(p.w, ", %d scope", t.ScopeCount)
	}
	fmt.Fprintln(p.w)
	for i, f := range t.Fields {
		length := "variable length"
		if f.Length != ipfix.VariableLength {
			length = "length " + strconv.Itoa(int(f.Length))
		}
		fmt.Fprintf(p.w, "      %s%s (%v), %s\n", scope(i < t.ScopeCount), f.Name, f.IE, length)
	}
}

// record prints a data or options record, one field a line.
func (p *inspector) record(r *ipfix.Record) {
	p.records++
	kind := "record"
	if r.Options() {
		p.options++
		kind = "options record"
	}
	fmt.Fprintf(p.w, "    %s at offset %d (template %d)\n", kind, r.Offset, r.TemplateID)
	if r.Options() {
		p.learnApp(r)
	}
	for _, f := range r.Fields {
		v := textValue(&f)
		if f.IE == ieApplicationID {
			v += p.appText(f.Raw)
		}
		fmt.Fprintf(p.w, "      %s%s = %s\n", scope(f.Scope), f.Name, v)
	}
}

// ieApplicationID is applicationId (RFC 6759).
var ieApplicationID = ipfix.IE{ID: 95}

// learnApp keeps the name an RFC 6759 options record gives an
// applicationId.
func (p *inspector) learnApp(r *ipfix.Record) {
	id, okID := r.Field("applicationId")
	name, okName := r.Field("applicationName")
	if !okID || !okName || !id.Scope {
		return
	}
	if p.apps == nil {
		p.apps = map[string]string{}
	}
	p.apps[string(id.Raw)], _ = name.Value.(string)
}

// appText explains an applicationId value: its classification engine,
// its selector and, when an options record named it, its name.
func (p *inspector) appText(raw []byte) string {
	if len(raw) < 2 || len(raw) > 9 {
		return ""
	}
	var sel uint64
	for _, c := range raw[1:] {
		sel = sel<<8 | uint64(c)
	}
	s := fmt.Sprintf(" (engine %d, selector %d", raw[0], sel)
	if name, ok := p.apps[string(raw)]; ok {
		s += ": " + strconv.Quote(name)
	}
	return s + ")"
}

// summary prints the totals.
func (p *inspector) summary() {
	fmt.Fprintf(p.w, "%d messages, %d templates, %d data records (%d options records), "+
		"%d warnings\n", p.messages, p.templates, p.records, p.options, p.warnings)
}

// err returns the writer's error, so a closed stdout stops the decoding.
func (p *inspector) err() error {
	if _, err := p.w.Write(nil); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func scope(s bool) string {
	if s {
		return "scope "
	}
	return ""
}

// textValue formats a field for people: times also as dates, strings
// quoted, octet arrays in hex.
func textValue(f *ipfix.Field) string {
	switch v := f.Value.(type) {
	case string:
		return strconv.Quote(v)
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case uint64:
		switch f.Type {
		case ipfix.TypeDateTimeMilliseconds:
			return fmt.Sprintf("%d (%s)", v, unixTime(0, v))
		case ipfix.TypeDateTimeSeconds:
			return fmt.Sprintf("%d (%s)", v, unixTime(int64(v), 0))
		}
	}
	return fmt.Sprint(f.Value)
}

// unixTime formats seconds or milliseconds since the epoch in UTC.
func unixTime(sec int64, ms uint64) string {
	t := time.Unix(sec, 0)
	if ms != 0 {
		t = time.UnixMilli(int64(min(ms, math.MaxInt64)))
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// jsonRecords prints each data record of m as one JSON object, fields in
// template order. A name that repeats in a record gets "_2", "_3" ...
func (p *inspector) jsonRecords(m *ipfix.Message) error {
	for _, r := range ipfix.DataRecords([]*ipfix.Message{m}) {
		p.records++
		p.line.Reset()
		p.line.WriteByte('{')
		seen := make(map[string]int, len(r.Fields))
		for i, f := range r.Fields {
			name := f.Name
			if seen[name]++; seen[name] > 1 {
				name += "_" + strconv.Itoa(seen[name])
			}
			if i > 0 {
				p.line.WriteByte(',')
			}
			key, _ := json.Marshal(name)
			p.line.Write(key)
			p.line.WriteByte(':')
			val, err := json.Marshal(f.Value)
			if err != nil {
				val = []byte("null") // NaN and infinite floats
			}
			p.line.Write(val)
		}
		p.line.WriteString("}\n")
		if _, err := p.w.Write(p.line.Bytes()); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
	}
	return nil
}
