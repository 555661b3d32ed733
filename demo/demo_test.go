package demo

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
	"github.com/attest-dev/attest/store"
)

func TestLoad(t *testing.T) {
	for _, tg := range testdb.Targets(t) {
		t.Run(tg.Name, func(t *testing.T) {
			ctx := context.Background()
			templates, err := catalog.PolicyTemplates()
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, store.Config{DataDir: tg.DataDir, DatabaseURL: tg.DatabaseURL, PolicyTemplates: templates}, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			today := time.Now().UTC()
			res, err := Load(ctx, db, today)
			if err != nil {
				t.Fatal(err)
			}
			e := res.Engagement
			if attest.DateOf(today).Before(e.WindowStart) || !attest.DateOf(today).Before(e.WindowEnd) || len(e.Categories) != 5 || len(e.Systems) == 0 {
				t.Errorf("demo engagement: window %s–%s, %d categories, %d systems", e.WindowStart, e.WindowEnd, len(e.Categories), len(e.Systems))
			}
			// Every system in scope is owned by a member, by ID, as read back.
			stored, err := db.FindEngagementByID(ctx, res.Organization.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range stored.Systems {
				if s.OwnerID == 0 || s.Owner == nil || s.Owner.Email == "" || s.OwnerNote != "" {
					t.Errorf("demo system %q: owner %d %+v note %q; want a member", s.Name, s.OwnerID, s.Owner, s.OwnerNote)
				}
			}
			// The demo shows the Engagements page with a finished, archived
			// engagement and the next one planned; the first stays current.
			es, err := db.FindEngagements(ctx, res.Organization.ID)
			if err != nil {
				t.Fatal(err)
			}
			var archived, current int
			for _, x := range es {
				if x.Archived() {
					archived++
				}
				if x.Current {
					current++
					if x.ID != e.ID {
						t.Errorf("the demo's current engagement is %q, want %q", x.Name, e.Name)
					}
				}
			}
			if len(es) != 3 || archived != 1 || current != 1 {
				t.Errorf("demo engagements: %d, %d archived, %d current; want 3, 1 and 1", len(es), archived, current)
			}
			r, err := db.Readiness(ctx, res.Organization.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Score <= 10 || r.Score >= 90 || r.Ready == 0 || r.Partial == 0 || r.Gap == 0 {
				t.Errorf("demo readiness %.1f%% (%d ready, %d partial, %d gap): want a program halfway", r.Score, r.Ready, r.Partial, r.Gap)
			}
			kinds := map[string]int{}
			for _, g := range r.Gaps {
				kinds[g.Kind]++
			}
			if kinds["overdue_task"] == 0 || kinds["unowned_control"] == 0 || kinds["policy"] == 0 {
				t.Errorf("demo gaps %v: want overdue tasks, unowned controls and controls waiting for a policy to show", kinds)
			}
			if r.Coverage.Due == 0 || r.CoveragePercent < 30 || r.CoveragePercent > 90 {
				t.Errorf("demo evidence coverage %+v (%.1f%%): want a window in progress with most periods covered", r.Coverage, r.CoveragePercent)
			}
			blobs, err := blob.NewFS(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if err := AttachFiles(ctx, db, blobs, res); err != nil {
				t.Fatal(err)
			}
			files := 0
			items, err := db.FindEvidence(ctx, res.Organization.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				if it.Kind == attest.EvidenceFile {
					files++
					if err := blobs.Verify(ctx, it.SHA256); err != nil {
						t.Errorf("demo file %s: %v", it.FileName, err)
					}
				}
			}
			if files != len(demoFiles) {
				t.Errorf("%d demo files recorded, want %d", files, len(demoFiles))
			}
			standings, err := db.PolicyStandings(ctx, res.Organization.ID)
			if err != nil {
				t.Fatal(err)
			}
			overdue := 0
			for _, st := range standings {
				overdue += st.Overdue
				if st.Required == 0 || st.Done == 0 {
					t.Errorf("demo policy %s: %d of %d acknowledged", st.Policy.Title, st.Done, st.Required)
				}
			}
			if len(standings) < 15 || overdue != 3 {
				t.Errorf("demo: %d published policies with %d overdue acknowledgements, want at least 15 and 3", len(standings), overdue)
			}
			// Every owner is a member; the admin has a version to decide on
			// and another version waits for publication.
			controls, err := db.FindControls(ctx, res.Organization.ID, attest.ControlFilter{})
			if err != nil {
				t.Fatal(err)
			}
			unowned := 0
			for _, c := range controls {
				if c.OwnerID == 0 {
					unowned++
				} else if c.Owner == nil || c.Owner.Email == "" {
					t.Errorf("demo control %s: owner %d is not a member", c.ID, c.OwnerID)
				}
			}
			if unowned != 3 {
				t.Errorf("%d demo controls without an owner, want the 3 demo.yaml lists", unowned)
			}
			tasks, err := db.FindTasks(ctx, res.Organization.ID, attest.TaskFilter{})
			if err != nil {
				t.Fatal(err)
			}
			for _, tk := range tasks {
				if tk.Owner == nil {
					t.Errorf("demo task %q has no member as owner", tk.Title)
				}
			}
			todo, err := db.FindApprovalRequests(ctx, res.Organization.ID, res.Admin.ID)
			if err != nil || len(todo) == 0 {
				t.Errorf("the demo admin has nothing to approve: %v", err)
			}
			policies, err := db.FindPolicies(ctx, res.Organization.ID)
			if err != nil {
				t.Fatal(err)
			}
			approved := 0
			for _, p := range policies {
				if p.StatusLabel() == "approved — not yet published" {
					approved++
				}
				if p.Owner == nil {
					t.Errorf("demo policy %s has no member as owner", p.Title)
				}
			}
			if approved == 0 {
				t.Error("no demo policy is approved and waiting for publication")
			}
			snaps, err := db.FindSnapshots(ctx, res.Organization.ID, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(snaps) != 121 || snaps[len(snaps)-1].Score != r.Score {
				t.Fatalf("%d snapshots ending at %v, want 121 ending at today's %v", len(snaps), snaps[len(snaps)-1].Score, r.Score)
			}
			for i := 1; i < len(snaps); i++ {
				if snaps[i].Score < snaps[i-1].Score {
					t.Errorf("the demo trend drops on %s", snaps[i].Date)
				}
			}
		})
	}
}
