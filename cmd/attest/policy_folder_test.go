package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attest-dev/attest/internal/testdb"
)

// TestPolicyFolderRoundTrip: export then import changes nothing; an edited
// text becomes a new version; a stale or malformed folder is refused and
// changes nothing.
func TestPolicyFolderRoundTrip(t *testing.T) {
	data, folder := t.TempDir(), t.TempDir()
	c := &cli{t, []string{"--data", data}}
	c.ok(nil, "init", "--org-name", "Acme Cloud")
	c.ok(nil, "policy", "adopt", "access-control", "--owner", "admin@localhost")
	c.ok(nil, "policy", "adopt", "backup")
	versions := func() string {
		var list []map[string]any
		c.ok(&list, "policy", "list", "--json")
		var out []string
		for _, p := range list {
			out = append(out, p["template_id"].(string)+"@"+p["current_version"].(string))
		}
		return strings.Join(out, " ")
	}
	c.ok(nil, "policy", "export", "--dir", folder)
	file := filepath.Join(folder, "access-control.md")
	first, err := os.ReadFile(file)
	if err != nil || !bytes.HasPrefix(first, []byte("---\nid: access-control\n")) || !bytes.Contains(first, []byte("Acme Cloud")) {
		t.Fatalf("exported file: %v\n%.300s", err, first)
	}
	start := versions()
	if out := c.ok(nil, "policy", "import", "--dir", folder); !strings.Contains(out, "0 changed") {
		t.Errorf("round trip: %s", out)
	}
	if got := versions(); got != start {
		t.Fatalf("a round trip changed the versions: %s, was %s", got, start)
	}
	again := t.TempDir()
	c.ok(nil, "policy", "export", "--dir", again)
	if second, _ := os.ReadFile(filepath.Join(again, "access-control.md")); !bytes.Equal(first, second) {
		t.Error("exporting again after a round trip gives other bytes")
	}

	// A refused import changes nothing: a bad file anywhere stops them all.
	edited := bytes.Replace(first, []byte("## Purpose"), []byte("## Purpose\n\nReviewed by the security team."), 1)
	os.WriteFile(file, edited, 0o644)
	os.WriteFile(filepath.Join(folder, "backup.md"), []byte("---\nid: backup\ncolour: red\n---\ntext\n"), 0o644)
	c.fails(2, "backup.md", "policy", "import", "--dir", folder)
	os.WriteFile(filepath.Join(folder, "backup.md"), bytes.Replace(mustRead(t, filepath.Join(again, "backup.md")), []byte("title: Backup"), []byte("title: Backups"), 1), 0o644)
	c.fails(2, "only the text can change", "policy", "import", "--dir", folder)
	if got := versions(); got != start {
		t.Fatalf("a refused import changed the versions: %s", got)
	}

	// The edited text becomes version 1.1; the old folder is then stale.
	os.WriteFile(filepath.Join(folder, "backup.md"), mustRead(t, filepath.Join(again, "backup.md")), 0o644)
	if out := c.ok(nil, "policy", "import", "--dir", folder); !strings.Contains(out, "1 changed") {
		t.Errorf("import of one edit: %s", out)
	}
	if got := versions(); !strings.Contains(got, "access-control@1.1") || !strings.Contains(got, "backup@1.0") {
		t.Errorf("after the edit: %s", got)
	}
	c.fails(2, "written from version 1.0", "policy", "import", "--dir", again)
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPolicyImportAllOrNothing: a folder whose first file holds a valid
// edit and whose last file is damaged is refused with exit 2 naming the
// file and its line, and saves nothing, on both databases.
func TestPolicyImportAllOrNothing(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t, tg)
			c.ok(nil, "init", "--org-name", "Acme Cloud")
			c.ok(nil, "policy", "adopt", "access-control")
			c.ok(nil, "policy", "adopt", "backup")
			folder := t.TempDir()
			c.ok(nil, "policy", "export", "--dir", folder)
			good := mustRead(t, filepath.Join(folder, "access-control.md"))
			backup := mustRead(t, filepath.Join(folder, "backup.md"))
			os.WriteFile(filepath.Join(folder, "access-control.md"), bytes.Replace(good, []byte("## Purpose"), []byte("## Purpose\n\nA valid edit."), 1), 0o644)
			front := backup[:bytes.Index(backup[4:], []byte("---\n"))+8] // "---\n…---\n"
			frontLines := bytes.Count(front, []byte("\n"))
			for _, tc := range []struct {
				name string
				body string
				want string
			}{
				{"empty body", "\n\n", "backup.md: a policy needs a body"},
				{"unknown placeholder", "# Backup\n\nOwned by {{ceo}}.\n", fmt.Sprintf("backup.md line %d: unknown placeholder {{ceo}}", frontLines+3)},
				{"unclosed placeholder", "# Backup\n{{owner\n", fmt.Sprintf("backup.md line %d: unclosed placeholder", frontLines+2)},
				{"NUL byte", "# Backup\n\nab\x00c\n", fmt.Sprintf("backup.md line %d: the text holds a NUL byte", frontLines+3)},
				{"invalid UTF-8", "# Backup\n\xff\n", fmt.Sprintf("backup.md line %d: the text is not valid UTF-8", frontLines+2)},
			} {
				os.WriteFile(filepath.Join(folder, "backup.md"), append(append([]byte{}, front...), tc.body...), 0o644)
				c.fails(2, tc.want, "policy", "import", "--dir", folder)
				var list []map[string]any
				c.ok(&list, "policy", "list", "--json")
				for _, p := range list {
					if p["current_version"] != "1.0" {
						t.Errorf("%s: %s is at %v after a refused import", tc.name, p["template_id"], p["current_version"])
					}
				}
			}
		})
	}
}
