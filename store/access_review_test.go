package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// TestAccessReviewWorkflow: a quarterly review from resources, reviewers
// assigned (never to their own account), decisions, a revocation carried
// out, and the sign-off refused until nothing is pending.
func TestAccessReviewWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		ana, bob := member(t, db, org, "Ana"), member(t, db, org, "Bob")
		clock(db, time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))
		accounts, err := attest.AccountsFromResources([]collect.Resource{
			{Type: "github.member", ID: "1", Name: "ana-gh", Attributes: map[string]any{"login": "ana-gh", "email": fmt.Sprintf("ana@org%d.example", org), "role": "admin"}},
			{Type: "github.member", ID: "2", Name: "bob-gh", Attributes: map[string]any{"login": "bob-gh", "email": fmt.Sprintf("bob@org%d.example", org), "role": "member"}},
			{Type: "github.member", ID: "3", Name: "old-bot", Attributes: map[string]any{"login": "old-bot", "groups": []any{"deploy", "ci"}}},
			{Type: "github.repository", ID: "4", Name: "repo"},
		})
		if err != nil || len(accounts) != 3 || accounts[2].Privileges != "deploy, ci" {
			t.Fatalf("accounts %+v, %v", accounts, err)
		}
		r := &attest.AccessReview{System: "GitHub", Source: "github.member"}
		if err := db.CreateAccessReview(ctx, org, r, accounts); err != nil {
			t.Fatal(err)
		}
		if r.PeriodStart != "2026-01-01" || r.PeriodEnd != "2026-03-31" || r.DueDate != "2026-04-30" {
			t.Fatalf("review %+v: want the last quarter, due 30 days after it", r)
		}
		list, _ := db.FindAccessAccounts(ctx, org, r.ID)
		if list[0].UserID != ana || list[1].UserID != bob || list[2].UserID != 0 {
			t.Fatalf("accounts not matched to members: %+v", list)
		}
		// Ana reviews all but her own; her own goes to Bob.
		if err := db.AssignReviewer(ctx, org, r.ID, ana, nil); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.AssignReviewer(ctx, org, r.ID, ana, []int64{list[0].ID}), attest.EINVALID)
		if err := db.AssignReviewer(ctx, org, r.ID, bob, []int64{list[0].ID}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.AssignReviewer(ctx, other, r.ID, bob, nil), attest.ENOTFOUND)
		_, err = db.DecideAccess(ctx, org, r.ID, list[0].ID, ana, attest.Decision{Decision: "keep"})
		wantCode(t, err, attest.EFORBIDDEN) // her own
		_, err = db.DecideAccess(ctx, org, r.ID, list[2].ID, bob, attest.Decision{Decision: "keep"})
		wantCode(t, err, attest.EFORBIDDEN) // Ana's to review
		_, err = db.DecideAccess(ctx, org, r.ID, list[2].ID, ana, attest.Decision{Decision: "revoke"})
		wantCode(t, err, attest.EINVALID) // a revocation says why
		steps := []struct {
			acct int
			by   int64
			d    string
		}{{0, bob, "keep"}, {1, ana, "change"}, {2, ana, "revoke"}}
		for _, s := range steps {
			if _, err := db.DecideAccess(ctx, org, r.ID, list[s.acct].ID, s.by, attest.Decision{Decision: s.d, Comment: "quarterly review"}); err != nil {
				t.Fatal(err)
			}
		}
		record := func() *attest.Evidence {
			return &attest.Evidence{Kind: attest.EvidenceStatement, Title: "Access review of GitHub, signed off", Statement: "Every account reviewed.",
				PeriodStart: "2026-01-01", PeriodEnd: "2026-03-31", Links: []attest.EvidenceLinkRef{{ControlID: "ACC-05"}}}
		}
		evidence := func() int {
			t.Helper()
			items, err := db.FindEvidence(ctx, org, "ACC-05")
			if err != nil {
				t.Fatal(err)
			}
			return len(items)
		}
		_, err = db.SignOffAccessReview(ctx, org, r.ID, ana, record())
		wantCode(t, err, attest.ECONFLICT)
		if n := evidence(); n != 0 {
			t.Errorf("a refused sign-off left %d evidence items", n)
		}
		for _, i := range []int{1, 2} {
			if _, err := db.ResolveAccess(ctx, org, r.ID, list[i].ID, "2026-04-03"); err != nil {
				t.Fatal(err)
			}
		}
		_, err = db.ResolveAccess(ctx, org, r.ID, list[0].ID, "2026-04-03")
		wantCode(t, err, attest.EINVALID)
		_, err = db.SignOffAccessReview(ctx, org, r.ID, 0, record())
		wantCode(t, err, attest.EFORBIDDEN)
		if n := evidence(); n != 0 {
			t.Errorf("a sign-off by nobody left %d evidence items", n)
		}
		got, err := db.SignOffAccessReview(ctx, org, r.ID, ana, record())
		if err != nil || got.Status != attest.ReviewSignedOff || got.SignedBy == nil || got.SignedBy.ID != ana {
			t.Fatalf("signed off %+v, %v", got, err)
		}
		if items, _ := db.FindEvidence(ctx, org, "ACC-05"); len(items) != 1 || items[0].ID != got.EvidenceID || got.EvidenceID == 0 {
			t.Errorf("the signed-off record: review names evidence %d, ACC-05 has %d items", got.EvidenceID, len(items))
		}
		_, err = db.SignOffAccessReview(ctx, org, r.ID, ana, record())
		wantCode(t, err, attest.ECONFLICT)
		if n := evidence(); n != 1 {
			t.Errorf("signing off twice left %d evidence items, want 1", n)
		}
		_, err = db.DecideAccess(ctx, org, r.ID, list[0].ID, bob, attest.Decision{Decision: "keep"})
		wantCode(t, err, attest.ECONFLICT)
		page, total, err := db.FindAccessReviewPage(ctx, org, attest.AccessReviewFilter{Status: attest.ReviewSignedOff}, attest.Page{Sort: "system"})
		if err != nil || total != 1 || page[0].Accounts != 3 || page[0].Unresolved != 0 {
			t.Errorf("signed-off reviews %+v (%d), %v", page, total, err)
		}
		if _, total, _ := db.FindAccessReviewPage(ctx, other, attest.AccessReviewFilter{}, attest.Page{}); total != 0 {
			t.Errorf("another organization lists %d reviews", total)
		}
		entries, _ := db.FindAuditLog(ctx, org, attest.AuditFilter{Entity: "access_review"})
		if len(entries) < 8 {
			t.Errorf("%d audit entries for the review, want every step", len(entries))
		}
	})
}

// TestChangeWorkflow: changes by hand and from pull requests; those
// without an independent approval are flagged until another member
// approves; the requester cannot approve their own.
func TestChangeWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ana, bob := member(t, db, org, "Ana"), member(t, db, org, "Bob")
		clock(db, time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))
		c := &attest.ChangeRecord{Title: "Rotate TLS keys", System: "edge", RequesterID: ana, ApproverID: ana, ImplementedOn: "2026-04-01", Emergency: true, RollbackPlan: "restore old key"}
		if err := db.CreateChange(ctx, org, c); err != nil {
			t.Fatal(err)
		}
		if !c.Unapproved {
			t.Error("a change approved by its requester is not flagged")
		}
		_, err := db.ApproveChange(ctx, org, c.ID, ana, "2026-04-02")
		wantCode(t, err, attest.EFORBIDDEN)
		if c, err = db.ApproveChange(ctx, org, c.ID, bob, "2026-04-02"); err != nil || c.Unapproved {
			t.Fatalf("approved %+v, %v", c, err)
		}
		wantCode(t, db.CreateChange(ctx, org, &attest.ChangeRecord{Title: "No date"}), attest.EINVALID)
		logins := map[string]int64{"ana-gh": ana, "bob-gh": bob}
		prs, err := attest.ChangesFromResources([]collect.Resource{
			{Type: "github.pull_request", ID: "acme/api#7", Attributes: map[string]any{"title": "Add rate limit", "author": "ana-gh", "approvers": []any{"ana-gh", "bob-gh"}, "merged_at": "2026-03-30T10:00:00Z", "repository": "acme/api"}},
			{Type: "github.pull_request", ID: "acme/api#8", Attributes: map[string]any{"title": "Self-merged", "author": "ana-gh", "merged_at": "2026-03-31T10:00:00Z"}},
			{Type: "github.pull_request", ID: "acme/api#9", Attributes: map[string]any{"title": "Still open", "author": "ana-gh"}},
		}, func(login string) int64 { return logins[login] })
		if err != nil || len(prs) != 2 || prs[0].ApproverID != bob {
			t.Fatalf("changes from pull requests %+v, %v", prs, err)
		}
		n, err := db.ImportChanges(ctx, org, prs)
		if err != nil || n != 2 {
			t.Fatalf("import: %d, %v", n, err)
		}
		if n, _ := db.ImportChanges(ctx, org, prs); n != 0 {
			t.Errorf("the same pull requests imported again: %d added", n)
		}
		tests := []struct {
			f    attest.ChangeFilter
			want int
		}{
			{attest.ChangeFilter{}, 3},
			{attest.ChangeFilter{Unapproved: true}, 1},
			{attest.ChangeFilter{Emergency: true}, 1},
			{attest.ChangeFilter{From: "2026-03-31", To: "2026-04-30"}, 2},
			{attest.ChangeFilter{Search: "rate"}, 1},
		}
		for _, tt := range tests {
			if _, total, err := db.FindChangePage(ctx, org, tt.f, attest.Page{Sort: "title"}); err != nil || total != tt.want {
				t.Errorf("%+v: %d changes, %v; want %d", tt.f, total, err, tt.want)
			}
		}
	})
}

// TestControlTestWorkflow: a planned test recorded as a deficiency opens a
// follow-up task owned by the control's owner.
func TestControlTestWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ana := member(t, db, org, "Ana")
		owner := member(t, db, org, "Olga")
		clock(db, time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))
		if _, err := db.UpdateControl(ctx, org, "GOV-01", attest.ControlUpdate{OwnerID: &owner}); err != nil {
			t.Fatal(err)
		}
		ct := &attest.ControlTest{ControlID: "gov-01", Period: "2026-Q2", DueDate: "2026-06-30", TesterID: ana}
		if err := db.CreateControlTest(ctx, org, ct); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CreateControlTest(ctx, org, &attest.ControlTest{ControlID: "NOPE-99", Period: "2026-Q2"}), attest.EINVALID)
		_, err := db.RecordControlTest(ctx, org, ct.ID, &attest.ControlTest{Result: "deficiency"})
		wantCode(t, err, attest.EINVALID) // no procedure, sample, date
		got, err := db.RecordControlTest(ctx, org, ct.ID, &attest.ControlTest{Procedure: "inspection", Sample: "5 of 40 access requests", Result: "deficiency", TestedOn: "2026-04-02", Notes: "two lacked approval"})
		if err != nil || got.FollowUpTaskID == 0 {
			t.Fatalf("recorded %+v, %v: want a follow-up task", got, err)
		}
		task, err := db.FindTaskByID(ctx, org, got.FollowUpTaskID)
		if err != nil || task.OwnerID != owner || task.ControlID != "GOV-01" {
			t.Fatalf("follow-up %+v, %v: want Olga's task on GOV-01", task, err)
		}
		if _, total, _ := db.FindControlTestPage(ctx, org, attest.ControlTestFilter{NoFollowUp: true}, attest.Page{}); total != 0 {
			t.Errorf("%d deficiencies without follow-up", total)
		}
		if _, total, _ := db.FindControlTestPage(ctx, org, attest.ControlTestFilter{Result: "deficiency", Period: "2026-Q2"}, attest.Page{Sort: "control"}); total != 1 {
			t.Errorf("%d deficiencies of 2026-Q2, want 1", total)
		}
	})
}

// TestTrainingWorkflow: a campaign assigned to the active roster, done by
// acknowledgement or certificate, with the rest overdue after the due date.
func TestTrainingWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		clock(db, time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))
		for _, p := range []*attest.RosterPerson{{Email: "a@x.example", Name: "A"}, {Email: "b@x.example", Name: "B"}, {Email: "c@x.example", Name: "C", EndDate: "2026-01-31"}} {
			if err := db.CreateRosterPerson(ctx, org, p); err != nil {
				t.Fatal(err)
			}
		}
		c := &attest.TrainingCampaign{Title: "Security awareness 2026", DueDate: "2026-04-30", Material: "https://learn.example/sec"}
		if err := db.CreateTrainingCampaign(ctx, org, c); err != nil {
			t.Fatal(err)
		}
		n, err := db.AssignTraining(ctx, org, c.ID, nil)
		if err != nil || n != 2 {
			t.Fatalf("assigned %d, %v: want the two active people", n, err)
		}
		if n, _ := db.AssignTraining(ctx, org, c.ID, nil); n != 0 {
			t.Errorf("assigning again added %d", n)
		}
		as, _ := db.FindTrainingAssignments(ctx, org, c.ID)
		_, err = db.CompleteTraining(ctx, org, as[0].ID, "2026-04-02", attest.CompletedCertificate, 0)
		wantCode(t, err, attest.EINVALID)
		if _, err := db.CompleteTraining(ctx, org, as[0].ID, "2026-04-02", attest.CompletedAcknowledged, 0); err != nil {
			t.Fatal(err)
		}
		if over, _ := db.OverdueTraining(ctx, org, "2026-04-30"); len(over) != 0 {
			t.Errorf("overdue on the due date: %+v", over)
		}
		over, err := db.OverdueTraining(ctx, org, "2026-05-01")
		if err != nil || len(over) != 1 || over[0].Person != "B" {
			t.Errorf("overdue %+v, %v: want B", over, err)
		}
		got, _ := db.FindTrainingCampaign(ctx, org, c.ID)
		if got.Assigned != 2 || got.Completed != 1 {
			t.Errorf("campaign counts %+v", got)
		}
	})
}
