package catalog

import (
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// FuzzPolicyTemplate: a template file is either refused with a message
// naming the file and a line, or gives a template whose body the store
// accepts and whose id is the file's name. Seeded with every shipped
// template.
func FuzzPolicyTemplate(f *testing.F) {
	names, err := fs.Glob(policyContent, "policies/*.md")
	if err != nil || len(names) == 0 {
		f.Fatalf("no templates to seed from: %v", err)
	}
	for _, name := range names {
		data, err := fs.ReadFile(policyContent, name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(path.Base(name), data)
	}
	controls := map[string]bool{}
	for _, c := range MustSOC2().Controls {
		controls[c.ID] = true
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		tpl, err := parsePolicy(name, data, controls, map[string]string{})
		if err != nil {
			if attest.ErrorCode(err) != attest.EINVALID || !strings.HasPrefix(attest.ErrorMessage(err), name+":") {
				t.Fatalf("error %q: want EINVALID naming the file", err)
			}
			return
		}
		if tpl.ID != strings.TrimSuffix(name, ".md") {
			t.Fatalf("template %q accepted from file %q", tpl.ID, name)
		}
		if err := attest.CheckPolicyBody(tpl.Body); err != nil {
			t.Fatalf("accepted a body the store refuses: %v", err)
		}
	})
}
