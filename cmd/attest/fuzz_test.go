package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/attest-dev/attest"
)

// seedDir adds every file of testdata/dir to f's corpus.
func seedDir(f *testing.F, dir string) {
	names, err := filepath.Glob(filepath.Join("testdata", dir, "*"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no seeds in testdata/%s: %v", dir, err)
	}
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// FuzzPolicyFile: a file of a policy folder is either refused with a
// message naming it, or gives front matter and a body that the store will
// accept as they are.
func FuzzPolicyFile(f *testing.F) {
	seedDir(f, "policy-folder")
	f.Add([]byte("---\nid: x\n---\n{{owner\n"))
	f.Add([]byte("---\nid: x\n---\n\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, body, err := parsePolicyFile("p.md", data)
		if err != nil {
			if attest.ErrorCode(err) != attest.EINVALID || !strings.HasPrefix(attest.ErrorMessage(err), "p.md") {
				t.Fatalf("error %q: want EINVALID naming the file", err)
			}
			return
		}
		if pf == nil || attest.CheckPolicyBody(body) != nil {
			t.Fatalf("accepted a body the store refuses: %q", body)
		}
		for _, s := range append([]string{pf.ID, pf.Title, pf.Type, pf.Version}, pf.Controls...) {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Fatalf("accepted front matter with bad text: %q", s)
			}
		}
	})
}

// FuzzTaskCSV: a task file is either refused with a message naming the
// line, or gives tasks that pass validation with text any database stores.
func FuzzTaskCSV(f *testing.F) {
	seedDir(f, "tasks")
	f.Add([]byte("title\n\"unclosed\n"))
	f.Add([]byte("title,notes\na,b\x00c\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tasks, err := readTaskCSV(bytes.NewReader(data), 0, func(string) (int64, error) { return 0, nil })
		if err != nil {
			if attest.ErrorCode(err) != attest.EINVALID {
				t.Fatalf("error %q is not EINVALID", err)
			}
			return
		}
		if len(tasks) == 0 {
			t.Fatal("accepted a file without tasks")
		}
		for _, tk := range tasks {
			if err := tk.Validate(); err != nil {
				t.Fatalf("accepted an invalid task: %v", err)
			}
			for _, s := range []string{tk.Title, tk.Notes, tk.ControlID, string(tk.Status)} {
				if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
					t.Fatalf("accepted text no database stores safely: %q", s)
				}
			}
		}
	})
}
