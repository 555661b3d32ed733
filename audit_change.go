package attest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// FieldChange is one field an audited change altered, its values as text.
type FieldChange struct {
	Field  string `json:"field"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// unshownFields change with every write and say nothing on their own.
var unshownFields = map[string]bool{"updated_at": true, "created_at": true, "closed_at": true, "id": true}

// FieldChanges compares the before and after values an audit entry
// recorded (JSON objects) and returns the fields that differ, by name.
// A person ({"id", "name", "email"}) is shown by name, as recorded then.
// Values that are not objects give a single change of field "".
func FieldChanges(before, after json.RawMessage) []FieldChange {
	var b, a map[string]any
	errB := decodeObject(before, &b)
	errA := decodeObject(after, &a)
	if errB != nil || errA != nil {
		if string(before) == string(after) {
			return nil
		}
		return []FieldChange{{Before: string(before), After: string(after)}}
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []FieldChange
	for k := range keys {
		if unshownFields[k] {
			continue
		}
		bv, av := changeText(b[k]), changeText(a[k])
		if bv != av {
			out = append(out, FieldChange{Field: k, Before: bv, After: av})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func decodeObject(raw json.RawMessage, v *map[string]any) error {
	if len(raw) == 0 || string(raw) == "null" {
		*v = map[string]any{}
		return nil
	}
	return json.Unmarshal(raw, v)
}

// changeText is a recorded value as text: people by name, lists joined,
// nothing as "".
func changeText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool, float64:
		return fmt.Sprint(x)
	case map[string]any:
		if name, ok := x["name"].(string); ok {
			if email, _ := x["email"].(string); name == "" {
				return email
			}
			return name
		}
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = changeText(e)
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	return string(b)
}
