package collect

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// JSONValue turns a decoded JSON value (json.Number included) into the
// plain JSON values Attributes hold: numbers become float64, recursively.
func JSONValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = JSONValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = JSONValue(e)
		}
		return out
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	}
	return v
}

// Strings returns a sorted []any of the strings, the attribute form of a
// set of names.
func Strings(s []string) []any {
	c := append([]string(nil), s...)
	sort.Strings(c)
	out := make([]any, len(c))
	for i, e := range c {
		out[i] = e
	}
	return out
}

// CheckValue reports the first value that is not a plain JSON value
// (string, float64, bool, nil, []any, map[string]any), with its path.
func CheckValue(path string, v any) error {
	switch x := v.(type) {
	case nil, string, bool:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: %v is not a JSON number", path, x)
		}
		return nil
	case []any:
		for i, e := range x {
			if err := CheckValue(fmt.Sprintf("%s[%d]", path, i), e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for k, e := range x {
			if err := CheckValue(path+"."+k, e); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("%s: %T is not a JSON value", path, v)
}
