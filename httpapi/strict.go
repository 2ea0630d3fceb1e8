package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// exportFields are the JSON names of exportBody's fields.
var exportFields = jsonNames(reflect.TypeFor[exportBody]())

func jsonNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		names[name] = true
	}
	return names
}

// checkKeys refuses a body whose top-level object names a field that is
// not in known, or names one twice. encoding/json would take "Pcap_Files"
// for pcap_files and keep the last of two values silently; a request
// that two readers could read differently is refused instead. Bodies
// that are not a JSON object pass, for the decoder to report.
func checkKeys(body []byte, known map[string]bool) *FieldError {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := tok.(string)
		switch {
		case !known[key]:
			return bad(key, "unknown field")
		case seen[key]:
			return bad(key, "given more than once")
		}
		seen[key] = true
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil
		}
	}
	return nil
}
