package attest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// FieldChange is one field of an audited object as a change left it:
// "status: in_progress → implemented". Before or After is "" when the field
// was absent or empty on that side.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// maxChangeText caps a value shown in a change: a policy's text or a
// statement is summarized, not reprinted.
const maxChangeText = 120

// quietFields are set by every write and say nothing of their own (the
// entry has its own time).
var quietFields = map[string]bool{"updated_at": true, "created_at": true}

// AuditChanges compares an entry's before and after objects field by field
// and returns the fields that differ, in name order: for a creation the
// fields that were set, for a removal the fields that were there. Values
// that are not JSON objects are compared as a whole, under the field "".
func AuditChanges(before, after json.RawMessage) []FieldChange {
	b, bok := jsonObject(before)
	a, aok := jsonObject(after)
	if !bok || !aok {
		bt, at := changeText(before), changeText(after)
		if bt == at {
			return nil
		}
		return []FieldChange{{Before: bt, After: at}}
	}
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []FieldChange
	for _, k := range keys {
		if quietFields[k] {
			continue
		}
		bt, at := changeText(b[k]), changeText(a[k])
		if bt != at {
			out = append(out, FieldChange{Field: k, Before: bt, After: at})
		}
	}
	return out
}

// FieldChanges is AuditChanges under the name the task history uses.
func FieldChanges(before, after json.RawMessage) []FieldChange {
	return AuditChanges(before, after)
}

// jsonObject decodes an object; null or nothing is an empty object.
func jsonObject(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return map[string]json.RawMessage{}, true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, false
	}
	return m, true
}

// changeText shows a JSON value as a person reads it: text without quotes,
// a list of plain values joined by commas, empty values as "".
func changeText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return clipChange(string(raw))
	}
	switch x := v.(type) {
	case string:
		return clipChange(x)
	case bool, float64:
		if x == false || x == 0.0 {
			return ""
		}
		return fmt.Sprint(x)
	case map[string]any:
		// A person ({"id", "name", "email"}) is shown by name, as recorded
		// then, or by email when the name is empty.
		if name, ok := x["name"].(string); ok {
			if email, _ := x["email"].(string); name == "" {
				return clipChange(email)
			}
			return clipChange(name)
		}
		var buf bytes.Buffer
		if json.Compact(&buf, raw) != nil || buf.String() == "{}" {
			return clipChange(strings.TrimPrefix(buf.String(), "{}"))
		}
		return clipChange(buf.String())
	case []any:
		parts := make([]string, 0, len(x))
		for _, e := range x {
			switch e.(type) {
			case string, float64, bool:
				parts = append(parts, fmt.Sprint(e))
			default:
				var buf bytes.Buffer
				if json.Compact(&buf, raw) == nil {
					return clipChange(buf.String())
				}
				return clipChange(string(raw))
			}
		}
		return clipChange(strings.Join(parts, ", "))
	default:
		var buf bytes.Buffer
		if json.Compact(&buf, raw) != nil {
			return clipChange(string(raw))
		}
		if buf.String() == "{}" {
			return ""
		}
		return clipChange(buf.String())
	}
}

// clipChange shortens text to maxChangeText characters, on a rune boundary.
func clipChange(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxChangeText {
		return string(r[:maxChangeText]) + "…"
	}
	return s
}
