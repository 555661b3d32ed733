package check

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

var positioned = regexp.MustCompile(`^f\.yaml:\d+:\d+: `)

// FuzzParse: a check file is either refused with an EINVALID error that
// names the file, line and column, or gives a check that encodes to a
// file parsing back into it. Seeded with every built-in check.
func FuzzParse(f *testing.F) {
	names, err := fs.Glob(catalog.CheckFiles(), "*.yaml")
	if err != nil || len(names) == 0 {
		f.Fatalf("no built-in checks to seed from: %v", err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(catalog.CheckFiles(), name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(goodCheck))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("f.yaml", data)
		if err != nil {
			if attest.ErrorCode(err) != attest.EINVALID || !positioned.MatchString(attest.ErrorMessage(err)) {
				t.Fatalf("error %q: want EINVALID naming file:line:col", err)
			}
			return
		}
		out, err := Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse("f.yaml", out)
		if err != nil {
			t.Fatalf("encoded check does not parse: %v\n%s", err, out)
		}
		if back.ID != c.ID || back.Condition != c.Condition || back.Reason != c.Reason || back.When != c.When || back.Window != c.Window {
			t.Fatalf("round trip changed the check:\n%+v\n%+v", exported(back), exported(c))
		}
	})
}
