package store

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestPopulations: each population holds exactly the events of its period.
func TestPopulations(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ana, bob := member(t, db, org, "Ana"), member(t, db, org, "Bob")
		clock(db, time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))
		for _, p := range []*attest.RosterPerson{
			{Email: "a@x.example", Name: "A", StartDate: "2026-01-10"},
			{Email: "b@x.example", Name: "B", StartDate: "2025-06-01", EndDate: "2026-02-15"},
			{Email: "c@x.example", Name: "C", StartDate: "2026-04-01"},
		} {
			if err := db.CreateRosterPerson(ctx, org, p); err != nil {
				t.Fatal(err)
			}
			cs, _ := db.FindChecklists(ctx, org, p.ID)
			for _, c := range cs {
				for _, it := range c.Items {
					if it.Kind == attest.ItemAccount {
						day := p.StartDate
						if c.Kind == attest.Offboarding {
							day = p.EndDate
						}
						if _, err := db.UpdateChecklistItem(ctx, org, c.ID, it.ID, ana, attest.ItemUpdate{DoneOn: day}); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
		}
		r := &attest.AccessReview{System: "AWS", PeriodStart: "2026-01-01", PeriodEnd: "2026-03-31"}
		if err := db.CreateAccessReview(ctx, org, r, []*attest.AccessAccount{{Account: "old"}}); err != nil {
			t.Fatal(err)
		}
		list, _ := db.FindAccessAccounts(ctx, org, r.ID)
		if _, err := db.DecideAccess(ctx, org, r.ID, list[0].ID, bob, attest.Decision{Decision: "revoke", Comment: "gone"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ResolveAccess(ctx, org, r.ID, list[0].ID, "2026-03-20"); err != nil {
			t.Fatal(err)
		}
		for _, c := range []*attest.ChangeRecord{{Title: "one", ImplementedOn: "2026-02-01", RequesterID: ana, ApproverID: bob}, {Title: "two", ImplementedOn: "2026-05-01"}} {
			if err := db.CreateChange(ctx, org, c); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			kind string
			want int
		}{{"hires", 1}, {"leavers", 1}, {"access-grants", 1}, {"access-removals", 4}, {"changes", 1}, {"internal-tests", 0}}
		for _, tt := range tests {
			p, err := db.FindPopulation(ctx, org, tt.kind, "2026-01-01", "2026-03-31")
			if err != nil || len(p.Rows) != tt.want || p.Filter == "" {
				t.Errorf("%s: %+v, %v; want %d rows", tt.kind, p, err, tt.want)
			}
			for _, row := range p.Rows {
				if len(row) != len(p.Header) {
					t.Errorf("%s: row %v does not match header %v", tt.kind, row, p.Header)
				}
			}
		}
		_, err := db.FindPopulation(ctx, org, "salaries", "2026-01-01", "2026-03-31")
		wantCode(t, err, attest.EINVALID)
		_, err = db.FindPopulation(ctx, org, "hires", "2026-03-31", "2026-01-01")
		wantCode(t, err, attest.EINVALID)
	})
}
