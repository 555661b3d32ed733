package conformance

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/attest-dev/attest/collect"
)

// contract is check/RESOURCES.md parsed: resource type → attribute names
// the built-in checks read.
var contract = sync.OnceValue(func() map[string][]string {
	dir, _ := os.Getwd()
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "check", "RESOURCES.md"))
	if err != nil {
		return nil
	}
	out := map[string][]string{}
	typ := ""
	row := regexp.MustCompile("^\\|\\s*`([a-z0-9_]+)`\\s*\\|")
	for _, line := range strings.Split(string(data), "\n") {
		if t, ok := strings.CutPrefix(line, "## "); ok {
			typ = strings.TrimSpace(t)
			continue
		}
		if m := row.FindStringSubmatch(line); m != nil && typ != "" {
			out[typ] = append(out[typ], m[1])
		}
	}
	return out
})

// CheckContract fails t for a resource lacking an attribute that
// check/RESOURCES.md lists for its type: the checks would read null.
func CheckContract(t testing.TB, rs []collect.Resource) {
	t.Helper()
	c := contract()
	missing := map[string]bool{}
	for _, r := range rs {
		for _, a := range c[r.Type] {
			if _, ok := r.Attributes[a]; !ok && !missing[r.Type+"."+a] {
				missing[r.Type+"."+a] = true
				t.Errorf("%s %q lacks %q, which check/RESOURCES.md promises", r.Type, r.ID, a)
			}
		}
	}
}
