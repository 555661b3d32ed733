package store

import (
	"context"
	"testing"

	"github.com/attest-dev/attest"
)

// TestVersionsKeepReads: the versions read with a session move with the
// changes they stand for and not with others (a control changing), and a
// read kept under them is served again only while they are the same.
func TestVersionsKeepReads(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ana := member(t, db, org, "Ana Lima")
		if err := db.CreateSession(ctx, "hash-ana", &attest.Session{UserID: ana, OrgID: org, CSRF: "x", Stage: attest.StageFull}); err != nil {
			t.Fatal(err)
		}
		versions := func() *attest.Versions {
			t.Helper()
			si, err := db.FindSessionUser(ctx, "hash-ana")
			if err != nil {
				t.Fatal(err)
			}
			return si.Versions
		}
		v0 := versions()
		if v0.OrgID != org || v0.User == 0 || v0.CurrentEngagement != 0 {
			t.Fatalf("versions = %+v, want the organization's, a user change and no current engagement", v0)
		}

		// A control changing moves none of them.
		if _, err := db.UpdateControl(ctx, org, "GOV-01", attest.ControlUpdate{Status: ptr(attest.InProgress)}); err != nil {
			t.Fatal(err)
		}
		kinds := func(v *attest.Versions) [6]int64 {
			return [6]int64{v.Policy, v.User, v.Settings, v.Engagement, v.Task, v.CurrentEngagement}
		}
		if v := versions(); kinds(v) != kinds(v0) || v.Head <= v0.Head {
			t.Errorf("a control change moved the versions from %+v to %+v, want only the head moved", v0, v)
		}

		// A task is kept under the versions it was read with.
		own := func(v *attest.Versions) []*attest.Task {
			t.Helper()
			ts, err := db.FindOpenTasksOf(attest.WithVersions(ctx, v), org, ana, 20)
			if err != nil {
				t.Fatal(err)
			}
			return ts
		}
		if got := own(v0); len(got) != 0 {
			t.Fatalf("own tasks = %d, want none", len(got))
		}
		if err := db.CreateTask(ctx, org, &attest.Task{Title: "Rotate keys", OwnerID: ana, Status: attest.TaskOpen}); err != nil {
			t.Fatal(err)
		}
		v1 := versions()
		if v1.Task <= v0.Task || v1.User != v0.User {
			t.Fatalf("after a new task the versions went from %+v to %+v, want only Task to move", v0, v1)
		}
		if got := own(v0); len(got) != 0 {
			t.Errorf("under the old versions %d tasks, want the kept read (none)", len(got))
		}
		if got := own(v1); len(got) != 1 || got[0].Title != "Rotate keys" {
			t.Errorf("under the new versions %v, want the new task", got)
		}
		// Without versions (a token, the CLI) every read reads.
		if got, err := db.FindOpenTasksOf(ctx, org, ana, 20); err != nil || len(got) != 1 {
			t.Errorf("without versions: %d tasks (%v), want 1", len(got), err)
		}

		// Engagements: a new one moves Engagement and, as the first, the
		// current one; each caller gets copies it may change.
		e := &attest.Engagement{Name: "FY27", ReportType: attest.TypeI, AsOfDate: "2027-03-31", Categories: []string{"security"}}
		if err := db.CreateEngagement(ctx, org, e); err != nil {
			t.Fatal(err)
		}
		v2 := versions()
		if v2.Engagement <= v1.Engagement || v2.CurrentEngagement != e.ID {
			t.Fatalf("after a new engagement the versions are %+v, want Engagement moved and %d current", v2, e.ID)
		}
		// The current engagement's figures: not derived yet, then derived
		// from the latest change; the readiness read under the versions is
		// the stored one.
		if v2.Derived.Seq != -1 || v2.Head < v2.Engagement {
			t.Errorf("before any derivation: derived %+v, head %d; want seq -1 and the head at the latest change", v2.Derived, v2.Head)
		}
		if err := db.Refresh(ctx, org); err != nil {
			t.Fatal(err)
		}
		if v := versions(); v.Derived.Seq != v.Head || v.Derived.Day == "" || v.Derived.At.IsZero() {
			t.Errorf("after deriving: %+v, want the figures derived from change %d", v.Derived, v.Head)
		}
		want, err := db.ReadinessOf(ctx, org, e)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.ReadinessOf(attest.WithVersions(ctx, versions()), org, e); err != nil || got.UpdatedAt != want.UpdatedAt || got.Score != want.Score || got.Stale {
			t.Errorf("readiness under the versions = %+v (%v), want the stored figures %+v", got, err, want)
		}
		vctx := attest.WithVersions(ctx, v2)
		es, err := db.FindEngagements(vctx, org)
		if err != nil || len(es) != 1 || !es[0].Current {
			t.Fatalf("engagements = %v (%v), want the current one", es, err)
		}
		es[0].Name = "changed by a caller"
		if again, _ := db.FindEngagements(vctx, org); again[0].Name != "FY27" {
			t.Errorf("a caller's change reached the kept read: %q", again[0].Name)
		}

		// Members: a new owner shows once the user version moves.
		owners := func(v *attest.Versions) int {
			t.Helper()
			ps, err := db.FindOwners(attest.WithVersions(ctx, v), org)
			if err != nil {
				t.Fatal(err)
			}
			return len(ps)
		}
		before := owners(v2)
		member(t, db, org, "Ben Okafor")
		v3 := versions()
		if v3.User <= v2.User {
			t.Fatalf("a new member left the user version at %d", v3.User)
		}
		if got := owners(v3); got != before+1 {
			t.Errorf("owners under the new versions = %d, want %d", got, before+1)
		}

		// Versions of another organization are never used.
		other := newOrg(t, db, "Other")
		if got := attest.VersionsFrom(attest.WithVersions(ctx, v3), other); got != nil {
			t.Errorf("versions of organization %d served organization %d", v3.OrgID, other)
		}
	})
}
