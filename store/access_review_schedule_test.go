package store

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/collect"
)

// scheduleFixture makes an organization with a directory integration whose
// latest collection holds two accounts and a group, and an integration
// that has collected nothing.
func scheduleFixture(t *testing.T, db *DB) (org, dir, empty int64) {
	t.Helper()
	ctx := attest.WithActor(context.Background(), "user:ann@example.com")
	org = newOrg(t, db, "Acme")
	clock(db, time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))
	in := &attest.Integration{Kind: "ldap", Name: "directory", Settings: map[string]string{}}
	if err := db.CreateIntegration(ctx, org, in); err != nil {
		t.Fatal(err)
	}
	none := &attest.Integration{Kind: "ldap", Name: "spare", Settings: map[string]string{}}
	if err := db.CreateIntegration(ctx, org, none); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceResources(ctx, org, in.ID, 7, []collect.Resource{
		{Type: "ldap.user", ID: "uid=ana", Name: "ana", Attributes: map[string]any{"login": "ana", "email": "ana@acme.example", "groups": []any{"admins"}}},
		{Type: "ldap.user", ID: "uid=bob", Name: "bob", Attributes: map[string]any{"login": "bob", "email": "bob@acme.example"}},
		{Type: "ldap.group", ID: "cn=admins", Name: "admins"},
	}); err != nil {
		t.Fatal(err)
	}
	return org, in.ID, none.ID
}

// TestAccessReviewFromIntegration: a review takes the accounts of the
// integration's latest collection (not its groups); an integration
// without accounts or of another organization is refused by field.
func TestAccessReviewFromIntegration(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org, dir, empty := scheduleFixture(t, db)
		r := &attest.AccessReview{System: "Directory", ControlID: "ACC-05"}
		accounts, err := db.StartAccessReviewFrom(ctx, org, r, dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(accounts) != 2 || r.Source != "ldap.user" || r.PeriodStart != "2026-01-01" || r.Accounts != 2 {
			t.Errorf("review %+v with %d accounts", r, len(accounts))
		}
		list, err := db.FindAccessAccounts(ctx, org, r.ID)
		if err != nil || len(list) != 2 || list[0].Account != "ana" || list[0].Privileges != "admins" {
			t.Errorf("accounts %+v, %v", list, err)
		}
		_, err = db.StartAccessReviewFrom(ctx, org, &attest.AccessReview{System: "Spare"}, empty)
		if attest.ErrorCode(err) != attest.EINVALID || attest.ErrorField(err) != "integration" {
			t.Errorf("an integration without accounts: %v", err)
		}
		other := newOrg(t, db, "Other")
		_, err = db.StartAccessReviewFrom(ctx, other, &attest.AccessReview{System: "Directory"}, dir)
		if attest.ErrorField(err) != "integration" {
			t.Errorf("another organization's integration: %v", err)
		}
		if _, n, _ := db.FindAccessReviewPage(ctx, other, attest.AccessReviewFilter{}, attest.Page{Limit: 10}); n != 0 {
			t.Errorf("the other organization has %d reviews", n)
		}
	})
}

// TestAccessReviewSchedule: a quarterly schedule opens the quarter's
// review the day after it ends, once however often it is run and however
// many processes run it at once; a schedule months behind reviews the
// latest ended period only.
func TestAccessReviewSchedule(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			cfg := o.open(t)
			db, err := Open(context.Background(), cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			ctx := context.Background()
			org, dir, _ := scheduleFixture(t, db)
			sc := &attest.AccessReviewSchedule{System: "Directory", IntegrationID: dir, ControlID: "ACC-05"}
			if err := db.SaveAccessReviewSchedule(ctx, org, sc); err != nil {
				t.Fatal(err)
			}
			if sc.EveryMonths != 3 || sc.NextStart != "2026-04-01" || sc.OpensOn != "2026-07-01" {
				t.Fatalf("default schedule %+v: want the current quarter, opening on July 1", sc)
			}
			if err := db.SaveAccessReviewSchedule(ctx, org, &attest.AccessReviewSchedule{System: "Directory", IntegrationID: dir, EveryMonths: 13}); attest.ErrorField(err) != "every_months" {
				t.Errorf("a 13-month period: %v", err)
			}
			if n, err := db.StartDueAccessReviews(ctx, "2026-06-30"); n != 0 || err != nil {
				t.Errorf("before the quarter ends: %d opened, %v", n, err)
			}
			if n, err := db.StartDueAccessReviews(ctx, "2026-07-01"); n != 1 || err != nil {
				t.Fatalf("the day after: %d opened, %v", n, err)
			}
			if n, err := db.StartDueAccessReviews(ctx, "2026-07-02"); n != 0 || err != nil {
				t.Errorf("run again: %d opened, %v", n, err)
			}
			rs, _, err := db.FindAccessReviewPage(ctx, org, attest.AccessReviewFilter{}, attest.Page{Limit: 10})
			if err != nil || len(rs) != 1 || rs[0].PeriodStart != "2026-04-01" || rs[0].PeriodEnd != "2026-06-30" || rs[0].Accounts != 2 || rs[0].ControlID != "ACC-05" {
				t.Fatalf("reviews %+v, %v", rs, err)
			}

			// Two processes on one database, the day after the next quarter.
			db2, err := Open(context.Background(), cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db2.Close() })
			var wg sync.WaitGroup
			opened := make([]int, 2)
			errs := make([]error, 2)
			for i, d := range []*DB{db, db2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					opened[i], errs[i] = d.StartDueAccessReviews(ctx, "2026-10-01")
				}()
			}
			wg.Wait()
			if opened[0]+opened[1] != 1 || errs[0] != nil || errs[1] != nil {
				t.Errorf("two processes opened %v (%v)", opened, errs)
			}

			// Nine months without a run: the latest ended quarter only.
			if n, err := db.StartDueAccessReviews(ctx, "2027-07-15"); n != 1 || err != nil {
				t.Fatalf("months behind: %d opened, %v", n, err)
			}
			rs, _, _ = db.FindAccessReviewPage(ctx, org, attest.AccessReviewFilter{}, attest.Page{Limit: 10, Sort: "period_end", Desc: true})
			if len(rs) != 3 || rs[0].PeriodStart != "2027-04-01" {
				t.Errorf("after a long pause: %d reviews, latest from %s", len(rs), rs[0].PeriodStart)
			}
			list, err := db.FindAccessReviewSchedules(ctx, org)
			if err != nil || len(list) != 1 || list[0].NextStart != "2027-07-01" || list[0].LastReviewID != rs[0].ID || list[0].Integration != "directory" {
				t.Errorf("schedules %+v, %v", list, err)
			}
			entries, _ := db.FindAuditLog(ctx, org, attest.AuditFilter{Action: "access_review_schedule.start"})
			if len(entries) != 3 {
				t.Errorf("%d schedule starts audited, want 3", len(entries))
			}
		})
	}
}
