package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
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
		// The summary has the same states and names one of each slot's
		// items.
		sum, err := db.RequestSummary(ctx, org, e, []*attest.Control{a, b})
		full, err2 := db.ControlRequests(ctx, org, e, []*attest.Control{a, b})
		if err != nil || err2 != nil || len(sum) != len(full) || len(sum) < 2 {
			t.Fatalf("summary %d requests (%v), full %d (%v)", len(sum), err, len(full), err2)
		}
		for i := range full {
			for j, fs := range full[i].Slots {
				ss := sum[i].Slots[j]
				if ss.State != fs.State || ss.Late != fs.Late || len(ss.Evidence) != min(len(fs.Evidence), 1) ||
					(len(ss.Evidence) == 1 && ss.Evidence[0] != fs.Evidence[0] && ss.Evidence[0] != fs.Evidence[len(fs.Evidence)-1]) {
					t.Errorf("%s need %d slot %s: summary %+v, full %+v", full[i].ControlID, full[i].Need, fs.Start, ss, fs)
				}
			}
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

// TestRequestReadsAgree: with items of every shape (periods of a day to a
// year, validity dates, provided before, within and after their periods,
// replaced versions), the request list built from the stored items, the
// one read from the links and the per-slot summary agree, for a Type II
// and a Type I engagement.
func TestRequestReadsAgree(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:test@example.com")
		today := time.Date(2026, 8, 15, 12, 0, 0, 0, time.UTC)
		org := newOrg(t, db, "A")
		e2 := &attest.Engagement{Name: "Type II", ReportType: attest.TypeII, WindowStart: "2026-01-10", WindowEnd: "2026-12-31"}
		e1 := &attest.Engagement{Name: "Type I", ReportType: attest.TypeI, AsOfDate: "2026-09-30"}
		for _, e := range []*attest.Engagement{e2, e1} {
			if err := db.CreateEngagement(ctx, org, e); err != nil {
				t.Fatal(err)
			}
		}
		controls, err := db.FindControls(ctx, org, attest.ControlFilter{})
		if err != nil {
			t.Fatal(err)
		}
		some := attest.DeriveScope(db.fw, e2.Categories, controls).Controls[:6]
		seed := uint32(7)
		next := func(n int) int { seed = seed*1664525 + 1013904223; return int(seed>>8) % n }
		var last int64
		for i := range 160 {
			c := some[next(len(some))]
			start := attest.Date("2025-12-01").AddDays(next(400))
			it := &attest.Evidence{Kind: attest.EvidenceStatement, Title: fmt.Sprint("item ", i), Statement: "x",
				PeriodStart: start, PeriodEnd: start.AddDays([]int{0, 6, 30, 90, 365}[next(5)]),
				Links: []attest.EvidenceLinkRef{{ControlID: c.ID, Need: next(len(c.Evidence))}}}
			if next(3) == 0 {
				it.ValidUntil = start.AddDays(next(200))
			}
			now := attest.Date("2026-01-01").AddDays(next(220)).Time().Add(time.Hour)
			db.Now = func() time.Time { return now }
			if next(2) == 0 {
				it.CollectedAt = now.AddDate(0, 0, -next(60))
			}
			if next(8) == 0 && last != 0 {
				it.Supersedes, it.Links = last, []attest.EvidenceLinkRef{{ControlID: some[0].ID, Need: 0}}
			}
			if err := db.CreateEvidence(ctx, org, it); err != nil {
				if attest.ErrorCode(err) == attest.ECONFLICT {
					continue
				}
				t.Fatal(err)
			}
			if it.Links[0].ControlID == some[0].ID {
				last = it.ID
			}
		}
		db.Now = func() time.Time { return today }
		all, err := db.FindEvidence(ctx, org, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []*attest.Engagement{e2, e1} {
			want := attest.BuildRequests(e, some, all, nil, db.today())
			links, err := db.ControlRequests(ctx, org, e, some)
			if err != nil {
				t.Fatal(err)
			}
			for _, rs := range [][]*attest.EvidenceRequest{want, links} {
				for _, r := range rs {
					for j := range r.Slots {
						slices.Sort(r.Slots[j].Evidence)
					}
				}
			}
			for i := range want {
				if !reflect.DeepEqual(links[i], want[i]) {
					t.Fatalf("%s: the links' reading differs from the items':\n%+v\n%+v", e.Name, links[i], want[i])
				}
			}
			sum, err := db.RequestSummary(ctx, org, e, some)
			if err != nil || len(sum) != len(want) {
				t.Fatalf("%s: summary %d requests, %v", e.Name, len(sum), err)
			}
			provided := 0
			for i := range want {
				for j, w := range want[i].Slots {
					g := sum[i].Slots[j]
					in := len(g.Evidence) == 1 && slices.Contains(w.Evidence, g.Evidence[0])
					if g.State != w.State || g.Late != w.Late || (len(w.Evidence) > 0) != in {
						t.Errorf("%s: %s need %d from %s: summary %s %v, items %s %v", e.Name, w.Start, want[i].Need, w.Start, g.State, g.Evidence, w.State, w.Evidence)
					}
					if w.State == attest.SlotProvided {
						provided++
					}
				}
			}
			if provided == 0 {
				t.Errorf("%s: no slot provided: the data proves nothing", e.Name)
			}
			// Readiness counts coverage from the summary: the same figure
			// as the whole list's.
			whole, err := db.Requests(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			r, err := db.Readiness(ctx, org, e.ID)
			if err != nil || r.Coverage != attest.CoverageOf(whole) || r.Coverage.Covered == 0 {
				t.Errorf("%s: readiness coverage %+v, the whole list's %+v (%v)", e.Name, r.Coverage, attest.CoverageOf(whole), err)
			}
		}
	})
}
