package store

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// sameEngagement compares two engagements, their creation times to the
// microsecond PostgreSQL keeps.
func sameEngagement(t *testing.T, got, want *attest.Engagement) {
	t.Helper()
	g, w := *got, *want
	if !g.CreatedAt.Truncate(time.Microsecond).Equal(w.CreatedAt.Truncate(time.Microsecond)) {
		t.Errorf("created at %v, want %v", g.CreatedAt, w.CreatedAt)
	}
	g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("engagement = %+v\nwant %+v", g, w)
	}
}

func TestCreateEngagement(t *testing.T) {
	// The table is built per database: creating fills in the systems' IDs.
	type testCase struct {
		name string
		e    attest.Engagement
		cats []string // categories after normalization
	}
	table := func() []testCase {
		return []testCase{
			{"Type I", attest.Engagement{Name: " First audit ", ReportType: attest.TypeI, AsOfDate: "2026-05-01", TargetDate: "2026-07-01",
				Drivers: []string{"enterprise deal", " "}, Customers: []string{" Initech "}, Notes: "Q2",
				Categories: []string{"privacy", "availability", "privacy"},
				Systems:    []*attest.System{{Name: "API", Kind: "application", OwnerNote: "eng", Description: "public API"}, {Name: "Postgres", Kind: "database"}}},
				[]string{"security", "availability", "privacy"}},
			{"Type II", attest.Engagement{Name: "Annual", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-12-31"},
				[]string{"security"}},
		}
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		for _, tt := range table() {
			e := tt.e
			if err := db.CreateEngagement(ctx, org, &e); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			if e.ID == 0 || !reflect.DeepEqual(e.Categories, tt.cats) {
				t.Errorf("%s: id %d, categories %v; want an id and %v", tt.name, e.ID, e.Categories, tt.cats)
			}
			for _, s := range e.Systems {
				if s.ID == 0 {
					t.Errorf("%s: system %s got no id", tt.name, s.Name)
				}
			}
			got, err := db.FindEngagementByID(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameEngagement(t, got, &e)
		}
		list, err := db.FindEngagements(ctx, org)
		if err != nil || len(list) != 2 || list[0].Name != "Annual" {
			t.Errorf("FindEngagements = %d (%v), want 2, newest first", len(list), err)
		}
		// The second engagement does not take over: the first stays current.
		cur, err := db.CurrentEngagement(ctx, org)
		if err != nil || cur.Name != "First audit" {
			t.Errorf("CurrentEngagement = %v, %v; want First audit", cur, err)
		}
	})
}

func TestCreateEngagementInvalid(t *testing.T) {
	valid := func() attest.Engagement {
		return attest.Engagement{Name: "Audit", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
	}
	tests := []struct {
		name   string
		change func(e *attest.Engagement)
	}{
		{"window ends before it starts", func(e *attest.Engagement) { e.WindowStart, e.WindowEnd = "2026-06-30", "2026-01-01" }},
		{"window over 12 months", func(e *attest.Engagement) { e.WindowEnd = "2027-01-02" }},
		{"window under 3 months", func(e *attest.Engagement) { e.WindowEnd = "2026-03-30" }},
		{"Type I without as-of date", func(e *attest.Engagement) { e.ReportType, e.WindowStart, e.WindowEnd = attest.TypeI, "", "" }},
		{"unknown category", func(e *attest.Engagement) { e.Categories = []string{"safety"} }},
		{"unknown system kind", func(e *attest.Engagement) { e.Systems = []*attest.System{{Name: "x", Kind: "mainframe"}} }},
		{"empty name", func(e *attest.Engagement) { e.Name = " " }},
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		for _, tt := range tests {
			e := valid()
			tt.change(&e)
			if err := db.CreateEngagement(ctx, org, &e); attest.ErrorCode(err) != attest.EINVALID {
				t.Errorf("%s: %v, want EINVALID", tt.name, err)
			}
		}
		if list, err := db.FindEngagements(ctx, org); err != nil || len(list) != 0 {
			t.Errorf("after refused creations: %d engagements (%v), want none", len(list), err)
		}
	})
}

func TestUpdateEngagement(t *testing.T) {
	tests := []struct {
		name string
		u    attest.EngagementUpdate
		code string
	}{
		{"end before start", attest.EngagementUpdate{WindowEnd: ptr(attest.Date("2025-12-01"))}, attest.EINVALID},
		{"window over 12 months", attest.EngagementUpdate{WindowEnd: ptr(attest.Date("2027-02-01"))}, attest.EINVALID},
		{"window under 3 months", attest.EngagementUpdate{WindowEnd: ptr(attest.Date("2026-02-01"))}, attest.EINVALID},
		{"Type I without as-of date", attest.EngagementUpdate{ReportType: ptr(attest.TypeI), WindowStart: ptr(attest.Date("")), WindowEnd: ptr(attest.Date(""))}, attest.EINVALID},
		{"unknown category", attest.EngagementUpdate{Name: ptr("Renamed"), Categories: &[]string{"availability", "safety"}}, attest.EINVALID},
		{"empty name", attest.EngagementUpdate{Name: ptr(""), Notes: ptr("lost")}, attest.EINVALID},
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org, "availability")
		before, err := db.FindEngagementByID(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			_, err := db.UpdateEngagement(ctx, org, e.ID, tt.u)
			wantCode(t, err, tt.code)
			after, err := db.FindEngagementByID(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameEngagement(t, after, before)
		}
		_, err = db.UpdateEngagement(ctx, org, e.ID+1000, attest.EngagementUpdate{Name: ptr("x")})
		wantCode(t, err, attest.ENOTFOUND)

		// A valid change to Type I with more categories persists.
		u := attest.EngagementUpdate{Name: ptr("Readiness check"), ReportType: ptr(attest.TypeI), AsOfDate: ptr(attest.Date("2026-09-30")),
			WindowStart: ptr(attest.Date("")), WindowEnd: ptr(attest.Date("")), Categories: &[]string{"confidentiality", "availability"},
			Customers: &[]string{"Globex"}}
		got, err := db.UpdateEngagement(ctx, org, e.ID, u)
		if err != nil {
			t.Fatal(err)
		}
		want := *before
		want.Name, want.ReportType, want.AsOfDate, want.WindowStart, want.WindowEnd = "Readiness check", attest.TypeI, "2026-09-30", "", ""
		want.Categories, want.Customers = []string{"security", "availability", "confidentiality"}, []string{"Globex"}
		sameEngagement(t, got, &want)
		stored, err := db.FindEngagementByID(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameEngagement(t, stored, &want)
	})
}

func TestSystems(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		e := newEngagement(t, db, org)
		ana := &attest.User{OrgID: org, Email: "ana@acme.example", Name: "Ana Lima", Role: attest.RoleControlOwner, Active: true}
		art := &attest.User{OrgID: org, Email: "art@cpa.example", Name: "Art Auditor", Role: attest.RoleAuditor, Active: true}
		for _, u := range []*attest.User{ana, art} {
			if err := db.CreateUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		otherOrg := newOrg(t, db, "Globex")
		stranger := &attest.User{OrgID: otherOrg, Email: "sam@globex.example", Name: "Sam", Role: attest.RoleAdmin, Active: true}
		if err := db.CreateUser(ctx, stranger); err != nil {
			t.Fatal(err)
		}
		// A member owns the API: the free-text note sent along is moot.
		api := &attest.System{Name: " API ", Kind: "application", OwnerID: ana.ID, OwnerNote: "eng"}
		if err := db.AddSystem(ctx, org, e.ID, api); err != nil {
			t.Fatal(err)
		}
		// Okta keeps a note only: it names nobody and grants nothing.
		okta := &attest.System{Name: "Okta", Kind: "saas", OwnerNote: " IT desk "}
		if err := db.AddSystem(ctx, org, e.ID, okta); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.AddSystem(ctx, org, e.ID, &attest.System{Name: "x", Kind: "mainframe"}), attest.EINVALID)
		wantCode(t, db.AddSystem(ctx, org, e.ID+1000, &attest.System{Name: "x"}), attest.ENOTFOUND)
		// Auditors, strangers and made-up IDs own nothing.
		for _, id := range []int64{art.ID, stranger.ID, stranger.ID + 1000} {
			err := db.AddSystem(ctx, org, e.ID, &attest.System{Name: "Refused", Kind: "other", OwnerID: id})
			if attest.ErrorCode(err) != attest.EINVALID || attest.ErrorField(err) != "owner" {
				t.Errorf("owner %d: %v; want EINVALID on owner", id, err)
			}
		}
		got, err := db.FindEngagementByID(ctx, org, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []*attest.System{
			{ID: api.ID, Name: "API", Kind: "application", OwnerID: ana.ID, Owner: &attest.Person{ID: ana.ID, Name: "Ana Lima", Email: "ana@acme.example"}},
			{ID: okta.ID, Name: "Okta", Kind: "saas", OwnerNote: "IT desk"}}
		if !reflect.DeepEqual(got.Systems, want) {
			t.Errorf("systems = %+v, want %+v", got.Systems, want)
		}
		// The owner is shown by their name as it is now.
		name := "Ana Lima-Souza"
		if _, err := db.UpdateUser(ctx, org, ana.ID, attest.UserUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		sc, err := db.Scope(ctx, org, e.ID)
		if err != nil || len(sc.Systems) != 2 || sc.Systems[0].Owner == nil || sc.Systems[0].Owner.Name != name {
			t.Errorf("scope systems after renaming the owner: %+v (%v)", sc.Systems, err)
		}
		// Okta's note gives way to a member; auditors and strangers are refused.
		for _, id := range []int64{art.ID, stranger.ID} {
			if _, err := db.SetSystemOwner(ctx, org, e.ID, okta.ID, id); attest.ErrorField(err) != "owner" {
				t.Errorf("handing Okta to %d: %v; want refused on owner", id, err)
			}
		}
		if _, err := db.SetSystemOwner(ctx, org, e.ID+1000, okta.ID, ana.ID); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Errorf("owner of a system through another engagement: %v", err)
		}
		if s, err := db.SetSystemOwner(ctx, org, e.ID, okta.ID, ana.ID); err != nil || s.OwnerID != ana.ID || s.Owner == nil || s.OwnerNote != "" {
			t.Fatalf("handing Okta to Ana: %+v, %v", s, err)
		}
		got, err = db.FindEngagementByID(ctx, org, e.ID)
		if err != nil || got.Systems[1].OwnerID != ana.ID || got.Systems[1].OwnerNote != "" {
			t.Fatalf("Okta after handing it to Ana: %+v, %v", got.Systems[1], err)
		}
		if err := db.RemoveSystem(ctx, org, e.ID, api.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.RemoveSystem(ctx, org, e.ID, api.ID), attest.ENOTFOUND)
		other := newEngagement(t, db, org)
		wantCode(t, db.RemoveSystem(ctx, org, other.ID, okta.ID), attest.ENOTFOUND)
		got, err = db.FindEngagementByID(ctx, org, e.ID)
		if err != nil || len(got.Systems) != 1 || got.Systems[0].ID != okta.ID {
			t.Errorf("after removing API: %+v (%v), want only Okta", got.Systems, err)
		}
	})
}

func TestScope(t *testing.T) {
	fw := catalog.MustSOC2()
	all := []string{"availability", "processing_integrity", "confidentiality", "privacy"}
	tests := []struct {
		name     string
		cats     []string
		criteria int
	}{
		{"security only", nil, 33},
		{"security and privacy", []string{"privacy"}, 51},
		{"all five", all, 61},
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		// A custom control mapped to privacy only is in scope only with privacy.
		if err := db.CreateControl(ctx, org, &attest.Control{ID: "CUS-01", Name: "Privacy only", Frequency: attest.Daily, Criteria: []string{"P1.1"}}); err != nil {
			t.Fatal(err)
		}
		for _, tt := range tests {
			e := newEngagement(t, db, org, tt.cats...)
			sc, err := db.Scope(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(sc.Criteria) != tt.criteria {
				t.Errorf("%s: %d criteria, want %d", tt.name, len(sc.Criteria), tt.criteria)
			}
			in := map[string]bool{}
			for _, id := range sc.Criteria {
				in[id] = true
			}
			want := []string{}
			own := &attest.Control{ID: "CUS-01", Criteria: []string{"P1.1"}}
			for _, c := range append(slices.Clip(fw.Controls), own) { // Clip: never write into the catalog's array
				if slicesAny(c.Criteria, in) {
					want = append(want, c.ID)
				}
			}
			got := []string{}
			for _, c := range sc.Controls {
				got = append(got, c.ID)
			}
			if !reflect.DeepEqual(sorted(got), sorted(want)) {
				t.Errorf("%s: controls in scope = %v\nwant %v", tt.name, got, want)
			}
			if custom, privacy := slices.Contains(got, "CUS-01"), slices.Contains(tt.cats, "privacy"); custom != privacy {
				t.Errorf("%s: privacy-only control in scope = %v, want %v", tt.name, custom, privacy)
			}
		}
		wantCode(t, func() error { _, err := db.Scope(ctx, org, 99999); return err }(), attest.ENOTFOUND)
	})
}

// slicesAny reports whether any of ids is in set.
func slicesAny(ids []string, set map[string]bool) bool {
	for _, id := range ids {
		if set[id] {
			return true
		}
	}
	return false
}
