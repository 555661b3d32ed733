package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestControlRequests: one control's requests read through its own
// evidence are those of the whole list; a page's titles, a control's
// newest items and their links come back whole past 500 items, and
// nothing of another organization shows.
func TestControlRequests(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:test@example.com")
		db.Now = func() time.Time { return time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC) }
		org, other := newOrg(t, db, "A"), newOrg(t, db, "B")
		e := &attest.Engagement{Name: "Type II", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-12-31"}
		if err := db.CreateEngagement(ctx, org, e); err != nil {
			t.Fatal(err)
		}
		controls, err := db.FindControls(ctx, org, attest.ControlFilter{})
		if err != nil {
			t.Fatal(err)
		}
		scope := attest.DeriveScope(db.fw, e.Categories, controls).Controls
		a, b := scope[0], scope[1]
		add := func(orgID int64, c *attest.Control, month int, extra ...attest.EvidenceLinkRef) int64 {
			t.Helper()
			start := attest.Date(fmt.Sprintf("2026-%02d-01", month))
			it := &attest.Evidence{Kind: attest.EvidenceStatement, Title: fmt.Sprintf("%s %s", c.ID, start), Statement: "Done.",
				PeriodStart: start, PeriodEnd: start.AddMonths(1).AddDays(-1), CollectedAt: start.Time().AddDate(0, 0, 2),
				Links: append([]attest.EvidenceLinkRef{{ControlID: c.ID, Need: 0}}, extra...)}
			if err := db.CreateEvidence(ctx, orgID, it); err != nil {
				t.Fatal(err)
			}
			return it.ID
		}
		first := add(org, a, 1)
		shared := add(org, a, 2, attest.EvidenceLinkRef{ControlID: b.ID, Need: 0})
		add(org, b, 3)
		foreign := add(other, a, 4)
		whole, err := db.Requests(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want []*attest.EvidenceRequest
		for _, r := range whole {
			if r.ControlID == a.ID {
				want = append(want, r)
			}
		}
		got, err := db.ControlRequests(ctx, org, e, []*attest.Control{a})
		if err != nil || len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Fatalf("ControlRequests(%s) = %+v, %v; the whole list has %+v", a.ID, got, err, want)
		}
		if s := got[0].Slots; !reflect.DeepEqual(s[0].Evidence, []int64{first, shared}) || len(s[1].Evidence) != 0 {
			t.Errorf("%s's slots: %+v", a.ID, s)
		}
		titles, err := db.EvidenceTitles(ctx, org, []int64{shared, shared + 1000})
		if err != nil || len(titles) != 1 || titles[shared] != fmt.Sprintf("%s 2026-02-01", a.ID) {
			t.Errorf("titles %v, %v", titles, err)
		}

		// Past 500 items: the newest first, every item with its links.
		for range 520 {
			add(org, b, 5)
		}
		recent, total, err := db.RecentEvidence(ctx, org, b.ID, 50)
		if err != nil || len(recent) != 50 || total != 522 || recent[0].ID < recent[49].ID {
			t.Fatalf("RecentEvidence: %d items of %d, %v", len(recent), total, err)
		}
		items, err := db.FindEvidence(ctx, org, b.ID)
		if err != nil || len(items) != 522 {
			t.Fatalf("FindEvidence(%s): %d items, %v", b.ID, len(items), err)
		}
		for _, it := range items {
			if want := 1 + btoi(it.ID == shared); len(it.Links) != want {
				t.Errorf("item %d has %d links, want %d", it.ID, len(it.Links), want)
			}
		}
		// The other organization's reading holds its own item only.
		theirs, err := db.ControlRequests(ctx, other, e, []*attest.Control{a})
		if err != nil || len(theirs) == 0 || !reflect.DeepEqual(theirs[0].Slots[1].Evidence, []int64{foreign}) || len(theirs[0].Slots[0].Evidence) != 0 {
			t.Errorf("the other organization's requests: %+v, %v", theirs, err)
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
