package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// member adds an active control owner called name to the organization and
// returns their user ID; their email is the name's first word at the
// organization's domain.
func member(t *testing.T, db *DB, orgID int64, name string) int64 {
	t.Helper()
	return memberAs(t, db, orgID, name, attest.RoleControlOwner)
}

func memberAs(t *testing.T, db *DB, orgID int64, name, role string) int64 {
	t.Helper()
	first, _, _ := strings.Cut(strings.ToLower(name), " ")
	return memberWith(t, db, orgID, name, fmt.Sprintf("%s@org%d.example", first, orgID), role)
}

func memberWith(t *testing.T, db *DB, orgID int64, name, email, role string) int64 {
	t.Helper()
	u := &attest.User{OrgID: orgID, Email: email, Name: name, Role: role, Active: true}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestOwnersAreMembers: an owner is stored by user ID and shown with the
// member's current name; someone of another organization, an auditor or a
// deactivated member is refused and nothing changes.
func TestOwnersAreMembers(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		tom := member(t, db, org, "Tom Becker")
		namesake := memberWith(t, db, org, "Tom Becker", "mallory@evil.example", attest.RoleEmployee) // an invitee who took Tom's name
		stranger := member(t, db, other, "Sam Stranger")
		auditor := memberAs(t, db, org, "Art Auditor", attest.RoleAuditor)
		gone := member(t, db, org, "Gina Gone")
		off := false
		if _, err := db.UpdateUser(ctx, org, gone, attest.UserUpdate{Active: &off}); err != nil {
			t.Fatal(err)
		}

		c, err := db.UpdateControl(ctx, org, "GOV-01", attest.ControlUpdate{OwnerID: &tom, OwnerNote: ptr("")})
		if err != nil || c.OwnerID != tom || c.Owner == nil || c.Owner.Email != fmt.Sprintf("tom@org%d.example", org) {
			t.Fatalf("assign Tom: %+v, %v", c, err)
		}
		for name, id := range map[string]int64{"another organization's user": stranger, "an auditor": auditor, "a deactivated member": gone, "no user": 999999} {
			_, err := db.UpdateControl(ctx, org, "GOV-01", attest.ControlUpdate{OwnerID: &id})
			wantCode(t, err, attest.EINVALID)
			if err := db.CreateTask(ctx, org, &attest.Task{Title: "x", OwnerID: id}); attest.ErrorCode(err) != attest.EINVALID {
				t.Errorf("a task owned by %s: %v", name, err)
			}
		}
		if c, _ := db.FindControlByID(ctx, org, "GOV-01"); c.OwnerID != tom {
			t.Errorf("refused owners changed GOV-01's owner to %d", c.OwnerID)
		}

		// Sharing Tom's name gives the namesake nothing of Tom's.
		task := &attest.Task{Title: "Rotate keys", OwnerID: tom}
		if err := db.CreateTask(ctx, org, task); err != nil {
			t.Fatal(err)
		}
		if mine, _ := db.FindTasks(ctx, org, attest.TaskFilter{OwnerID: namesake}); len(mine) != 0 {
			t.Errorf("the namesake's tasks: %d, want none", len(mine))
		}
		if mine, _ := db.FindControls(ctx, org, attest.ControlFilter{OwnerID: namesake}); len(mine) != 0 {
			t.Errorf("the namesake's controls: %d, want none", len(mine))
		}
		if _, err := db.ResolvePerson(ctx, org, "Tom Becker"); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("resolving a name two members share: %v, want EINVALID", err)
		}

		// Renaming changes the name shown, not the ownership.
		if _, err := db.UpdateUser(ctx, org, tom, attest.UserUpdate{Name: ptr("Thomas Becker")}); err != nil {
			t.Fatal(err)
		}
		c, _ = db.FindControlByID(ctx, org, "GOV-01")
		all, _ := db.FindControls(ctx, org, attest.ControlFilter{OwnerID: tom})
		got, _ := db.FindTaskByID(ctx, org, task.ID)
		if c.Owner.Name != "Thomas Becker" || len(all) != 1 || all[0].Owner.Name != "Thomas Becker" || got.Owner.Name != "Thomas Becker" {
			t.Errorf("after renaming: control owner %+v, list %+v, task owner %+v", c.Owner, all, got.Owner)
		}

		owners, err := db.FindOwners(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range owners {
			if p.ID == auditor || p.ID == gone || p.ID == stranger {
				t.Errorf("FindOwners offers %+v", p)
			}
		}
		if len(owners) != 2 {
			t.Errorf("FindOwners = %d people, want Tom and his namesake", len(owners))
		}
	})
}

// TestUpdateControls: a bulk change is all or nothing, one audit entry per
// control, and not applicable still needs a justification.
func TestUpdateControls(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ana := member(t, db, org, "Ana Lima")
		ids := []string{"GOV-01", "GOV-02", "GOV-03"}
		before := len(auditLog(t, db, org))
		_, err := db.UpdateControls(ctx, org, ids, attest.ControlUpdate{Status: ptr(attest.NotApplicable)})
		wantCode(t, err, attest.EINVALID)
		_, err = db.UpdateControls(ctx, org, []string{"GOV-01", "NOPE-99"}, attest.ControlUpdate{OwnerID: &ana})
		wantCode(t, err, attest.ENOTFOUND)
		if n := len(auditLog(t, db, org)); n != before {
			t.Fatalf("refused bulk changes wrote %d audit entries", n-before)
		}
		if c, _ := db.FindControlByID(ctx, org, "GOV-01"); c.OwnerID != 0 || c.Status != attest.NotStarted {
			t.Fatalf("a refused bulk change altered GOV-01: %+v", c)
		}
		got, err := db.UpdateControls(ctx, org, ids, attest.ControlUpdate{Status: ptr(attest.NotApplicable), Justification: ptr("no board"), OwnerID: &ana})
		if err != nil || len(got) != 3 {
			t.Fatalf("bulk change: %d, %v", len(got), err)
		}
		log := auditLog(t, db, org)
		if len(log) != before+3 {
			t.Fatalf("%d audit entries for 3 controls", len(log)-before)
		}
		for i, e := range log[before:] {
			if e.Action != "control.update" || e.EntityID != ids[i] {
				t.Errorf("entry %d: %s %s", i, e.Action, e.EntityID)
			}
		}
		for _, id := range ids {
			if c, _ := db.FindControlByID(ctx, org, id); c.Status != attest.NotApplicable || c.OwnerID != ana || c.Justification != "no board" {
				t.Errorf("%s after the bulk change: %+v", id, c)
			}
		}
	})
}

// TestApprovalRequests: a version sent for approval waits for each
// approver until they decide; auditors are never approvers.
func TestApprovalRequests(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		dana, ana := member(t, db, org, "Dana"), memberAs(t, db, org, "Ana", attest.RoleComplianceManager)
		auditor := memberAs(t, db, org, "Art", attest.RoleAuditor)
		tmpl, err := catalog.PolicyTemplate("backup")
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.AdoptTemplate(ctx, org, tmpl, nil)
		if err == nil {
			// Publication fills {{owner}} from the owner the policy names.
			p, err = db.SetPolicyOwner(ctx, org, p.ID, ana)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.SubmitForApproval(ctx, org, p.ID)
		wantCode(t, err, attest.EINVALID) // no approvers yet
		_, err = db.SetApprovers(ctx, org, p.ID, []int64{dana, auditor})
		wantCode(t, err, attest.EINVALID)
		if _, err := db.SetApprovers(ctx, org, p.ID, []int64{dana, ana}); err != nil {
			t.Fatal(err)
		}
		if reqs, _ := db.FindApprovalRequests(ctx, org, dana); len(reqs) != 0 {
			t.Errorf("a draft never sent waits for Dana: %+v", reqs)
		}
		if p, err = db.SubmitForApproval(ctx, org, p.ID); err != nil || p.SubmittedVersion != "1.0" || p.StatusLabel() != "waiting for approval" {
			t.Fatalf("submit: %+v, %v", p, err)
		}
		for _, id := range []int64{dana, ana} {
			if reqs, err := db.FindApprovalRequests(ctx, org, id); err != nil || len(reqs) != 1 || reqs[0].Version != "1.0" {
				t.Errorf("user %d's approvals: %+v, %v", id, reqs, err)
			}
		}
		if reqs, _ := db.FindApprovalRequests(ctx, org, auditor); len(reqs) != 0 {
			t.Errorf("the auditor is asked: %+v", reqs)
		}
		if _, err := db.Decide(ctx, org, p.ID, "1.0", dana, true, ""); err != nil {
			t.Fatal(err)
		}
		if reqs, _ := db.FindApprovalRequests(ctx, org, dana); len(reqs) != 0 {
			t.Errorf("Dana decided, yet is still asked: %+v", reqs)
		}
		if _, err := db.Decide(ctx, org, p.ID, "1.0", ana, true, ""); err != nil {
			t.Fatal(err)
		}
		p, _ = db.FindPolicyByID(ctx, org, p.ID)
		if p.StatusLabel() != "approved — not yet published" {
			t.Errorf("approved by all, unpublished: %q", p.StatusLabel())
		}
		if p, err = db.Publish(ctx, org, p.ID, "1.0"); err != nil || p.StatusLabel() != "published" {
			t.Errorf("published: %v %v", p, err)
		}
		if reqs, _ := db.FindApprovalRequests(ctx, org, ana); len(reqs) != 0 {
			t.Errorf("a published version still waits: %+v", reqs)
		}
	})
}
