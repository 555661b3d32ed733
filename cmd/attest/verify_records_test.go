package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/attest-dev/attest/internal/testdb"
)

// TestVerifyPackageRecords: the demo's package holds its published
// policies as PDF with their records, the scope and readiness, and
// `attest verify FILE.zip` checks them: a policy PDF changed after signing
// is reported by name.
func TestVerifyPackageRecords(t *testing.T) {
	tg := testdb.Targets(t)[0] // the package does not depend on the database
	c := newCLI(t, tg)
	c.ok(nil, "init", "--demo")
	var key struct {
		PublicKey string `json:"public_key"`
	}
	c.ok(&key, "signing-key", "--json")
	dir := t.TempDir()
	pkg := filepath.Join(dir, "package.zip")
	if out := c.ok(nil, "export", "package", "--out", pkg); !regexp.MustCompile(`Also in the package: (\d+) published policies as PDF`).MatchString(out) {
		t.Errorf("export text does not count the policies:\n%s", out)
	}

	zr, err := zip.OpenReader(pkg)
	if err != nil {
		t.Fatal(err)
	}
	var pdf string
	have := map[string]bool{}
	for _, f := range zr.File {
		have[f.Name] = true
		if strings.HasPrefix(f.Name, "policies/") && strings.HasSuffix(f.Name, ".pdf") && pdf == "" {
			pdf = f.Name
		}
	}
	zr.Close()
	for _, name := range []string{"scope.json", "readiness.json", "policies/approvals.csv", "policies/acknowledgements.csv"} {
		if !have[name] {
			t.Errorf("the package lacks %s", name)
		}
	}
	if pdf == "" {
		t.Fatal("the package holds no policy PDF")
	}
	if out, errOut, code := offline(t, "verify", pkg, "--key", key.PublicKey); code != 0 {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errOut)
	}

	bad := filepath.Join(dir, "bad.zip")
	replaceEntry(t, pkg, bad, pdf, func(b []byte) []byte { return bytes.Replace(b, []byte("/Title"), []byte("/Titel"), 1) })
	out, errOut, code := offline(t, "verify", bad, "--key", key.PublicKey)
	if code != 1 || !strings.Contains(out, pdf) || !strings.Contains(errOut, "incomplete or was altered") {
		t.Errorf("verify of a package with a changed policy PDF: exit %d\n%s%s", code, out, errOut)
	}
}

// replaceEntry copies the zip src to dst with the entry name passed
// through change.
func replaceEntry(t *testing.T, src, dst, name string, change func([]byte) []byte) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	changed := false
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		nb := change(bytes.Clone(b))
		changed = !bytes.Equal(b, nb)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: f.Method, Modified: f.Modified})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(nb)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if !changed {
		t.Fatalf("%s was not changed", name)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}
