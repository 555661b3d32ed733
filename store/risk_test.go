package store

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// registerMember creates an active member of the organization with a role.
func registerMember(t *testing.T, db *DB, orgID int64, email, role string) *attest.User {
	t.Helper()
	u := &attest.User{OrgID: orgID, Email: email, Name: email, Role: role, Active: true}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestRiskWorkflow follows a risk from creation through treatment,
// acceptance by its approver (never the requester), review in a risk
// assessment, attachment to a mitigating control and closing, and checks
// the audit log, the gap filter and the other organization's isolation.
func TestRiskWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:test")
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		owner := registerMember(t, db, org, "owner@acme.example", attest.RoleControlOwner)
		approver := registerMember(t, db, org, "cfo@acme.example", attest.RoleComplianceManager)
		auditor := registerMember(t, db, org, "aud@firm.example", attest.RoleAuditor)
		clock(db, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))

		r := &attest.Risk{Title: "Stolen credentials", Category: "access", OwnerID: owner.ID, Likelihood: 4, Impact: 5}
		if err := db.CreateRisk(ctx, org, r); err != nil {
			t.Fatal(err)
		}
		if r.InherentScore() != 20 || r.Owner == nil || r.Owner.ID != owner.ID {
			t.Fatalf("created risk = %+v", r)
		}
		// Above the appetite (8) without treatment: a gap.
		gaps, n, err := db.FindRisks(ctx, org, attest.RegisterFilter{Gap: true}, attest.Page{})
		if err != nil || n != 1 || gaps[0].ID != r.ID {
			t.Fatalf("gap risks = %v, %d, %v", gaps, n, err)
		}
		// Another organization sees nothing of it.
		if _, err := db.FindRiskByID(ctx, other, r.ID); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Fatalf("other org found risk: %v", err)
		}

		bad := []struct {
			name  string
			edit  func(r *attest.Risk)
			field string
		}{
			{"off scale", func(r *attest.Risk) { r.Likelihood = 6 }, "likelihood"},
			{"half residual", func(r *attest.Risk) { r.ResidualLikelihood = 2 }, "residual_impact"},
			{"accept without approver", func(r *attest.Risk) { r.Treatment = attest.TreatAccept; r.AcceptanceReview = "2027-03-01" }, "approver"},
			{"accept without review date", func(r *attest.Risk) { r.Treatment = attest.TreatAccept; r.ApproverID = approver.ID }, "acceptance_review"},
			{"approver is requester", func(r *attest.Risk) {
				r.Treatment, r.ApproverID, r.RequestedByID, r.AcceptanceReview = attest.TreatAccept, owner.ID, owner.ID, "2027-03-01"
			}, "approver"},
			{"auditor approver", func(r *attest.Risk) {
				r.Treatment, r.ApproverID, r.AcceptanceReview = attest.TreatAccept, auditor.ID, "2027-03-01"
			}, "approver"},
			{"unknown category", func(r *attest.Risk) { r.Category = "weather" }, "category"},
		}
		for _, c := range bad {
			cp, _ := db.FindRiskByID(ctx, org, r.ID)
			c.edit(cp)
			err := db.UpdateRisk(ctx, org, cp)
			if attest.ErrorCode(err) != attest.EINVALID || attest.ErrorField(err) != c.field {
				t.Errorf("%s: err = %v (field %q), want EINVALID on %s", c.name, err, attest.ErrorField(err), c.field)
			}
		}

		// Propose acceptance: the owner asks, the CFO approves.
		cp, _ := db.FindRiskByID(ctx, org, r.ID)
		cp.Treatment, cp.ApproverID, cp.RequestedByID, cp.AcceptanceReview = attest.TreatAccept, approver.ID, owner.ID, "2027-03-01"
		cp.ResidualLikelihood, cp.ResidualImpact = 2, 3
		if err := db.UpdateRisk(ctx, org, cp); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ApproveRisk(ctx, org, r.ID, owner.ID); attest.ErrorCode(err) != attest.EFORBIDDEN {
			t.Fatalf("requester approved: %v", err)
		}
		got, err := db.ApproveRisk(ctx, org, r.ID, approver.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != attest.RiskAccepted || got.AcceptedAt == nil || got.ResidualScore() != 6 {
			t.Fatalf("approved risk = %+v", got)
		}
		if _, err := db.ApproveRisk(ctx, org, r.ID, approver.ID); attest.ErrorCode(err) != attest.ECONFLICT {
			t.Fatalf("second approval: %v", err)
		}
		if _, n, _ := db.FindRisks(ctx, org, attest.RegisterFilter{Gap: true}, attest.Page{}); n != 0 {
			t.Fatalf("treated risk still a gap: %d", n)
		}

		// Review: a risk assessment marks it reviewed.
		ev := &attest.RecordEvent{Kind: attest.EventRiskAssessment, OccurredAt: db.now(), Participants: []int64{owner.ID, approver.ID}, Items: []int64{r.ID}, Summary: "Annual assessment", Findings: "Residual lowered"}
		if err := db.AddRecordEvent(ctx, org, ev); err != nil {
			t.Fatal(err)
		}
		if ev.NextDue != "2027-03-02" {
			t.Errorf("next assessment due %s, want 2027-03-02", ev.NextDue)
		}
		if got, _ := db.FindRiskByID(ctx, org, r.ID); got.ReviewedOn != "2026-03-02" {
			t.Errorf("reviewed on %q", got.ReviewedOn)
		}
		bogus := &attest.RecordEvent{Kind: attest.EventRiskAssessment, OccurredAt: db.now(), Participants: []int64{owner.ID}, Items: []int64{r.ID + 1000}, Summary: "x"}
		wantCode(t, db.AddRecordEvent(ctx, org, bogus), attest.EINVALID)

		// Mitigating control: attaching makes evidence on the control.
		ref, err := db.AttachRecord(ctx, org, attest.RecordRisk, r.ID, "ACC-02", 0)
		if err != nil {
			t.Fatal(err)
		}
		items, err := db.FindEvidence(ctx, org, "ACC-02")
		if err != nil || len(items) != 1 || items[0].ID != ref.EvidenceID {
			t.Fatalf("evidence of ACC-02 = %v, %v", items, err)
		}
		recs, err := db.ControlRecords(ctx, org, "ACC-02")
		if err != nil || len(recs) != 1 || recs[0].Title != "Stolen credentials" || recs[0].Kind != attest.RecordRisk {
			t.Fatalf("control records = %+v, %v", recs, err)
		}
		if _, err := db.AttachRecord(ctx, other, attest.RecordRisk, r.ID, "ACC-02", 0); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Fatalf("other org attached: %v", err)
		}

		// Treatment plan as a task.
		task := &attest.Task{Title: "Roll out hardware keys", OwnerID: owner.ID, DueDate: "2026-04-01"}
		if err := db.AddRecordTask(ctx, org, attest.RecordRisk, r.ID, task); err != nil {
			t.Fatal(err)
		}
		if tasks, err := db.RecordTasks(ctx, org, attest.RecordRisk, r.ID); err != nil || len(tasks) != 1 || tasks[0].ID != task.ID {
			t.Fatalf("risk tasks = %v, %v", tasks, err)
		}

		// Close.
		cp, _ = db.FindRiskByID(ctx, org, r.ID)
		cp.Status = attest.RiskClosed
		if err := db.UpdateRisk(ctx, org, cp); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindRiskByID(ctx, org, r.ID); got.ClosedAt == nil || got.AcceptedAt == nil || len(got.Controls) != 1 {
			t.Fatalf("closed risk = %+v", got)
		}
		entries, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Entity: "risk", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]int{}
		for _, e := range entries {
			actions[e.Action]++
		}
		for _, a := range []string{"risk.create", "risk.update", "risk.approve", "risk.attach"} {
			if actions[a] == 0 {
				t.Errorf("no %s in the audit log: %v", a, actions)
			}
		}
		if problems, err := db.VerifyAuditLog(ctx); err != nil || len(problems) != 0 {
			t.Fatalf("audit chain: %v, %v", problems, err)
		}
	})
}

// TestRiskListAndImport sorts, filters, searches and pages risks in SQL,
// and checks that an import with a bad record stores nothing.
func TestRiskListAndImport(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		var batch []*attest.Risk
		for i := 1; i <= 12; i++ {
			batch = append(batch, &attest.Risk{Title: "Risk " + string(rune('A'+i-1)), Category: []string{"access", "vendor"}[i%2], Likelihood: 1 + i%5, Impact: 1 + (i+2)%5})
		}
		if err := db.ImportRisks(ctx, org, batch); err != nil {
			t.Fatal(err)
		}
		page, total, err := db.FindRisks(ctx, org, attest.RegisterFilter{}, attest.Page{Limit: 5})
		if err != nil || total != 12 || len(page) != 5 {
			t.Fatalf("page = %d of %d, %v", len(page), total, err)
		}
		for i := 1; i < len(page); i++ {
			if page[i].ResidualScore() > page[i-1].ResidualScore() {
				t.Fatalf("risks not by residual score descending: %d then %d", page[i-1].ResidualScore(), page[i].ResidualScore())
			}
		}
		byTitle, _, err := db.FindRisks(ctx, org, attest.RegisterFilter{Category: "vendor", Search: "risk"}, attest.Page{Sort: "title"})
		if err != nil || len(byTitle) != 6 || byTitle[0].Title != "Risk A" {
			t.Fatalf("vendor risks by title = %v, %v", byTitle, err)
		}
		if _, _, err := db.FindRisks(ctx, org, attest.RegisterFilter{}, attest.Page{Sort: "nonsense"}); attest.ErrorCode(err) != attest.EINVALID {
			t.Fatalf("bad sort: %v", err)
		}
		bad := []*attest.Risk{{Title: "Fine", Category: "data", Likelihood: 2, Impact: 2}, {Title: "Broken", Category: "data", Likelihood: 9, Impact: 2}}
		err = db.ImportRisks(ctx, org, bad)
		if attest.ErrorCode(err) != attest.EINVALID || attest.ErrorField(err) != "likelihood" {
			t.Fatalf("bad import: %v", err)
		}
		if _, total, _ := db.FindRisks(ctx, org, attest.RegisterFilter{}, attest.Page{}); total != 12 {
			t.Fatalf("a refused import stored rows: %d risks", total)
		}
		// A smaller scale is refused while risks are rated above it.
		st := attest.RegisterSettings{RiskScale: 3, RiskAppetite: 4, AssessmentMonths: 12}
		if err := db.UpdateRegisterSettings(ctx, org, st); attest.ErrorField(err) != "risk_scale" {
			t.Fatalf("shrinking the scale: %v", err)
		}
	})
}
