package attest

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeGoVersion: the Go version the README asks for is the one
// go.mod's go line names, so a reader is never told an older Go will do.
func TestReadmeGoVersion(t *testing.T) {
	mod, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+(?:\.\d+)?)$`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	want := string(m[1])
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	mentions := regexp.MustCompile(`Go (\d+\.\d+(?:\.\d+)?)\+?`).FindAllSubmatch(readme, -1)
	if len(mentions) == 0 {
		t.Fatal("the README names no Go version")
	}
	for _, g := range mentions {
		if string(g[1]) != want || strings.HasSuffix(string(g[0]), "+") {
			t.Errorf("the README says %q; go.mod says go %s", g[0], want)
		}
	}
}
