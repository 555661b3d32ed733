package store

import (
	"context"
	"testing"
	"time"
)

// TestSystemOwnerMigration: migration 00190 moves each free-text system
// owner to the one active, non-auditor member with that name or email
// (letter case aside); any other text stays as a note that grants
// nothing, and a system taken from the asset inventory follows the
// asset's owner.
func TestSystemOwnerMigration(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			ctx := context.Background()
			x, all := migrateUntil(t, o, "00190")
			at := time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC)
			exec := func(q string, args ...any) {
				t.Helper()
				if _, err := x.db.ExecContext(ctx, x.q(q), args...); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			exec(`INSERT INTO organizations (id, name, created_at) VALUES (1, 'Old', ?), (2, 'Other', ?)`, at, at)
			for _, u := range []struct {
				id          int64
				org         int64
				email, name string
				role        string
			}{
				{1, 1, "tom@old.example", "Tom Becker", "control_owner"},
				{2, 1, "ana@old.example", "Ana Lima", "compliance_manager"},
				{3, 1, "sam1@old.example", "Sam Twin", "employee"},
				{4, 1, "sam2@old.example", "Sam Twin", "employee"},
				{5, 1, "art@cpa.example", "Art Auditor", "auditor"},
				{6, 2, "kim@other.example", "Kim Park", "admin"}, // another organization's
			} {
				exec(`INSERT INTO users (id, org_id, email, name, role, created_at) VALUES (?, ?, ?, ?, ?, ?)`, u.id, u.org, u.email, u.name, u.role, at)
			}
			exec(`INSERT INTO engagements (id, org_id, name, report_type, created_at) VALUES (1, 1, 'Audit', 'type1', ?)`, at)
			exec(`INSERT INTO assets (id, org_id, name, type, owner_user_id, environment, classification, status, created_at, updated_at)
				VALUES (1, 1, 'Orders DB', 'database', 2, 'production', 'restricted', 'active', ?, ?)`, at, at)
			owners := []struct {
				name, owner string
				asset       bool
				wantOwner   int64
				wantNote    string
			}{
				{"By name", "  tom becker ", false, 1, ""},
				{"By email", "ANA@old.example", false, 2, ""},
				{"Namesakes", "Sam Twin", false, 0, "Sam Twin"},
				{"Not a member", "Platform team", false, 0, "Platform team"},
				{"Auditor", "Art Auditor", false, 0, "Art Auditor"},
				{"Other organization", "Kim Park", false, 0, "Kim Park"},
				{"Nobody", "", false, 0, ""},
				// Copied from the asset as a display name: the asset's owner by ID.
				{"Orders DB", "Ana Lima", true, 2, ""},
			}
			for i, s := range owners {
				asset := any(nil)
				if s.asset {
					asset = int64(1)
				}
				exec(`INSERT INTO systems (id, org_id, engagement_id, name, kind, owner, asset_id) VALUES (?, 1, 1, ?, 'other', ?, ?)`, i+1, s.name, s.owner, asset)
			}
			if err := migrate(ctx, x.db, x.dialect, all); err != nil {
				t.Fatal(err)
			}
			e, err := x.FindEngagementByID(ctx, 1, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(e.Systems) != len(owners) {
				t.Fatalf("%d systems after migrating, want %d", len(e.Systems), len(owners))
			}
			for i, w := range owners {
				s := e.Systems[i]
				if s.Name != w.name || s.OwnerID != w.wantOwner || s.OwnerNote != w.wantNote || (w.wantOwner != 0) != (s.Owner != nil) {
					t.Errorf("%s (was %q): owner %d %+v note %q; want owner %d note %q", w.name, w.owner, s.OwnerID, s.Owner, s.OwnerNote, w.wantOwner, w.wantNote)
				}
			}
		})
	}
}
