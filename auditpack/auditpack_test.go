package auditpack_test

import (
	"archive/zip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/auditpack"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/evpack"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/seal"
	"github.com/attest-dev/attest/store"
)

// env is one organization with a Type II engagement, a blob store and a
// signing key, on one database.
type env struct {
	t     *testing.T
	ctx   context.Context
	db    *store.DB
	blobs *blob.FS
	dir   string
	org   int64
	eng   *attest.Engagement
	key   ed25519.PrivateKey
}

// each runs fn on SQLite and, when the environment names a server, on
// PostgreSQL; "today" is 2026-04-10, so January to April are due.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			ctx := attest.WithActor(context.Background(), "ann@example.com")
			db, err := store.Open(ctx, store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL}, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			db.Now = func() time.Time { return time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC) }
			dir := t.TempDir()
			fs, err := blob.NewFS(filepath.Join(dir, "blobs"))
			if err != nil {
				t.Fatal(err)
			}
			o := &attest.Organization{Name: "Acme"}
			if err := db.CreateOrganization(ctx, o); err != nil {
				t.Fatal(err)
			}
			eng := &attest.Engagement{Name: "SOC 2 Type II 2026", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
			if err := db.CreateEngagement(ctx, o.ID, eng); err != nil {
				t.Fatal(err)
			}
			key, err := auditpack.SigningKey(ctx, db, newBox(t), o.ID)
			if err != nil {
				t.Fatal(err)
			}
			fn(t, &env{t: t, ctx: ctx, db: db, blobs: fs, dir: dir, org: o.ID, eng: eng, key: key})
		})
	}
}

func newBox(t *testing.T) *seal.Box {
	t.Helper()
	k := make([]byte, seal.KeySize)
	rand.Read(k)
	box, err := seal.New(k)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// monthly returns two different monthly needs of the engagement.
func (e *env) monthly() (a, b *attest.EvidenceRequest) {
	reqs, err := e.db.Requests(e.ctx, e.org, e.eng.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*attest.EvidenceRequest
	for _, r := range reqs {
		if r.Frequency == attest.Monthly && (len(out) == 0 || out[0].ControlID != r.ControlID) {
			out = append(out, r)
		}
	}
	if len(out) < 2 {
		e.t.Fatal("fewer than two controls with a monthly need")
	}
	return out[0], out[1]
}

// file puts content into the blob store and stores a file item for it.
func (e *env) file(r *attest.EvidenceRequest, name, content string, start, end attest.Date, supersedes int64) *attest.Evidence {
	e.t.Helper()
	info, err := e.blobs.Put(e.ctx, strings.NewReader(content), blob.DefaultLimit)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.item(&attest.Evidence{Kind: attest.EvidenceFile, Title: name, SHA256: info.SHA256, Size: info.Size, FileName: name,
		ContentType: "text/plain", PeriodStart: start, PeriodEnd: end, Supersedes: supersedes,
		Links: []attest.EvidenceLinkRef{{ControlID: r.ControlID, Need: r.Need}}})
}

func (e *env) item(it *attest.Evidence) *attest.Evidence {
	e.t.Helper()
	if err := e.db.CreateEvidence(e.ctx, e.org, it); err != nil {
		e.t.Fatal(err)
	}
	return it
}

// write writes the package to a file and returns its path.
func (e *env) write() (string, *auditpack.Summary, error) {
	path := filepath.Join(e.t.TempDir(), "package.zip")
	f, err := os.Create(path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	sum, err := auditpack.Write(e.ctx, f, e.db, e.blobs, e.key, e.org, e.eng.ID)
	return path, sum, err
}

func readEntry(t *testing.T, zr *zip.ReadCloser, name string) string {
	t.Helper()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("package lacks %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWrite(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		a, b := e.monthly()
		jan := e.file(a, "jan export.csv", "user,role\nann,admin\n", "2026-01-01", "2026-01-31", 0)
		febOld := e.file(a, "feb.csv", "first try\n", "2026-02-01", "2026-02-28", 0)
		feb := e.file(a, "feb.csv", "user,role\nbob,viewer\n", "2026-02-01", "2026-02-28", febOld.ID)
		e.item(&attest.Evidence{Kind: attest.EvidenceLink, Title: "March ticket", URL: "https://tickets.example/MAR-1",
			PeriodStart: "2026-03-01", PeriodEnd: "2026-03-31", Links: jan.Links})
		e.item(&attest.Evidence{Kind: attest.EvidenceStatement, Title: "April review", Statement: "Reviewed, nothing changed.",
			PeriodStart: "2026-04-01", PeriodEnd: "2026-04-30", Links: jan.Links})
		// The same bytes filed for another control are stored once.
		e.file(b, "copy.csv", "user,role\nann,admin\n", "2026-01-01", "2026-01-31", 0)
		if err := e.db.MarkSlotNotApplicable(e.ctx, e.org, &attest.SlotStatement{EngagementID: e.eng.ID, ControlID: b.ControlID,
			Need: b.Need, PeriodStart: "2026-02-01", Statement: "No changes in February."}); err != nil {
			t.Fatal(err)
		}

		path, sum, err := e.write()
		if err != nil {
			t.Fatal(err)
		}
		if sum.Files != 3 || sum.Superseded != 1 || sum.Deduplicated != 1 || sum.Coverage.Due == 0 || sum.Coverage.Covered != 6 ||
			sum.Signer != evpack.Fingerprint(e.key.Public().(ed25519.PublicKey)) {
			t.Errorf("summary = %+v", sum)
		}
		rep, err := evpack.VerifyFile(path, evpack.VerifyOptions{PublicKey: e.key.Public().(ed25519.PublicKey)})
		if err != nil || !rep.OK || rep.Meta.Organization != "Acme" || rep.Meta.Period != "2026-01-01 to 2026-06-30" ||
			!strings.HasPrefix(rep.Meta.Generator, "attest ") {
			t.Fatalf("verify: %+v, %v", rep, err)
		}
		other, _, _ := ed25519.GenerateKey(rand.Reader)
		if rep, _ := evpack.VerifyFile(path, evpack.VerifyOptions{PublicKey: other}); rep.OK {
			t.Error("the package verifies with another organization's key")
		}

		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		janName := "evidence/" + a.ControlID + "/need-" + itoa(a.Need) + "/2026-01-01_" + itoa(int(jan.ID)) + "_jan export.csv"
		febName := "evidence/" + a.ControlID + "/need-" + itoa(a.Need) + "/2026-02-01_" + itoa(int(feb.ID)) + "_feb.csv"
		oldName := "superseded/" + a.ControlID + "/need-" + itoa(a.Need) + "/2026-02-01_" + itoa(int(febOld.ID)) + "_feb.csv"
		for name, want := range map[string]string{janName: "user,role\nann,admin\n", febName: "user,role\nbob,viewer\n", oldName: "first try\n"} {
			if got := readEntry(t, zr, name); got != want {
				t.Errorf("%s = %q, want %q", name, got, want)
			}
		}

		// index.csv: the rows of the two needs, one per period due.
		rows, err := csv.NewReader(strings.NewReader(readEntry(t, zr, evpack.IndexCSVName))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{} // control|period → state|file|statement|links
		criteria := map[string]bool{}
		for _, r := range rows[1:] {
			criteria[r[0]] = true
			if r[2] == a.ControlID || r[2] == b.ControlID {
				got[r[2]+"|"+r[5]] = strings.Join([]string{r[6], r[8], r[7], r[11]}, "|")
			}
		}
		for k, want := range map[string]string{
			slotKey(a, "2026-01-01"): "provided|" + janName + "||",
			slotKey(a, "2026-02-01"): "provided|" + febName + "||",
			slotKey(a, "2026-03-01"): "provided|||https://tickets.example/MAR-1",
			slotKey(a, "2026-04-01"): "provided||April review: Reviewed, nothing changed.|",
			slotKey(b, "2026-01-01"): "provided|" + janName + "||",
			slotKey(b, "2026-02-01"): "not_applicable||No changes in February.|",
			slotKey(b, "2026-03-01"): "missing|||",
		} {
			if got[k] != want {
				t.Errorf("index row %s = %q, want %q", k, got[k], want)
			}
		}
		if _, ok := got[slotKey(a, "2026-05-01")]; ok {
			t.Error("the index lists an upcoming period")
		}
		if len(criteria) != 33 {
			t.Errorf("index lists %d criteria, want the 33 of security", len(criteria))
		}
	})
}

// slotKey names one monthly slot of a need as index.csv shows it.
func slotKey(r *attest.EvidenceRequest, start attest.Date) string {
	return r.ControlID + "|" + string(start) + " to " + string(start.AddMonths(1).AddDays(-1)) + " (" + r.What + ")"
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestWriteBrokenBlob: a file that is missing from the blob store, or whose
// bytes were altered on disk, stops the export with an error naming the
// item, and what was written is not a verifiable package.
func TestWriteBrokenBlob(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(e *env, sha string)
		want   error
	}{
		{"missing", func(e *env, sha string) {
			if err := e.blobs.Delete(e.ctx, sha); err != nil {
				e.t.Fatal(err)
			}
		}, auditpack.ErrMissingBlob},
		{"altered", func(e *env, sha string) {
			p := filepath.Join(e.dir, "blobs", sha[:2], sha[2:4], sha)
			if err := os.Chmod(p, 0o600); err != nil {
				e.t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte("forged\n"), 0o600); err != nil {
				e.t.Fatal(err)
			}
		}, blob.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			each(t, func(t *testing.T, e *env) {
				a, _ := e.monthly()
				e.file(a, "ok.csv", "fine\n", "2026-01-01", "2026-01-31", 0)
				bad := e.file(a, "lost.csv", "precious\n", "2026-02-01", "2026-02-28", 0)
				tc.damage(e, bad.SHA256)
				path, _, err := e.write()
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "evidence "+itoa(int(bad.ID))+` "lost.csv"`) {
					t.Fatalf("write = %v, want %v naming evidence %d", err, tc.want, bad.ID)
				}
				rep, err := evpack.VerifyFile(path, evpack.VerifyOptions{})
				if err != nil || rep.OK {
					t.Fatalf("the output of a failed export verifies: %+v, %v", rep, err)
				}
			})
		})
	}
}
