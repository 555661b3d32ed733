package restapi

import (
	"strings"
	"testing"
)

// FuzzLoad: any integration file either loads as a kind with a name and
// resource types, or is refused with an error that starts with the file's
// name and a line; it never panics.
func FuzzLoad(f *testing.F) {
	data, err := builtin.ReadFile("builtin/slack.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("name: x\n"))
	f.Add([]byte("name: [\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := Load("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("error %q does not name the file and its position", err)
			}
			return
		}
		if k.Name == "" || len(k.ResourceTypes) == 0 || k.New == nil {
			t.Fatalf("loaded kind %+v lacks a name, resource types or a constructor", k)
		}
	})
}
