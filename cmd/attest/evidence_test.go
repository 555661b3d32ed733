package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attest-dev/attest/internal/testdb"
)

type evidenceItem struct {
	ID     int64  `json:"id"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	Type   string `json:"content_type"`
	Name   string `json:"file_name"`
}

type request struct {
	ControlID string `json:"control_id"`
	Need      int    `json:"need"`
	Frequency string `json:"frequency"`
	Slots     []struct {
		Start    string  `json:"start"`
		State    string  `json:"state"`
		Evidence []int64 `json:"evidence"`
	} `json:"slots"`
}

type pkgReport struct {
	OK       bool     `json:"ok"`
	Files    int      `json:"files"`
	Signer   string   `json:"signer"`
	Problems []string `json:"problems"`
	Meta     struct {
		Organization string `json:"organization"`
		Period       string `json:"period"`
	} `json:"meta"`
}

// dataDir is the --data directory the cli runs with.
func (c *cli) dataDir() string {
	for i, a := range c.args {
		if a == "--data" {
			return c.args[i+1]
		}
	}
	c.t.Fatal("no --data")
	return ""
}

// offline runs the binary with a database that cannot be reached and a
// data directory that does not exist.
func offline(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	cmd := exec.Command(binary, append(args, "--database-url", "postgres://nobody@127.0.0.1:1/none?connect_timeout=1", "--data", missing)...)
	cmd.Env = append(os.Environ(), "ATTEST_DATA=", "ATTEST_DATABASE_URL=", "ATTEST_BLOB_STORE=")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("attest %s created the data directory", strings.Join(args, " "))
	}
	return out.String(), errOut.String(), code
}

// TestEvidencePackage files evidence from the CLI, exports the package,
// verifies it offline, tampers with it, and damages the blob store.
func TestEvidencePackage(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t, tg)
			c.ok(nil, "init")
			var eng map[string]any
			c.ok(&eng, "engagement", "create", "--json", "--name", "Type II 2025", "--type", "type2", "--window-start", "2025-01-01", "--window-end", "2025-06-30")
			eid := jsonNumber(eng["id"])
			var reqs []request
			c.ok(&reqs, "evidence", "requests", "--engagement", eid, "--json")
			var req request
			for _, r := range reqs {
				if r.Frequency == "monthly" && req.ControlID == "" {
					req = r
				}
			}
			if req.ControlID == "" || len(req.Slots) != 6 {
				t.Fatalf("no monthly request with six slots in %d requests", len(reqs))
			}
			need := jsonNumber(req.Need)
			dir := t.TempDir()
			src := filepath.Join(dir, "Jan access review.csv")
			content := "user,role,reviewed\nann,admin,2025-01-31\n"
			os.WriteFile(src, []byte(content), 0o600)
			var item evidenceItem
			c.ok(&item, "evidence", "add", src, "--json", "--control", req.ControlID, "--need", need, "--period-start", "2025-01-01", "--period-end", "2025-01-31")
			if item.Size != int64(len(content)) || item.Name != "Jan access review.csv" || !strings.HasPrefix(item.Type, "text/plain") {
				t.Errorf("evidence add: %+v", item)
			}
			c.ok(nil, "evidence", "link", "https://tickets.example/FEB-7", "--control", req.ControlID, "--need", need, "--period-start", "2025-02-01", "--period-end", "2025-02-28")

			// Bad input stores nothing: no item, no file.
			big := filepath.Join(dir, "huge.bin")
			if err := os.WriteFile(big, nil, 0o600); err != nil || os.Truncate(big, 50<<20+1) != nil {
				t.Fatal("cannot make a large file")
			}
			for _, tc := range []struct {
				msg  string
				args []string
			}{
				{"larger than the limit", []string{big}},
				{"no such file", []string{filepath.Join(dir, "nope.pdf")}},
				{"--need is 0 to", []string{src, "--need", "99"}},
				{"before it starts", []string{src, "--period-start", "2025-03-01", "--period-end", "2025-02-01"}},
				{"2999-01-01, which has not begun", []string{src, "--period-start", "2999-01-01", "--period-end", "2999-01-31"}},
			} {
				args := append([]string{"evidence", "add"}, tc.args...)
				if !strings.Contains(strings.Join(tc.args, " "), "--need") {
					args = append(args, "--need", need)
				}
				if !strings.Contains(strings.Join(tc.args, " "), "--period-start") {
					args = append(args, "--period-start", "2025-03-01", "--period-end", "2025-03-31")
				}
				c.fails(2, tc.msg, append(args, "--control", req.ControlID)...)
			}
			var items []evidenceItem
			c.ok(&items, "evidence", "list", "--json")
			if len(items) != 2 || countFiles(t, filepath.Join(c.dataDir(), "blobs")) != 1 {
				t.Fatalf("after refused uploads: %d items, %d blobs", len(items), countFiles(t, filepath.Join(c.dataDir(), "blobs")))
			}
			var missing []request
			c.ok(&missing, "evidence", "requests", "--engagement", eid, "--missing", "--json")
			for _, r := range missing {
				if r.ControlID == req.ControlID && r.Need == req.Need && len(r.Slots) != 4 {
					t.Errorf("--missing lists %d periods of the covered need, want 4", len(r.Slots))
				}
			}
			// The web list's filters: a criterion in any case, late
			// periods only, a search on the control's ID.
			var late []request
			c.ok(&late, "evidence", "requests", "--engagement", eid, "--state", "late", "--search", strings.ToLower(req.ControlID), "--json")
			if len(late) == 0 {
				t.Errorf("no late period of %s", req.ControlID)
			}
			for _, r := range late {
				if r.ControlID != req.ControlID {
					t.Errorf("--search %s lists %s", req.ControlID, r.ControlID)
				}
				for _, s := range r.Slots {
					if s.State != "missing" {
						t.Errorf("--state late lists a %s period", s.State)
					}
				}
			}
			var upper, lower []request
			c.ok(&upper, "evidence", "requests", "--engagement", eid, "--criterion", "CC6.1", "--json")
			c.ok(&lower, "evidence", "requests", "--engagement", eid, "--criterion", "cc6.1", "--sort", "status", "--json")
			if len(upper) == 0 || len(upper) == len(reqs) || len(upper) != len(lower) {
				t.Errorf("--criterion CC6.1: %d requests, cc6.1: %d, all: %d", len(upper), len(lower), len(reqs))
			}
			c.fails(2, `unknown slot state "lost"`, "evidence", "requests", "--state", "lost")
			if out := c.ok(nil, "evidence", "requests", "--search", "no such control anywhere"); !strings.Contains(out, "No request matches.") {
				t.Errorf("an empty search says %q", out)
			}

			var key struct {
				PublicKey   string `json:"public_key"`
				Fingerprint string `json:"fingerprint"`
			}
			c.ok(&key, "signing-key", "--json")
			pkg := filepath.Join(dir, "package.zip")
			var sum struct {
				Files  int    `json:"files"`
				Signer string `json:"signer"`
			}
			c.ok(&sum, "export", "package", "--engagement", eid, "--out", pkg, "--json")
			if sum.Files != 1 || sum.Signer != key.Fingerprint {
				t.Errorf("export: %+v, key %+v", sum, key)
			}
			if out := c.ok(nil, "export", "package", "--out", filepath.Join(dir, "again.zip")); !strings.Contains(out, "1 file") || !strings.Contains(out, key.Fingerprint) {
				t.Errorf("export text:\n%s", out)
			}

			// Offline checks, with no database to reach. The package holds the one
			// file, the index (HTML, CSV), scope.json, readiness.json, the
			// two policy records (no policy is published, so no PDF), the
			// five register records and the six populations of the window.
			out, errOut, code := offline(t, "verify", pkg, "--key", key.PublicKey)
			if code != 0 || !strings.Contains(out, "OK: ") || !strings.Contains(out, "18 files") {
				t.Fatalf("verify offline: exit %d\n%s%s", code, out, errOut)
			}
			var rep pkgReport
			out, _, code = offline(t, "verify", pkg, "--json", "--key", key.Fingerprint)
			if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || !rep.OK || rep.Files != 18 || rep.Meta.Period != "2025-01-01 to 2025-06-30" {
				t.Fatalf("verify --json: exit %d, %v\n%s", code, err, out)
			}
			for _, tc := range []struct {
				name, want string
				damage     func(t *testing.T, src, dst string)
				args       []string
			}{
				{"appended file", "extra.txt: is in the package but not in the manifest", appendEntry, nil},
				{"flipped byte", "content was changed", flipByte([]byte("ann,admin")), nil},
				{"other key", "not by the expected key", copyFile, []string{"--key", strings.Repeat("ab", 32)}},
			} {
				bad := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".zip")
				tc.damage(t, pkg, bad)
				out, errOut, code := offline(t, append([]string{"verify", bad}, tc.args...)...)
				if code != 1 || !strings.Contains(out, tc.want) || !strings.Contains(errOut, "incomplete or was altered") {
					t.Errorf("%s: exit %d\n%s%s", tc.name, code, out, errOut)
				}
			}
			offlineFails(t, 2, "no such file", "verify", filepath.Join(dir, "absent.zip"))
			offlineFails(t, 2, "--key", "verify", pkg, "--key", "nonsense")

			// The workspace: audit log and blob store.
			if out := c.ok(nil, "verify"); !strings.Contains(out, "evidence files: 1 file, intact") {
				t.Errorf("verify:\n%s", out)
			}
			blobPath := filepath.Join(c.dataDir(), "blobs", item.SHA256[:2], item.SHA256[2:4], item.SHA256)
			os.Chmod(blobPath, 0o600)
			if err := os.WriteFile(blobPath, []byte("forged"), 0o600); err != nil {
				t.Fatal(err)
			}
			out, errOut, code = c.run("verify")
			if code != 1 || !strings.Contains(out, "altered: file "+item.SHA256) || !strings.Contains(errOut, "evidence files: 1 problem") {
				t.Errorf("verify with an altered blob: exit %d\n%s%s", code, out, errOut)
			}
			// An export refuses the damaged file and leaves nothing behind.
			failed := filepath.Join(dir, "failed", "p.zip")
			os.Mkdir(filepath.Dir(failed), 0o700)
			out, errOut, code = c.run("export", "package", "--out", failed)
			if code != 3 || !strings.Contains(errOut, "evidence "+jsonNumber(item.ID)) || countFiles(t, filepath.Dir(failed)) != 0 {
				t.Errorf("export with an altered blob: exit %d, %d files left\n%s%s", code, countFiles(t, filepath.Dir(failed)), out, errOut)
			}
			os.Remove(blobPath)
			var vr verifyReport
			out, _, code = c.run("verify", "--json")
			if err := json.Unmarshal([]byte(out), &vr); err != nil || code != 1 || vr.Intact || !strings.Contains(out, `"kind": "missing"`) {
				t.Errorf("verify with a missing blob: exit %d, %v\n%s", code, err, out)
			}

			// A period that runs past today is stored, with a warning that
			// the item counts only for the periods begun by today.
			out, errOut, code = c.run("evidence", "link", "https://tickets.example/LATER", "--json", "--control", req.ControlID, "--need", need,
				"--period-start", "2025-03-01", "--period-end", "2999-12-31")
			var later evidenceItem
			if code != 0 || json.Unmarshal([]byte(out), &later) != nil || later.ID == 0 || !strings.Contains(errOut, "warning: the period runs to 2999-12-31, after today") {
				t.Errorf("a period running past today: exit %d\n%s%s", code, out, errOut)
			}
		})
	}
}

func offlineFails(t *testing.T, code int, msg string, args ...string) {
	t.Helper()
	out, errOut, got := offline(t, args...)
	if got != code || !strings.Contains(errOut, msg) {
		t.Errorf("attest %s: exit %d\n%s%s", strings.Join(args, " "), got, out, errOut)
	}
}

// countFiles counts the regular files under dir, leaving out the blob
// store's tmp folder.
func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == "tmp" {
			return filepath.SkipDir
		}
		if err == nil && d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}

func copyFile(t *testing.T, src, dst string) {
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// appendEntry copies the zip and adds a file the manifest does not list.
func appendEntry(t *testing.T, src, dst string) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := zw.Create("extra.txt")
	io.WriteString(w, "slipped in")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dst, buf.Bytes(), 0o600)
}

// flipByte copies the zip with one byte of the stored evidence changed.
func flipByte(in []byte) func(t *testing.T, src, dst string) {
	return func(t *testing.T, src, dst string) {
		b, _ := os.ReadFile(src)
		i := bytes.Index(b, in)
		if i < 0 {
			t.Fatalf("%q not found in the package", in)
		}
		b[i] ^= 0x20
		os.WriteFile(dst, b, 0o600)
	}
}
