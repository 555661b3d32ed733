package store

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// TestOwnerMigration: free-text owners written before owners were members
// move to the one active, non-auditor member with that name or email
// (letter case aside); the others stay unowned with the text kept as a
// note.
func TestOwnerMigration(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := o.open(t)
			d, dsn, err := dialectFor(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if d == sqliteDialect {
				if err := osMkdir(cfg.DataDir); err != nil {
					t.Fatal(err)
				}
			}
			old := fstest.MapFS{}
			entries, err := fs.ReadDir(d.migrations(), ".")
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() < "00030" {
					data, err := fs.ReadFile(d.migrations(), e.Name())
					if err != nil {
						t.Fatal(err)
					}
					old[e.Name()] = &fstest.MapFile{Data: data}
				}
			}
			raw, err := d.open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, raw, d, old); err != nil {
				t.Fatal(err)
			}
			now := time.Now().UTC()
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := raw.ExecContext(ctx, d.rebind(q), args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO organizations (name, created_at) VALUES (?, ?)`, "Old", now)
			for _, u := range [][3]string{
				{"tom@old.example", "Tom Becker", "control_owner"},
				{"ana@old.example", "Ana Lima", "compliance_manager"},
				{"sam1@old.example", "Sam Twin", "employee"},
				{"sam2@old.example", "Sam Twin", "employee"},
				{"art@cpa.example", "Art Auditor", "auditor"},
			} {
				exec(`INSERT INTO users (org_id, email, name, role, created_at) VALUES (1, ?, ?, ?, ?)`, u[0], u[1], u[2], now)
			}
			owners := map[string]string{
				"OLD-01": "  tom becker ",      // a member's name, any case
				"OLD-02": "ANA@old.example",    // a member's email
				"OLD-03": "Sam Twin",           // two members: nobody
				"OLD-04": "Kim the contractor", // not a member
				"OLD-05": "Art Auditor",        // auditors own nothing
				"OLD-06": "",
			}
			for id, owner := range owners {
				exec(`INSERT INTO controls (org_id, id, name, frequency, custom, owner, updated_at) VALUES (1, ?, ?, 'annually', TRUE, ?, ?)`, id, "Old control "+id, owner, now)
			}
			exec(`INSERT INTO tasks (org_id, title, owner, status, created_at) VALUES (1, 'Rotate keys', 'Tom Becker', 'open', ?)`, now)
			exec(`INSERT INTO tasks (org_id, title, owner, status, created_at) VALUES (1, 'Call vendor', 'Head of IT', 'open', ?)`, now)
			exec(`INSERT INTO policies (org_id, title, type, owner, review_cycle_months, status, current_version, created_at) VALUES (1, 'Backup', 'policy', 'ana lima', 12, 'draft', '1.0', ?)`, now)
			raw.Close()

			db, err := Open(ctx, cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			users, err := db.FindUsers(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			id := map[string]int64{}
			for _, u := range users {
				id[u.Email] = u.ID
			}
			want := map[string]struct {
				owner int64
				note  string
			}{
				"OLD-01": {id["tom@old.example"], ""},
				"OLD-02": {id["ana@old.example"], ""},
				"OLD-03": {0, "Sam Twin"},
				"OLD-04": {0, "Kim the contractor"},
				"OLD-05": {0, "Art Auditor"},
				"OLD-06": {0, ""},
			}
			for ctl, w := range want {
				c, err := db.FindControlByID(ctx, 1, ctl)
				if err != nil {
					t.Fatal(err)
				}
				if c.OwnerID != w.owner || c.OwnerNote != w.note || (w.owner != 0) != (c.Owner != nil) {
					t.Errorf("%s (was %q): owner %d %+v note %q; want owner %d note %q", ctl, owners[ctl], c.OwnerID, c.Owner, c.OwnerNote, w.owner, w.note)
				}
			}
			tasks, err := db.FindTasks(ctx, 1, attest.TaskFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range tasks {
				switch {
				case tk.Title == "Rotate keys" && (tk.OwnerID != id["tom@old.example"] || tk.OwnerNote != ""):
					t.Errorf("Rotate keys: %+v", tk)
				case tk.Title == "Call vendor" && (tk.OwnerID != 0 || tk.OwnerNote != "Head of IT"):
					t.Errorf("Call vendor: %+v", tk)
				}
			}
			ps, err := db.FindPolicies(ctx, 1)
			if err != nil || len(ps) != 1 || ps[0].OwnerID != id["ana@old.example"] || ps[0].Owner == nil || !strings.EqualFold(ps[0].Owner.Name, "Ana Lima") {
				t.Errorf("policy after migrating: %+v, %v", ps, err)
			}
		})
	}
}
