package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// newUser creates a user of the organization for a test.
func newUser(t *testing.T, db *DB, orgID int64, name, role string) int64 {
	t.Helper()
	u := &attest.User{OrgID: orgID, Email: fmt.Sprintf("%s.%d@example.com", strings.ToLower(name), orgID), Name: name, Role: role}
	if err := db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// adopted adopts the access control template for a test.
func adopted(t *testing.T, db *DB, orgID int64) *attest.Policy {
	t.Helper()
	p, err := db.AdoptTemplate(attest.WithActor(context.Background(), "ann@example.com"), orgID, template(t, "access-control"), map[string]string{"organization": "Acme", "owner": "CISO", "security_contact": "security@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func versionStates(t *testing.T, db *DB, orgID, policyID int64) string {
	t.Helper()
	vs, err := db.FindPolicyVersions(context.Background(), orgID, policyID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range vs {
		out = append(out, v.Number+"="+string(v.State))
	}
	return strings.Join(out, " ")
}

func TestPolicyWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "ann@example.com")
		day := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return day }
		org := newOrg(t, db, "Acme")
		ann := newUser(t, db, org, "Ann", attest.RoleComplianceManager)
		bob := newUser(t, db, org, "Bob", attest.RoleAdmin)
		eve := newUser(t, db, org, "Eve", attest.RoleEmployee)

		p := adopted(t, db, org)
		if p.Status != attest.PolicyDraft || p.CurrentVersion != "1.0" || p.OwnerNote != "CISO" || len(p.Controls) == 0 || p.ReviewCycleMonths <= 0 {
			t.Fatalf("adopted policy = %+v", p)
		}
		vs, err := db.FindPolicyVersions(ctx, org, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 1 || vs[0].State != attest.VersionDraft || vs[0].Author != "ann@example.com" ||
			!strings.Contains(vs[0].Body, "Acme") || strings.Contains(vs[0].Body, "{{organization}}") {
			t.Fatalf("adopted versions = %+v", vs)
		}
		if _, err := db.AdoptTemplate(ctx, org, template(t, "access-control"), map[string]string{"ceo": "x"}); attest.ErrorCode(err) != attest.EINVALID {
			t.Fatalf("adopt with unknown placeholder: %v", err)
		}

		v, err := db.SaveDraft(ctx, org, p.ID, "1.0", vs[0].Body+"\nEdited.\n", false)
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != "1.1" || v.State != attest.VersionDraft {
			t.Fatalf("saved version = %+v", v)
		}
		if _, err := db.SetApprovers(ctx, org, p.ID, []int64{ann, bob, ann}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SetApprovers(ctx, org, p.ID, []int64{ann, 9999}); attest.ErrorCode(err) != attest.EINVALID {
			t.Fatalf("unknown approver: %v", err)
		}
		send(t, db, org, p.ID)
		if _, err := db.Decide(ctx, org, p.ID, "1.1", ann, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Publish(ctx, org, p.ID, "1.1"); attest.ErrorCode(err) != attest.EINVALID {
			t.Fatalf("publish with one approval of two: %v", err)
		}
		if _, err := db.Decide(ctx, org, p.ID, "1.1", bob, true, "fine"); err != nil {
			t.Fatal(err)
		}
		if got := versionStates(t, db, org, p.ID); got != "1.0=superseded 1.1=approved" {
			t.Fatalf("versions before publishing: %s", got)
		}
		p, err = db.Publish(ctx, org, p.ID, "1.1")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != attest.PolicyPublished || p.PublishedVersion != "1.1" || p.NextReview != attest.DateOf(day).AddMonths(p.ReviewCycleMonths) {
			t.Fatalf("published policy = %+v", p)
		}

		a, err := db.Acknowledge(ctx, org, p.ID, "1.1", eve)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return day.Add(time.Hour) }
		again, err := db.Acknowledge(ctx, org, p.ID, "1.1", eve)
		if err != nil {
			t.Fatal(err)
		}
		if !again.At.Equal(a.At) {
			t.Errorf("second acknowledgement at %v, want the first's %v", again.At, a.At)
		}
		acks, err := db.FindAcknowledgements(ctx, org, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(acks) != 1 || acks[0].UserID != eve || acks[0].Version != "1.1" {
			t.Fatalf("acknowledgements = %+v", acks)
		}

		later := day.AddDate(0, 11, 0)
		db.Now = func() time.Time { return later }
		p, err = db.RecordReview(ctx, org, p.ID, "no changes needed")
		if err != nil {
			t.Fatal(err)
		}
		if p.NextReview != attest.DateOf(later).AddMonths(p.ReviewCycleMonths) || p.LastReviewed != attest.DateOf(later) || p.PublishedVersion != "1.1" {
			t.Fatalf("reviewed policy = %+v", p)
		}
		if got, err := db.FindPolicyByID(ctx, org, p.ID); err != nil || got.NextReview != p.NextReview {
			t.Fatalf("stored policy after review = %+v, %v", got, err)
		}

		log, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Entity: "policy", EntityID: fmt.Sprint(p.ID)})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for i := len(log) - 1; i >= 0; i-- {
			actions = append(actions, log[i].Action)
		}
		want := "policy.adopt policy.save policy.approvers policy.submit policy.decide policy.decide policy.publish policy.acknowledge policy.review"
		if got := strings.Join(actions, " "); got != want {
			t.Errorf("audit actions = %s\nwant %s", got, want)
		}
		if problems, err := db.VerifyAuditLog(ctx); err != nil || len(problems) != 0 {
			t.Errorf("audit log: %v, %v", problems, err)
		}
	})
}

func TestPolicySaveConflict(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		p := adopted(t, db, org)
		if _, err := db.SaveDraft(ctx, org, p.ID, "1.0", "first editor", false); err != nil {
			t.Fatal(err)
		}
		// The second editor also started from 1.0.
		_, err := db.SaveDraft(ctx, org, p.ID, "1.0", "second editor", true)
		wantCode(t, err, attest.ECONFLICT)
		vs, err := db.FindPolicyVersions(ctx, org, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != 2 || vs[1].Number != "1.1" || vs[1].Body != "first editor" {
			t.Fatalf("versions after a conflict = %+v", vs)
		}
		v, err := db.SaveDraft(ctx, org, p.ID, "1.1", "second editor, merged", true)
		if err != nil {
			t.Fatal(err)
		}
		if v.Number != "2.0" || !v.Major {
			t.Fatalf("major save = %+v", v)
		}
		_, err = db.SaveDraft(ctx, org, p.ID, "2.0", "{{ceo}}", false)
		wantCode(t, err, attest.EINVALID)
		_, err = db.SaveDraft(ctx, org, p.ID, "2.0", " ", false)
		wantCode(t, err, attest.EINVALID)
	})
}

func TestPolicyOnlyApproversDecide(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ann := newUser(t, db, org, "Ann", attest.RoleComplianceManager)
		eve := newUser(t, db, org, "Eve", attest.RoleEmployee)
		p := adopted(t, db, org)
		if _, err := db.SetApprovers(ctx, org, p.ID, []int64{ann}); err != nil {
			t.Fatal(err)
		}
		_, err := db.Decide(ctx, org, p.ID, "1.0", eve, true, "")
		wantCode(t, err, attest.EFORBIDDEN)
		_, err = db.Decide(ctx, org, p.ID, "1.0", ann, false, "")
		wantCode(t, err, attest.EINVALID)
		_, err = db.Decide(ctx, org, p.ID, "9.9", ann, true, "")
		wantCode(t, err, attest.ENOTFOUND)
		if got := versionStates(t, db, org, p.ID); got != "1.0=draft" {
			t.Fatalf("versions after refused decisions: %s", got)
		}
		// An approver decides on what was sent, never on a draft.
		_, err = db.Decide(ctx, org, p.ID, "1.0", ann, true, "")
		wantCode(t, err, attest.EINVALID)
		send(t, db, org, p.ID)
		d, err := db.Decide(ctx, org, p.ID, "1.0", ann, false, "name the access review cadence")
		if err != nil {
			t.Fatal(err)
		}
		if d.ApproverID != ann || d.Approve || d.At.IsZero() {
			t.Fatalf("decision = %+v", d)
		}
		if got := versionStates(t, db, org, p.ID); got != "1.0=rejected" {
			t.Fatalf("versions after a rejection: %s", got)
		}
		_, err = db.Publish(ctx, org, p.ID, "1.0")
		wantCode(t, err, attest.EINVALID)
		ds, err := db.FindPolicyDecisions(ctx, org, p.ID)
		if err != nil || len(ds) != 1 || ds[0].Comment != "name the access review cadence" {
			t.Fatalf("decisions = %+v, %v", ds, err)
		}
	})
}

func TestPolicyPublishNeedsApprovers(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		p := adopted(t, db, org)
		_, err := db.Publish(ctx, org, p.ID, "1.0")
		wantCode(t, err, attest.EINVALID)
		_, err = db.RecordReview(ctx, org, p.ID, "")
		wantCode(t, err, attest.EINVALID)
		if got, err := db.FindPolicyByID(ctx, org, p.ID); err != nil || got.Status != attest.PolicyDraft || got.PublishedVersion != "" {
			t.Fatalf("policy after refused publication = %+v, %v", got, err)
		}
	})
}

func TestPolicySupersededAcknowledgement(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ann := newUser(t, db, org, "Ann", attest.RoleComplianceManager)
		eve := newUser(t, db, org, "Eve", attest.RoleEmployee)
		p := adopted(t, db, org)
		if _, err := db.SetApprovers(ctx, org, p.ID, []int64{ann}); err != nil {
			t.Fatal(err)
		}
		publish := func(version string) {
			t.Helper()
			send(t, db, org, p.ID)
			if _, err := db.Decide(ctx, org, p.ID, version, ann, true, ""); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Publish(ctx, org, p.ID, version); err != nil {
				t.Fatal(err)
			}
		}
		_, err := db.Acknowledge(ctx, org, p.ID, "1.0", eve)
		wantCode(t, err, attest.EINVALID) // not yet published
		publish("1.0")
		if _, err := db.SaveDraft(ctx, org, p.ID, "1.0", "Version two.", true); err != nil {
			t.Fatal(err)
		}
		if got := versionStates(t, db, org, p.ID); got != "1.0=published 2.0=draft" {
			t.Fatalf("versions while 2.0 is drafted: %s", got)
		}
		publish("2.0")
		if got := versionStates(t, db, org, p.ID); got != "1.0=superseded 2.0=published" {
			t.Fatalf("versions after publishing 2.0: %s", got)
		}
		_, err = db.Acknowledge(ctx, org, p.ID, "1.0", eve)
		wantCode(t, err, attest.EINVALID)
		if _, err := db.Acknowledge(ctx, org, p.ID, "2.0", eve); err != nil {
			t.Fatal(err)
		}
		_, err = db.Acknowledge(ctx, org, p.ID, "2.0", 9999)
		wantCode(t, err, attest.ENOTFOUND)
		acks, err := db.FindAcknowledgements(ctx, org, p.ID)
		if err != nil || len(acks) != 1 || acks[0].Version != "2.0" {
			t.Fatalf("acknowledgements = %+v, %v", acks, err)
		}
	})
}

func TestPolicyOrgIsolation(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		other := newOrg(t, db, "Globex")
		ann := newUser(t, db, org, "Ann", attest.RoleComplianceManager)
		mallory := newUser(t, db, other, "Mallory", attest.RoleAdmin)
		p := adopted(t, db, org)
		if _, err := db.SetApprovers(ctx, org, p.ID, []int64{ann}); err != nil {
			t.Fatal(err)
		}
		send(t, db, org, p.ID)
		if _, err := db.Decide(ctx, org, p.ID, "1.0", ann, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Publish(ctx, org, p.ID, "1.0"); err != nil {
			t.Fatal(err)
		}
		// A user of another organization cannot be named an approver.
		_, err := db.SetApprovers(ctx, org, p.ID, []int64{ann, mallory})
		wantCode(t, err, attest.EINVALID)
		_, err = db.Acknowledge(ctx, org, p.ID, "1.0", mallory)
		wantCode(t, err, attest.ENOTFOUND)

		calls := map[string]func() error{
			"find":        func() error { _, err := db.FindPolicyByID(ctx, other, p.ID); return err },
			"versions":    func() error { _, err := db.FindPolicyVersions(ctx, other, p.ID); return err },
			"decisions":   func() error { _, err := db.FindPolicyDecisions(ctx, other, p.ID); return err },
			"acks":        func() error { _, err := db.FindAcknowledgements(ctx, other, p.ID); return err },
			"save":        func() error { _, err := db.SaveDraft(ctx, other, p.ID, "1.0", "taken over", false); return err },
			"approvers":   func() error { _, err := db.SetApprovers(ctx, other, p.ID, []int64{mallory}); return err },
			"decide":      func() error { _, err := db.Decide(ctx, other, p.ID, "1.0", mallory, true, ""); return err },
			"publish":     func() error { _, err := db.Publish(ctx, other, p.ID, "1.0"); return err },
			"acknowledge": func() error { _, err := db.Acknowledge(ctx, other, p.ID, "1.0", mallory); return err },
			"review":      func() error { _, err := db.RecordReview(ctx, other, p.ID, ""); return err },
		}
		for name, call := range calls {
			if got := attest.ErrorCode(call()); got != attest.ENOTFOUND {
				t.Errorf("%s from another organization: code %q, want not_found", name, got)
			}
		}
		if ps, err := db.FindPolicies(ctx, other); err != nil || len(ps) != 0 {
			t.Errorf("other organization's policies = %v, %v", ps, err)
		}
		if ps, err := db.FindPolicies(ctx, org); err != nil || len(ps) != 1 {
			t.Errorf("organization's policies = %v, %v", ps, err)
		}
		got, err := db.FindPolicyByID(ctx, org, p.ID)
		if err != nil || got.CurrentVersion != "1.0" || len(got.Approvers) != 1 {
			t.Errorf("policy after another organization's attempts = %+v, %v", got, err)
		}
	})
}

// template returns a built-in policy template.
func template(t *testing.T, id string) *attest.PolicyTemplate {
	t.Helper()
	tmpl, err := catalog.PolicyTemplate(id)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// send sends a policy's current version to its approvers.
func send(t *testing.T, db *DB, org, policyID int64) {
	t.Helper()
	if _, err := db.SubmitForApproval(context.Background(), org, policyID); err != nil {
		t.Fatal(err)
	}
}
