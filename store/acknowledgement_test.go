package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// publish takes a policy through approval to publication by approver.
func publish(t *testing.T, db *DB, orgID int64, p *attest.Policy, approver int64) *attest.Policy {
	t.Helper()
	ctx := context.Background()
	if _, err := db.SetApprovers(ctx, orgID, p.ID, []int64{approver}); err != nil {
		t.Fatal(err)
	}
	cur, err := db.FindPolicyByID(ctx, orgID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	send(t, db, orgID, p.ID)
	if _, err := db.Decide(ctx, orgID, p.ID, cur.CurrentVersion, approver, true, ""); err != nil {
		t.Fatal(err)
	}
	out, err := db.Publish(ctx, orgID, p.ID, cur.CurrentVersion)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// heldIn returns the hold reason of control id in the engagement's
// readiness, and whether the control appears at all.
func heldIn(t *testing.T, db *DB, orgID, engagementID int64, id string) (held string, score float64, found bool) {
	t.Helper()
	r, err := db.Readiness(context.Background(), orgID, engagementID)
	if err != nil {
		t.Fatal(err)
	}
	for _, cr := range r.Criteria {
		for _, c := range cr.Controls {
			if c.ID == id {
				return c.Held, r.Score, true
			}
		}
	}
	return "", r.Score, false
}

// TestPolicyGatesReadiness shows the readiness effect of policies: a
// control a policy template names counts as implemented only once a policy
// naming it is published and acknowledged by the required share.
func TestPolicyGatesReadiness(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		day := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return day }
		db.templates = []*attest.PolicyTemplate{template(t, "access-control")}
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		ann := newUser(t, db, org, "Ann", attest.RoleComplianceManager)
		bob := newUser(t, db, org, "Bob", attest.RoleEmployee)
		newUser(t, db, org, "Aud", attest.RoleAuditor) // never asked
		users, err := db.FindUsers(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		required := 0
		for _, u := range users {
			if attest.MustAcknowledge(u, day) {
				required++
			}
		}

		ctlID := template(t, "access-control").Controls[0]
		_, before, _ := heldIn(t, db, org, e.ID, ctlID)
		if _, err := db.UpdateControl(ctx, org, ctlID, attest.ControlUpdate{Status: ptr(attest.Implemented)}); err != nil {
			t.Fatal(err)
		}
		held, score, found := heldIn(t, db, org, e.ID, ctlID)
		if !found || !strings.Contains(held, "needs a published policy") || score != before {
			t.Fatalf("implemented control without a policy: held %q, score %v (before %v)", held, score, before)
		}

		p := adopted(t, db, org)
		if held, _, _ := heldIn(t, db, org, e.ID, ctlID); !strings.Contains(held, "is not published") {
			t.Fatalf("with a draft policy: held %q", held)
		}
		p = publish(t, db, org, p, ann)
		if held, _, _ := heldIn(t, db, org, e.ID, ctlID); !strings.Contains(held, "acknowledged by 0%") {
			t.Fatalf("published, nobody acknowledged: held %q", held)
		}
		st, err := db.PolicyStanding(ctx, org, p)
		if err != nil || st.Required != required || st.Done != 0 {
			t.Fatalf("standing = %+v, %v; want %d required", st, err, required)
		}

		for _, u := range users {
			if attest.MustAcknowledge(u, day) && u.ID != bob {
				if _, err := db.Acknowledge(ctx, org, p.ID, "1.0", u.ID); err != nil {
					t.Fatal(err)
				}
			}
		}
		if held, _, _ := heldIn(t, db, org, e.ID, ctlID); !strings.Contains(held, "needed") {
			t.Fatalf("all but Bob acknowledged (%d of %d): held %q", required-1, required, held)
		}
		if _, err := db.Acknowledge(ctx, org, p.ID, "1.0", bob); err != nil {
			t.Fatal(err)
		}
		held, after, _ := heldIn(t, db, org, e.ID, ctlID)
		if held != "" || after <= before {
			t.Fatalf("everyone acknowledged: held %q, score %v (before %v)", held, after, before)
		}

		// A lower required share lets a partly acknowledged policy count.
		st2, _ := db.FindSettings(ctx, org)
		st2.AckSharePercent = 50
		if err := db.UpdateSettings(ctx, org, st2); err != nil {
			t.Fatal(err)
		}
		// A new major version asks everyone again.
		if _, err := db.SaveDraft(ctx, org, p.ID, "1.0", "# Access\n\nRevised.\n", true); err != nil {
			t.Fatal(err)
		}
		p = publish(t, db, org, p, ann)
		if held, _, _ := heldIn(t, db, org, e.ID, ctlID); !strings.Contains(held, "acknowledged by 0%") {
			t.Fatalf("major version 2.0 published: held %q", held)
		}
		for _, id := range []int64{ann, bob} {
			if _, err := db.Acknowledge(ctx, org, p.ID, "2.0", id); err != nil {
				t.Fatal(err)
			}
		}
		if held, _, _ := heldIn(t, db, org, e.ID, ctlID); required > 4 || held != "" {
			t.Fatalf("2 of %d acknowledged with 50%% required: held %q", required, held)
		}
		// A minor version keeps the acknowledgements of its major version.
		if _, err := db.SaveDraft(ctx, org, p.ID, "2.0", "# Access\n\nRevised again.\n", false); err != nil {
			t.Fatal(err)
		}
		p = publish(t, db, org, p, ann)
		if st, _ := db.PolicyStanding(ctx, org, p); p.PublishedVersion != "2.1" || st.Done != 2 {
			t.Fatalf("after minor 2.1: %s acknowledged by %d", p.PublishedVersion, st.Done)
		}
	})
}

// TestPendingAcknowledgements checks due dates, overdue users and that a
// user who joins later receives every current policy with their own time.
func TestPendingAcknowledgements(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		day := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return day }
		org := newOrg(t, db, "Acme")
		ann := newUser(t, db, org, "Ann", attest.RoleComplianceManager)
		bob := newUser(t, db, org, "Bob", attest.RoleEmployee)
		p := publish(t, db, org, adopted(t, db, org), ann)

		pend := pendingFor(t, db, org, bob)
		if len(pend) != 1 || pend[0].Policy.ID != p.ID || pend[0].Due != "2026-03-24" || pend[0].Overdue {
			t.Fatalf("Bob's pending = %+v", pend)
		}
		day = day.AddDate(0, 0, 20)
		cat := newUser(t, db, org, "Cat", attest.RoleEmployee) // joins after publication
		pend = pendingFor(t, db, org, bob)
		if len(pend) != 1 || !pend[0].Overdue {
			t.Fatalf("Bob 20 days later = %+v", pend)
		}
		pend = pendingFor(t, db, org, cat)
		if len(pend) != 1 || pend[0].Overdue || pend[0].Due != "2026-04-13" {
			t.Fatalf("Cat, new user = %+v", pend)
		}
		if _, err := db.Acknowledge(ctx, org, p.ID, "1.0", bob); err != nil {
			t.Fatal(err)
		}
		if pend := pendingFor(t, db, org, bob); len(pend) != 0 {
			t.Fatalf("Bob after acknowledging = %+v", pend)
		}
		st, _ := db.PolicyStanding(ctx, org, p)
		states := map[int64]attest.AckState{}
		for _, u := range st.Users {
			states[u.UserID] = u.State
		}
		if states[bob] != attest.AckDone || states[cat] != attest.AckPending || states[ann] != attest.AckOverdue {
			t.Fatalf("standing users = %+v", st.Users)
		}
		// A deactivated user is no longer asked.
		if _, err := db.UpdateUser(ctx, org, ann, attest.UserUpdate{Active: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		if st, _ := db.PolicyStanding(ctx, org, p); st.Overdue != 0 {
			t.Fatalf("after deactivating Ann: %+v", st.Users)
		}
	})
}

// pendingFor is what a user still has to acknowledge.
func pendingFor(t *testing.T, db *DB, orgID, userID int64) []attest.PendingAck {
	t.Helper()
	standings, err := db.PolicyStandings(context.Background(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	return attest.PendingFor(userID, standings)
}
