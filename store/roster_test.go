package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// TestRosterWorkflow: a hire gets an onboarding checklist, a member is
// linked by email, a leaver gets an offboarding checklist whose accounts
// must be revoked within the template's deadline; lists filter hires and
// leavers of a period; another organization sees none of it.
func TestRosterWorkflow(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		ana := member(t, db, org, "Ana")
		clock(db, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		mgr := &attest.RosterPerson{Email: "Boss@Acme.example", Name: "Bea Boss", Department: "Engineering", StartDate: "2024-01-02"}
		if err := db.CreateRosterPerson(ctx, org, mgr); err != nil {
			t.Fatal(err)
		}
		p := &attest.RosterPerson{Email: fmt.Sprintf("ana@org%d.example", org), Name: "Ana", Department: "Engineering", ManagerID: mgr.ID, StartDate: "2026-03-01", EmploymentType: attest.Contractor}
		if err := db.CreateRosterPerson(ctx, org, p); err != nil {
			t.Fatal(err)
		}
		if p.UserID != ana || p.Manager != "Bea Boss" || mgr.Email != "boss@acme.example" {
			t.Fatalf("created %+v, want linked to member %d, managed by Bea Boss", p, ana)
		}
		wantCode(t, db.CreateRosterPerson(ctx, org, &attest.RosterPerson{Email: "boss@acme.example", Name: "Again"}), attest.EINVALID)
		wantCode(t, db.CreateRosterPerson(ctx, org, &attest.RosterPerson{Email: "x@acme.example", Name: "X", ManagerID: 999999}), attest.EINVALID)
		if _, err := db.FindRosterPerson(ctx, other, p.ID); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Fatalf("another organization found the person: %v", err)
		}
		cs, err := db.FindChecklists(ctx, org, p.ID)
		if err != nil || len(cs) != 1 || cs[0].Kind != attest.Onboarding || cs[0].DueDate != "2026-03-31" || len(cs[0].Items) != 6 {
			t.Fatalf("checklists %+v, %v: want one onboarding checklist due 30 days after the start", cs, err)
		}

		// The leaver: offboarding with accounts due the day after the last day.
		p.EndDate = "2026-03-12"
		if err := db.UpdateRosterPerson(ctx, org, p); err != nil {
			t.Fatal(err)
		}
		cs, _ = db.FindChecklists(ctx, org, p.ID)
		var off *attest.Checklist
		for _, c := range cs {
			if c.Kind == attest.Offboarding {
				off = c
			}
		}
		if off == nil || off.DueDate != "2026-03-13" {
			t.Fatalf("checklists %+v: want an offboarding checklist due 2026-03-13", cs)
		}
		for _, it := range off.Items {
			if it.Kind == attest.ItemAccount && it.Title != "Code hosting and cloud access removed" {
				if _, err := db.UpdateChecklistItem(ctx, org, off.ID, it.ID, ana, attest.ItemUpdate{DoneOn: "2026-03-10", Note: "disabled"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		clock(db, time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
		late, err := db.lateOffboardings(ctx, org, "2026-03-20")
		if err != nil || len(late) != 1 || len(late[0].Late("2026-03-20", attest.ItemAccount)) != 1 {
			t.Fatalf("late offboardings %+v, %v: want the one account left open", late, err)
		}
		for _, it := range off.Items {
			if _, err := db.UpdateChecklistItem(ctx, org, off.ID, it.ID, ana, attest.ItemUpdate{DoneOn: "2026-03-13"}); err != nil {
				t.Fatal(err)
			}
		}
		if late, _ := db.lateOffboardings(ctx, org, "2026-03-20"); len(late) != 0 {
			t.Errorf("late offboardings after every account revoked in time: %+v", late)
		}
		c, _ := db.FindChecklist(ctx, org, off.ID)
		if c.CompletedAt == nil || c.Items[0].DoneBy == nil || c.Items[0].DoneBy.ID != ana {
			t.Errorf("checklist %+v: want completed, items attributed to Ana", c)
		}
		_, err = db.UpdateChecklistItem(ctx, org, off.ID, off.Items[0].ID, ana, attest.ItemUpdate{DoneOn: "2027-01-01"})
		wantCode(t, err, attest.EINVALID)
		_, err = db.UpdateChecklistItem(ctx, other, off.ID, off.Items[0].ID, ana, attest.ItemUpdate{DoneOn: "2026-03-13"})
		wantCode(t, err, attest.ENOTFOUND)

		// Hires and leavers of a period.
		tests := []struct {
			name string
			f    attest.RosterFilter
			want int
		}{
			{"all", attest.RosterFilter{}, 2},
			{"hires of March", attest.RosterFilter{StartedFrom: "2026-03-01", StartedTo: "2026-03-31"}, 1},
			{"leavers of March", attest.RosterFilter{LeftFrom: "2026-03-01", LeftTo: "2026-03-31"}, 1},
			{"active", attest.RosterFilter{Status: "active"}, 1},
			{"search", attest.RosterFilter{Search: "BOSS"}, 1},
			{"contractors", attest.RosterFilter{Type: attest.Contractor}, 1},
		}
		for _, tt := range tests {
			got, total, err := db.FindRosterPage(ctx, org, tt.f, attest.Page{Sort: "start_date", Desc: true})
			if err != nil || total != tt.want || len(got) != tt.want {
				t.Errorf("%s: %d people (total %d), %v; want %d", tt.name, len(got), total, err, tt.want)
			}
		}
		if _, _, err := db.FindRosterPage(ctx, org, attest.RosterFilter{}, attest.Page{Sort: "salary"}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("sort by an unknown column: %v", err)
		}
		if got, total, _ := db.FindRosterPage(ctx, other, attest.RosterFilter{}, attest.Page{}); total != 0 || len(got) != 0 {
			t.Errorf("another organization lists %d people", total)
		}
		entries, _ := db.FindAuditLog(ctx, org, attest.AuditFilter{Entity: "person", EntityID: fmt.Sprint(p.ID)})
		if len(entries) != 2 {
			t.Errorf("%d audit entries for the person, want create and update", len(entries))
		}
	})
}

// TestRosterImport: an import adds and updates by email, all or none,
// and the HR roster's resources come in the same way with managers.
func TestRosterImport(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		clock(db, time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC))
		bad := []*attest.RosterPerson{{Email: "a@x.example", Name: "A"}, {Email: "b@x.example", Name: "B", EndDate: "2026-13-01"}}
		_, _, err := db.ImportRoster(ctx, org, bad)
		wantCode(t, err, attest.EINVALID)
		if _, total, _ := db.FindRosterPage(ctx, org, attest.RosterFilter{}, attest.Page{}); total != 0 {
			t.Fatalf("a refused import stored %d people", total)
		}
		res := []collect.Resource{
			{Type: "hr.person", ID: "1", Attributes: map[string]any{"email": "lead@x.example", "name": "Lea Lead", "department": "Ops", "start_date": "2023-05-01"}},
			{Type: "hr.person", ID: "2", Attributes: map[string]any{"email": "sam@x.example", "name": "Sam", "manager": "lead@x.example", "start_date": "2026-03-02T00:00:00Z", "end_date": "2026-06-30"}},
			{Type: "github.member", ID: "3", Attributes: map[string]any{"login": "sam"}},
		}
		added, updated, err := db.ImportRosterResources(ctx, org, res)
		if err != nil || added != 2 || updated != 0 {
			t.Fatalf("import resources: %d added, %d updated, %v", added, updated, err)
		}
		people, _, _ := db.FindRosterPage(ctx, org, attest.RosterFilter{Search: "sam"}, attest.Page{})
		if len(people) != 1 || people[0].Manager != "Lea Lead" || people[0].StartDate != "2026-03-02" || people[0].Source != attest.SourceHR {
			t.Fatalf("Sam = %+v, want managed by Lea Lead from 2026-03-02", people)
		}
		cs, _ := db.FindChecklists(ctx, org, people[0].ID)
		if len(cs) != 2 {
			t.Errorf("a recent hire with a last day has %d checklists, want 2", len(cs))
		}
		lea, _, _ := db.FindRosterPage(ctx, org, attest.RosterFilter{Search: "lea"}, attest.Page{})
		if len(lea) != 1 {
			t.Fatalf("Lea: %+v", lea)
		}
		audited := func() int {
			entries, _ := db.FindAuditLog(ctx, org, attest.AuditFilter{Entity: "person", EntityID: fmt.Sprint(lea[0].ID)})
			return len(entries)
		}
		before := audited()
		added, updated, err = db.ImportRosterResources(ctx, org, res[:1])
		if err != nil || added != 0 || updated != 1 {
			t.Errorf("second import: %d added, %d updated, %v", added, updated, err)
		}
		if n := audited(); n != before {
			t.Errorf("importing Lea unchanged added %d audit entries", n-before)
		}
		changed := []collect.Resource{{Type: "hr.person", ID: "1", Attributes: map[string]any{"email": "lead@x.example", "name": "Lea Lead", "department": "Finance", "start_date": "2023-05-01"}}}
		if _, updated, err = db.ImportRosterResources(ctx, org, changed); err != nil || updated != 1 || audited() != before+1 {
			t.Errorf("a changed department: %d updated, %d audit entries added, %v", updated, audited()-before, err)
		}
		// A new manager for a person listed after one whose manager is
		// unchanged still takes.
		moved := []collect.Resource{
			res[0],
			{Type: "hr.person", ID: "4", Attributes: map[string]any{"email": "kim@x.example", "name": "Kim", "manager": "lead@x.example", "start_date": "2022-01-10"}},
			{Type: "hr.person", ID: "5", Attributes: map[string]any{"email": "max@x.example", "name": "Max Manager", "start_date": "2021-01-10"}},
			{Type: "hr.person", ID: "2", Attributes: map[string]any{"email": "sam@x.example", "name": "Sam", "manager": "lead@x.example", "start_date": "2026-03-02T00:00:00Z", "end_date": "2026-06-30"}},
		}
		if _, _, err := db.ImportRosterResources(ctx, org, moved); err != nil {
			t.Fatal(err)
		}
		moved[1].Attributes = map[string]any{"email": "kim@x.example", "name": "Kim", "manager": "lead@x.example", "start_date": "2022-01-10"}
		moved[3].Attributes = map[string]any{"email": "sam@x.example", "name": "Sam", "manager": "max@x.example", "start_date": "2026-03-02T00:00:00Z", "end_date": "2026-06-30"}
		if _, _, err := db.ImportRosterResources(ctx, org, moved); err != nil {
			t.Fatal(err)
		}
		if sam, _, _ := db.FindRosterPage(ctx, org, attest.RosterFilter{Search: "sam@"}, attest.Page{}); len(sam) != 1 || sam[0].Manager != "Max Manager" {
			t.Errorf("Sam's new manager was not taken: %+v", sam)
		}
		_, _, err = db.ImportRosterResources(ctx, org, []collect.Resource{{Type: "hr.person", ID: "9", Attributes: map[string]any{"name": "No Mail"}}})
		wantCode(t, err, attest.EINVALID)
	})
}
