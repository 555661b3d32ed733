package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestRecordsBecomeEvidence: a change independently approved, an internal
// test found effective, a training campaign and an offboarding checklist
// completed become evidence of their control at that event, once, with
// an audit entry, and answer the request list's slot of the need their
// population names. A change approved by nobody else, a deficiency and a
// campaign not yet complete make none; a checklist completed again
// supersedes its earlier statement.
func TestRecordsBecomeEvidence(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:ann@example.com")
		org := newOrg(t, db, "Acme")
		ana, bob := member(t, db, org, "Ana"), member(t, db, org, "Bob")
		clock(db, time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		count := func(controlID string) int {
			t.Helper()
			items, err := db.FindEvidence(ctx, org, controlID)
			must(err)
			return len(items)
		}

		// A change: recorded unapproved, then approved by another member.
		ch := &attest.ChangeRecord{Title: "Rotate signing keys", ImplementedOn: "2026-04-20", RequesterID: ana, ControlID: "CHG-02", System: "api"}
		must(db.CreateChange(ctx, org, ch))
		if ch.EvidenceID != 0 || count("CHG-02") != 0 {
			t.Fatalf("an unapproved change became evidence")
		}
		_, err := db.ApproveChange(ctx, org, ch.ID, ana, "2026-04-19")
		wantCode(t, err, attest.EFORBIDDEN)
		got, err := db.ApproveChange(ctx, org, ch.ID, bob, "2026-04-19")
		must(err)
		if got.EvidenceID == 0 {
			t.Fatal("an approved change has no evidence")
		}
		ev, err := db.FindEvidenceByID(ctx, org, got.EvidenceID)
		must(err)
		// CHG-02's second need lists the changes.
		if ev.Links[0] != (attest.EvidenceLinkRef{ControlID: "CHG-02", Need: 1}) || ev.PeriodStart != "2026-04-20" || !strings.Contains(ev.Statement, "approved by Bob on 2026-04-19") {
			t.Errorf("change evidence %+v", ev)
		}
		if _, err := db.ApproveChange(ctx, org, ch.ID, bob, "2026-04-19"); err != nil || count("CHG-02") != 1 {
			t.Errorf("approving again stored another item (%d items, %v)", count("CHG-02"), err)
		}
		// Created approved, by import: evidence at once.
		imp := &attest.ChangeRecord{Title: "Add index", ImplementedOn: "2026-04-22", RequesterID: ana, ApproverID: bob, ApprovedOn: "2026-04-21", ControlID: "CHG-02", Source: "csv"}
		_, err = db.ImportChanges(ctx, org, []*attest.ChangeRecord{imp})
		must(err)
		if imp.EvidenceID == 0 || count("CHG-02") != 2 {
			t.Errorf("an imported approved change is not evidence (%d items)", count("CHG-02"))
		}

		// Internal tests: a deficiency is not evidence, an effective one is.
		bad := &attest.ControlTest{ControlID: "ACC-05", Period: "2026-Q1"}
		must(db.CreateControlTest(ctx, org, bad))
		rec, err := db.RecordControlTest(ctx, org, bad.ID, &attest.ControlTest{Procedure: attest.ProcInspection, Sample: "2 reviews", Result: attest.ResultDeficiency, TestedOn: "2026-04-02", TesterID: ana})
		must(err)
		if rec.EvidenceID != 0 || count("ACC-05") != 0 {
			t.Errorf("a deficiency became evidence")
		}
		rec, err = db.RecordControlTest(ctx, org, bad.ID, &attest.ControlTest{Procedure: attest.ProcInspection, Sample: "2 reviews, re-examined", Result: attest.ResultEffective, TestedOn: "2026-04-28", TesterID: ana})
		must(err)
		if rec.EvidenceID == 0 || count("ACC-05") != 1 {
			t.Fatalf("an effective test is not evidence")
		}
		if again, err := db.RecordControlTest(ctx, org, bad.ID, &attest.ControlTest{Procedure: attest.ProcInspection, Sample: "2 reviews, re-examined", Result: attest.ResultEffective, TestedOn: "2026-04-28", TesterID: ana}); err != nil || again.EvidenceID != rec.EvidenceID {
			t.Errorf("the same result recorded again made a new item: %v", err)
		}

		// Training: evidence once every assignment is done.
		p1 := &attest.RosterPerson{Name: "Pia", Email: "pia@example.com", StartDate: "2025-01-01"}
		p2 := &attest.RosterPerson{Name: "Quinn", Email: "quinn@example.com", StartDate: "2025-01-01"}
		must(db.CreateRosterPerson(ctx, org, p1))
		must(db.CreateRosterPerson(ctx, org, p2))
		camp := &attest.TrainingCampaign{Title: "Awareness 2026", DueDate: "2026-04-30", ControlID: "HR-04"}
		must(db.CreateTrainingCampaign(ctx, org, camp))
		_, err = db.AssignTraining(ctx, org, camp.ID, []int64{p1.ID, p2.ID})
		must(err)
		as, err := db.FindTrainingAssignments(ctx, org, camp.ID)
		must(err)
		_, err = db.CompleteTraining(ctx, org, as[0].ID, "2026-04-10", attest.CompletedAcknowledged, 0)
		must(err)
		if count("HR-04") != 0 {
			t.Errorf("a campaign half done became evidence")
		}
		_, err = db.CompleteTraining(ctx, org, as[1].ID, "2026-05-02", attest.CompletedAcknowledged, 0)
		must(err)
		c2, err := db.FindTrainingCampaign(ctx, org, camp.ID)
		must(err)
		ev, err = db.FindEvidenceByID(ctx, org, c2.EvidenceID)
		must(err)
		if ev.PeriodStart != "2026-04-10" || ev.PeriodEnd != "2026-05-02" || !strings.Contains(ev.Statement, "Quinn <quinn@example.com>: 2026-05-02 by acknowledgement, after the due date") {
			t.Errorf("training evidence %+v", ev)
		}

		// An offboarding checklist, completed, reopened and completed again.
		p1.EndDate = "2026-04-30"
		must(db.UpdateRosterPerson(ctx, org, p1))
		cs, err := db.FindChecklists(ctx, org, p1.ID)
		must(err)
		var off *attest.Checklist
		for _, c := range cs {
			if c.Kind == attest.Offboarding {
				off = c
			}
		}
		if off == nil {
			t.Fatal("no offboarding checklist")
		}
		for _, it := range off.Items {
			off, err = db.UpdateChecklistItem(ctx, org, off.ID, it.ID, bob, attest.ItemUpdate{DoneOn: "2026-04-30"})
			must(err)
		}
		first := off.EvidenceID
		if first == 0 || count("ACC-06") != 1 {
			t.Fatalf("a completed offboarding is not evidence of ACC-06")
		}
		_, err = db.UpdateChecklistItem(ctx, org, off.ID, off.Items[0].ID, bob, attest.ItemUpdate{})
		must(err)
		off, err = db.UpdateChecklistItem(ctx, org, off.ID, off.Items[0].ID, bob, attest.ItemUpdate{DoneOn: "2026-05-01", Note: "found a second account"})
		must(err)
		old, err := db.FindEvidenceByID(ctx, org, first)
		must(err)
		if off.EvidenceID == first || old.SupersededBy != off.EvidenceID {
			t.Errorf("completed again: item %d, the first %d superseded by %d", off.EvidenceID, first, old.SupersededBy)
		}

		// Each item was audited, and the request list counts them.
		entries, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Action: "evidence.create", Limit: 50})
		must(err)
		if len(entries) != 6 {
			t.Errorf("%d evidence.create entries, want 6", len(entries))
		}
		e := &attest.Engagement{Name: "Type II", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
		must(db.CreateEngagement(ctx, org, e))
		reqs, err := db.Requests(ctx, org, e.ID)
		must(err)
		for _, r := range reqs {
			if r.ControlID == "ACC-06" && r.Need == 0 && (len(r.Slots) != 1 || r.Slots[0].State != attest.SlotProvided || r.PopulationKind != "access-removals") {
				t.Errorf("ACC-06's per-event request: %+v", r)
			}
			if r.ControlID == "CHG-02" && r.Need == 1 && (r.Slots[1].State != attest.SlotProvided || len(r.Slots[1].Evidence) != 2) {
				t.Errorf("CHG-02's second quarter: %+v", r.Slots[1])
			}
		}
		problems, err := db.VerifyAuditLog(ctx)
		must(err)
		if len(problems) != 0 {
			t.Errorf("audit chain: %+v", problems)
		}
	})
}
