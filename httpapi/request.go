package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/pathpolicy"
	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// FieldError is a request that cannot be served, because of one field.
// Status is the HTTP status to answer with.
type FieldError struct {
	Status int
	Field  string // empty when the fault is not in one field
	Reason string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

func bad(field, format string, args ...any) *FieldError {
	return &FieldError{Status: 400, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// exportBody is the body of POST /api/export-task, as the original
// system's clients send it.
type exportBody struct {
	PcapFiles     *[]string        `json:"pcap_files"`
	OutputPath    *string          `json:"output_path"`
	DPI           *bool            `json:"DPI"`
	DPIBudget     *int             `json:"dpi_budget"`
	AnalysisList  *[]string        `json:"analysis_list"`
	Biflow        *bool            `json:"biflow"`
	IdleTimeout   *json.RawMessage `json:"idle_timeout"`
	ActiveTimeout *json.RawMessage `json:"active_timeout"`
	Overwrite     *bool            `json:"overwrite"`

	Collector               *string          `json:"collector"`
	UDPMessageSize          *int             `json:"udp_message_size"`
	UDPRate                 *float64         `json:"udp_rate"`
	TemplateRefresh         *json.RawMessage `json:"template_refresh"`
	TemplateRefreshMessages *int             `json:"template_refresh_messages"`
}

// Limits of a request.
const (
	maxFiles      = 10000
	maxTimeout    = 7 * 24 * time.Hour
	maxDPIBudget  = 10000
	minTimeout    = time.Millisecond // records are timed to the millisecond
	maxKeyLength  = 200
	defaultIdle   = flow.DefaultIdleTimeout
	defaultActive = flow.DefaultActiveTimeout
)

// parseExport decodes an export request and checks every field but the
// files themselves (see [checkPaths]). The result is normalised: paths
// are clean, timeouts filled in. It reads nothing but body, so the same
// body always gives the same request.
func parseExport(body []byte) (task.Request, error) {
	b, err := decodeBody(body)
	if err != nil {
		return task.Request{}, err
	}
	var r task.Request
	if err := parsePaths(b, &r); err != nil {
		return r, err
	}
	if err := parseOptions(b, &r); err != nil {
		return r, err
	}
	return r, nil
}

// decodeBody decodes a body that is one JSON object of known fields,
// each given once.
func decodeBody(body []byte) (*exportBody, error) {
	if err := checkKeys(body, exportFields); err != nil {
		return nil, err
	}
	var b exportBody
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, bad("", "the body holds more than one JSON value")
	}
	return &b, nil
}

// parsePaths takes the inputs and the output, clean.
func parsePaths(b *exportBody, r *task.Request) error {
	if b.PcapFiles == nil {
		return bad("pcap_files", "required: a list of capture file paths")
	}
	if len(*b.PcapFiles) == 0 {
		return bad("pcap_files", "must name at least one capture file")
	}
	if len(*b.PcapFiles) > maxFiles {
		return bad("pcap_files", "at most %d files per task", maxFiles)
	}
	for _, f := range *b.PcapFiles {
		r.PcapFiles = append(r.PcapFiles, cleanPath(f))
	}
	if err := parseCollector(b, r); err != nil {
		return err
	}
	switch {
	case b.OutputPath == nil:
		if r.Collector == "" {
			return bad("output_path", "required: the IPFIX file to write, unless a collector is given")
		}
	case *b.OutputPath == "":
		// Not a way to stream only: that is leaving the field out.
		return bad("output_path", "empty: name the IPFIX file to write, or leave the field out "+
			"to stream to a collector only")
	default:
		r.OutputPath = cleanPath(*b.OutputPath)
		if strings.HasSuffix(*b.OutputPath, "/") && r.OutputPath != "/" {
			// It names a directory: the slash stays for [checkPaths] to
			// refuse it, rather than make a file of that name.
			r.OutputPath += "/"
		}
	}
	if b.Overwrite != nil {
		r.Overwrite = *b.Overwrite
	}
	return nil
}

// parseOptions takes the meter and DPI settings.
func parseOptions(b *exportBody, r *task.Request) error {
	if b.DPI != nil {
		r.DPI = *b.DPI
	}
	if b.DPIBudget != nil {
		if *b.DPIBudget < 1 || *b.DPIBudget > maxDPIBudget {
			return bad("dpi_budget", "must be 1 to %d packets", maxDPIBudget)
		}
		r.DPIBudget = *b.DPIBudget
	}
	if b.Biflow != nil {
		r.Biflow = *b.Biflow
	}
	if b.AnalysisList != nil {
		if _, err := flow.ParseProtocols(*b.AnalysisList); err != nil {
			return bad("analysis_list", "%v", err)
		}
		for _, a := range *b.AnalysisList {
			if a = strings.ToLower(strings.TrimSpace(a)); a != "" {
				r.AnalysisList = append(r.AnalysisList, a)
			}
		}
	}
	idle, err := timeout("idle_timeout", b.IdleTimeout, defaultIdle)
	if err != nil {
		return err
	}
	active, err := timeout("active_timeout", b.ActiveTimeout, defaultActive)
	if err != nil {
		return err
	}
	r.IdleTimeout, r.ActiveTimeout = idle.Seconds(), active.Seconds()
	return nil
}

// cleanPath normalises an absolute path; others are left for
// [checkPaths] to refuse as they were given.
func cleanPath(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return p
}

// checkPaths checks a parsed request's files against the policy: the
// inputs must be readable regular files under an input root, the output
// a new file (or one to overwrite) under the output root, none of them
// in the data directory, and the output none of the inputs.
func checkPaths(r *task.Request, policy *pathpolicy.Policy) error {
	for i, f := range r.PcapFiles {
		if _, err := policy.Input(f); err != nil {
			return pathError(fmt.Sprintf("pcap_files[%d]", i), err)
		}
	}
	if r.OutputPath == "" {
		return nil // streams only
	}
	if _, err := policy.Output(r.OutputPath, r.Overwrite); err != nil {
		return pathError("output_path", err)
	}
	if strings.HasSuffix(r.OutputPath, "/") {
		return bad("output_path", "ends in /: name a file, not a directory")
	}
	for i, f := range r.PcapFiles {
		if f == r.OutputPath {
			return bad("output_path", "is also pcap_files[%d]", i)
		}
	}
	return nil
}

// timeout reads a timeout given as a number of seconds or as a duration
// string such as "90s" or "5m".
func timeout(field string, raw *json.RawMessage, def time.Duration) (time.Duration, error) {
	if raw == nil || string(*raw) == "null" {
		return def, nil
	}
	var d time.Duration
	var secs float64
	var text string
	switch {
	case json.Unmarshal(*raw, &secs) == nil:
		if math.IsNaN(secs) || secs < minTimeout.Seconds() || secs > maxTimeout.Seconds() {
			return 0, bad(field, "must be at least %g and at most %d seconds", minTimeout.Seconds(),
				int(maxTimeout.Seconds()))
		}
		d = time.Duration(secs * float64(time.Second))
	case json.Unmarshal(*raw, &text) == nil:
		var err error
		if d, err = time.ParseDuration(text); err != nil {
			return 0, bad(field, "%q is neither a number of seconds nor a duration like \"300s\"", text)
		}
		if d < minTimeout || d > maxTimeout {
			return 0, bad(field, "must be at least %s and at most %s", minTimeout, maxTimeout)
		}
	default:
		return 0, bad(field, "must be a number of seconds or a duration string")
	}
	return d, nil
}

// jsonError names the field of a decoding error where it can.
func jsonError(err error) *FieldError {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return bad("", "the body must be a JSON object")
		}
		return bad(field, "must be %s, not %s", typeName(te.Type.String()), te.Value)
	case errors.As(err, &se):
		return bad("", "invalid JSON at byte %d: %v", se.Offset, se)
	case errors.Is(err, io.EOF):
		return bad("", "the body is empty; it must be a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return bad("", "the JSON body ends too early")
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return bad(strings.Trim(name, `"`), "unknown field")
	}
	return bad("", "%s", strings.TrimPrefix(msg, "json: "))
}

func typeName(goType string) string {
	switch goType {
	case "[]string":
		return "a list of strings"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int":
		return "a whole number"
	case "float64":
		return "a number"
	}
	return goType
}

// pathError turns a refused path into a field error. A path outside the
// roots or inside the data directory is forbidden (403); an existing
// output is a conflict (409).
func pathError(field string, err error) *FieldError {
	status := 400
	switch {
	case errors.Is(err, pathpolicy.ErrOutside), errors.Is(err, pathpolicy.ErrInsideInput),
		errors.Is(err, pathpolicy.ErrReserved):
		status = 403
	case errors.Is(err, pathpolicy.ErrExists):
		status = 409
	}
	var pe *pathpolicy.Error
	reason := err.Error()
	if errors.As(err, &pe) {
		reason = fmt.Sprintf("%q: %s", pe.Path, pe.Reason)
	}
	return &FieldError{Status: status, Field: field, Reason: reason}
}
