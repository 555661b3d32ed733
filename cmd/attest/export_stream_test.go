package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
)

// TestExportStreams exports registers of a few thousand rows — several
// pages of the largest size — and checks that every record comes out
// exactly once, in the list's order, with formula cells made safe.
func TestExportStreams(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			t.Parallel()
			c := newCLI(t, tg)
			c.ok(nil, "init")
			dir := t.TempDir()
			const risks, changes = 1234, 2101
			var b strings.Builder
			b.WriteString("title,category,likelihood,impact\n")
			for i := range risks {
				title := fmt.Sprintf("Risk %04d", i)
				if i%400 == 7 {
					title = fmt.Sprintf("=1+%d", i)
				}
				fmt.Fprintf(&b, "%s,access,%d,%d\n", title, i%5+1, i%3+1)
			}
			rf := filepath.Join(dir, "risks.csv")
			if err := os.WriteFile(rf, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			c.ok(nil, "risk", "import", "--csv", rf)
			b.Reset()
			b.WriteString("title,implemented_on\n")
			for i := range changes {
				title := fmt.Sprintf("Change %04d", i)
				if i%500 == 3 {
					title = fmt.Sprintf("@SUM(A%d)", i)
				}
				fmt.Fprintf(&b, "%s,2026-%02d-%02d\n", title, i%12+1, i%28+1)
			}
			cf := filepath.Join(dir, "changes.csv")
			if err := os.WriteFile(cf, []byte(b.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			c.ok(nil, "change", "import", "--csv", cf)

			check := func(name string, rows [][]string, want int, titleCol int, formula string, before func(a, b []string) bool) {
				t.Helper()
				if len(rows) != want+1 {
					t.Fatalf("%s export: %d rows, want %d and a header", name, len(rows)-1, want)
				}
				seen := map[string]bool{}
				formulas := 0
				for i, r := range rows[1:] {
					if seen[r[0]] {
						t.Fatalf("%s export: record %s twice", name, r[0])
					}
					seen[r[0]] = true
					if strings.HasPrefix(r[titleCol], formula) {
						t.Fatalf("%s export: cell %q is not formula-safe", name, r[titleCol])
					}
					if strings.HasPrefix(r[titleCol], "'"+formula) {
						formulas++
					}
					if i > 0 && before(r, rows[i]) {
						t.Fatalf("%s export out of order at row %d: %v after %v", name, i+1, r, rows[i])
					}
				}
				if formulas == 0 {
					t.Errorf("%s export: no escaped formula cell", name)
				}
			}
			out, errOut, code := c.run("risk", "export", "--csv", "--sort", "title")
			if code != 0 {
				t.Fatalf("risk export: %d %s", code, errOut)
			}
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			check("risk", rows, risks, 1, "=", func(a, b []string) bool { return strings.ToLower(a[1]) < strings.ToLower(b[1]) })

			file := filepath.Join(dir, "out.csv")
			c.ok(nil, "change", "export", "--csv", "--out", file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			rows, err = csv.NewReader(strings.NewReader(string(data))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			// Changes come by implementation day, the column after system,
			// requester, approver and approved_on.
			check("change", rows, changes, 1, "@", func(a, b []string) bool { return a[6] < b[6] })
		})
	}
}

// countingWriter counts the bytes written to it.
type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// TestExportWritesAsItReads: each page of the export is written before
// the next page is read, so the export never holds the whole register.
func TestExportWritesAsItReads(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, store.Config{DataDir: dir}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	o := &attest.Organization{Name: "Acme"}
	if err := db.CreateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	const n = 2*attest.MaxPageSize + 7
	rs := make([]*attest.Risk, n)
	for i := range rs {
		rs[i] = &attest.Risk{Title: fmt.Sprintf("Risk %04d", i), Category: "access", Likelihood: 2, Impact: 2}
	}
	if err := db.ImportRisks(attest.WithActor(ctx, "test"), o.ID, rs); err != nil {
		t.Fatal(err)
	}
	out := &countingWriter{}
	a := &App{ctx: ctx, cli: &CLI{Data: dir}, out: out, errOut: io.Discard, db: db}
	var before []int // bytes written when each page was asked for
	g := risks
	find := g.find
	g.find = func(a *App, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Risk, int, error) {
		before = append(before, out.n)
		return find(a, orgID, f, p)
	}
	if err := g.exportCSV(a, &registerListFlags{}, attest.RegisterFilter{}); err != nil {
		t.Fatal(err)
	}
	if len(before) != 3 {
		t.Fatalf("%d pages read, want 3", len(before))
	}
	for i := 1; i < len(before); i++ {
		if before[i] <= before[i-1] {
			t.Errorf("page %d was read before page %d was written (%d bytes out)", i+1, i, before[i])
		}
	}
	if out.n <= before[2] {
		t.Errorf("the last page was not written")
	}
}
