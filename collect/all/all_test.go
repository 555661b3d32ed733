package all_test

import (
	"strings"
	"testing"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/all"
)

// TestKinds: names are unique and findable, every kind declares its
// resource types, and every required field is refused when missing.
func TestKinds(t *testing.T) {
	seen := map[string]bool{}
	var names []string
	for _, k := range all.Kinds() {
		names = append(names, k.Name)
		if seen[k.Name] {
			t.Errorf("kind %s listed twice", k.Name)
		}
		seen[k.Name] = true
		if k.Title == "" || len(k.ResourceTypes) == 0 || k.New == nil {
			t.Errorf("kind %s lacks a title, resource types or New", k.Name)
		}
		if f, ok := all.Find(k.Name); !ok || f.Name != k.Name {
			t.Errorf("Find(%s) failed", k.Name)
		}
		for _, f := range k.Fields {
			if !f.Required {
				continue
			}
			_, err := k.New(collect.Config{Settings: map[string]string{}, Secrets: map[string]string{}})
			if err == nil {
				t.Errorf("%s: New with nothing configured succeeded though %s is required", k.Name, f.Name)
			}
			break
		}
	}
	want := "linux postgres mysql ldap github git aws okta hrroster slack"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("kinds %q, want %q", got, want)
	}
	if _, ok := all.Find("nope"); ok {
		t.Error("Find(nope) found something")
	}
}
