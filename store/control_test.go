package store

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

func ptr[T any](v T) *T { return &v }

func sorted(s []string) []string {
	out := append([]string{}, s...)
	slices.Sort(out)
	return out
}

func TestLibraryCopied(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		got, err := db.FindControls(ctx, org, attest.ControlFilter{})
		if err != nil {
			t.Fatal(err)
		}
		lib := catalog.MustSOC2().Controls
		if len(got) != len(lib) {
			t.Fatalf("a new organization has %d controls, want the %d of the library", len(got), len(lib))
		}
		byID := map[string]*attest.Control{}
		for _, c := range got {
			byID[c.ID] = c
		}
		for _, l := range lib {
			c := byID[l.ID]
			if c == nil {
				t.Errorf("library control %s missing", l.ID)
				continue
			}
			// The store lists criteria in framework order, the library as written.
			if !reflect.DeepEqual(sorted(c.Criteria), sorted(l.Criteria)) || c.Status != attest.NotStarted || c.Custom || c.Name != l.Name || len(c.Evidence) != len(l.Evidence) {
				t.Errorf("%s = %v %s custom=%v, want mappings %v, not started, not custom", l.ID, c.Criteria, c.Status, c.Custom, l.Criteria)
			}
		}
	})
}

func TestFindControlsFilter(t *testing.T) {
	fw := catalog.MustSOC2()
	// want lists the library controls for which keep is true.
	want := func(keep func(c *attest.Control) bool) []string {
		out := []string{}
		for _, c := range fw.Controls {
			if keep(c) {
				out = append(out, c.ID)
			}
		}
		return sorted(out)
	}
	maps := func(pred func(crit *attest.Criterion) bool) func(c *attest.Control) bool {
		return func(c *attest.Control) bool {
			for _, id := range c.Criteria {
				if pred(fw.Criterion(id)) {
					return true
				}
			}
			return false
		}
	}
	first, second := fw.Controls[0].ID, fw.Controls[1].ID
	unowned := want(func(c *attest.Control) bool { return c.ID != first && c.ID != second })
	// Owner IDs are the members' positions: alice 1, bob 2, carol 3
	// (replaced by their user IDs below).
	tests := []struct {
		name   string
		filter attest.ControlFilter
		want   []string
	}{
		{"status", attest.ControlFilter{Status: attest.Implemented}, []string{first, second}},
		{"status and owner", attest.ControlFilter{Status: attest.Implemented, OwnerID: 1}, []string{first}},
		{"owner", attest.ControlFilter{OwnerID: 2}, []string{second}},
		{"nobody's", attest.ControlFilter{OwnerID: 3}, []string{}},
		{"unowned", attest.ControlFilter{Unowned: true}, unowned},
		{"criterion", attest.ControlFilter{Criterion: "CC6.1"}, want(maps(func(c *attest.Criterion) bool { return c.ID == "CC6.1" }))},
		{"category", attest.ControlFilter{Category: "availability"}, want(maps(func(c *attest.Criterion) bool { return c.Category == "availability" }))},
		{"criterion outside the category", attest.ControlFilter{Criterion: "CC6.1", Category: "privacy"}, []string{}},
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ids := map[int64]int64{1: member(t, db, org, "Alice"), 2: member(t, db, org, "Bob"), 3: member(t, db, org, "Carol")}
		for id, owner := range map[string]int64{first: ids[1], second: ids[2]} {
			if _, err := db.UpdateControl(ctx, org, id, attest.ControlUpdate{Status: ptr(attest.Implemented), OwnerID: &owner}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range tests {
			f := tt.filter
			f.OwnerID = ids[f.OwnerID]
			got, err := db.FindControls(ctx, org, f)
			if err != nil {
				t.Fatal(err)
			}
			ids := []string{}
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, ids, tt.want)
			}
		}
	})
}

// TestUpdateControl runs its steps in order on one control; a refused step
// must leave the stored control as the step before left it.
func TestUpdateControl(t *testing.T) {
	const id = "GOV-01"
	steps := []struct {
		name string
		id   string
		u    attest.ControlUpdate
		code string
		want func(c *attest.Control) bool
	}{
		{"state persists", id, attest.ControlUpdate{Status: ptr(attest.InProgress), OwnerNote: ptr(" alice "), DueDate: ptr(attest.Date("2026-04-01")), Notes: ptr("policy drafted")}, "",
			func(c *attest.Control) bool {
				return c.Status == attest.InProgress && c.OwnerNote == "alice" && c.DueDate == "2026-04-01" && c.Notes == "policy drafted"
			}},
		{"not applicable without justification", id, attest.ControlUpdate{Status: ptr(attest.NotApplicable)}, attest.EINVALID, nil},
		{"blank justification", id, attest.ControlUpdate{Status: ptr(attest.NotApplicable), Justification: ptr("  ")}, attest.EINVALID, nil},
		{"not applicable with justification", id, attest.ControlUpdate{Status: ptr(attest.NotApplicable), Justification: ptr("no employees yet")}, "",
			func(c *attest.Control) bool {
				return c.Status == attest.NotApplicable && c.Justification == "no employees yet" && c.OwnerNote == "alice"
			}},
		{"unknown status", id, attest.ControlUpdate{Status: ptr(attest.ControlStatus("done"))}, attest.EINVALID, nil},
		{"bad due date", id, attest.ControlUpdate{DueDate: ptr(attest.Date("2026-02-30"))}, attest.EINVALID, nil},
		{"leaving not applicable clears the justification", id, attest.ControlUpdate{Status: ptr(attest.Implemented)}, "",
			func(c *attest.Control) bool { return c.Status == attest.Implemented && c.Justification == "" }},
		{"clearing the due date", id, attest.ControlUpdate{DueDate: ptr(attest.Date(""))}, "",
			func(c *attest.Control) bool { return c.DueDate == "" && c.Status == attest.Implemented }},
		{"unknown control", "NOPE-01", attest.ControlUpdate{Status: ptr(attest.Implemented)}, attest.ENOTFOUND, nil},
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		for _, s := range steps {
			before, err := db.FindControlByID(ctx, org, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.UpdateControl(ctx, org, s.id, s.u)
			wantCode(t, err, s.code)
			if s.code == attest.EINVALID && strings.Contains(attest.ErrorMessage(err), "breaks a rule") {
				t.Errorf("%s: refused by the database's rule, not in words: %v", s.name, err)
			}
			after, err := db.FindControlByID(ctx, org, id)
			if err != nil {
				t.Fatal(err)
			}
			if s.code != "" {
				if !reflect.DeepEqual(after, before) {
					t.Errorf("%s: refused, yet the control changed from %+v to %+v", s.name, before, after)
				}
				continue
			}
			if !s.want(got) || !s.want(after) {
				t.Errorf("%s: returned %+v, stored %+v", s.name, got, after)
			}
		}
	})
}

func TestCreateControl(t *testing.T) {
	custom := func(id string, criteria ...string) *attest.Control {
		return &attest.Control{ID: id, Name: "Custom " + id, Frequency: attest.Monthly, OwnerRole: "security", Criteria: criteria,
			Evidence: []attest.EvidenceNeed{{What: "a report", Frequency: attest.Monthly}}}
	}
	// The table is built per database: creating a control changes it.
	type testCase struct {
		name string
		c    *attest.Control
		code string
	}
	table := func() []testCase {
		return []testCase{
			{"custom", custom("CUS-01", "CC6.1", "CC1.1"), ""},
			{"duplicate ID", custom("CUS-01", "CC7.1"), attest.ECONFLICT},
			{"library ID", custom("GOV-01", "CC7.1"), attest.ECONFLICT},
			{"unknown criterion", custom("CUS-02", "CC6.1", "CC99.9"), attest.EINVALID},
			{"no criteria", custom("CUS-03"), attest.EINVALID},
			{"bad ID", custom("cus 4", "CC6.1"), attest.EINVALID},
			{"no name", &attest.Control{ID: "CUS-05", Frequency: attest.Monthly, Criteria: []string{"CC6.1"}}, attest.EINVALID},
			{"bad frequency", &attest.Control{ID: "CUS-06", Name: "x", Frequency: "hourly", Criteria: []string{"CC6.1"}}, attest.EINVALID},
			{"bad owner role", &attest.Control{ID: "CUS-07", Name: "x", Frequency: attest.Daily, OwnerRole: "janitor", Criteria: []string{"CC6.1"}}, attest.EINVALID},
		}
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		for _, tt := range table() {
			wantCode(t, db.CreateControl(ctx, org, tt.c), tt.code)
		}
		got, err := db.FindControlByID(ctx, org, "CUS-01")
		if err != nil {
			t.Fatal(err)
		}
		if !got.Custom || got.Status != attest.NotStarted || !reflect.DeepEqual(got.Criteria, []string{"CC1.1", "CC6.1"}) || len(got.Evidence) != 1 {
			t.Errorf("stored custom control = %+v, want custom, not started, mapped to CC1.1 and CC6.1 in framework order", got)
		}
		rows, _, err := db.FindControlRows(ctx, org, attest.ControlFilter{Search: "CUS-01"}, attest.Page{})
		if err != nil || len(rows) != 1 || !reflect.DeepEqual(rows[0].Criteria, []string{"CC1.1", "CC6.1"}) {
			t.Errorf("the list's row of CUS-01 = %v (%v), want criteria CC1.1 and CC6.1", rows, err)
		}
		if lib, _ := db.FindControlByID(ctx, org, "GOV-01"); lib == nil || lib.Custom || lib.Name == "Custom GOV-01" {
			t.Errorf("the library control was overwritten: %+v", lib)
		}
		all, err := db.FindControls(ctx, org, attest.ControlFilter{})
		if err != nil || len(all) != len(catalog.MustSOC2().Controls)+1 {
			t.Errorf("%d controls (%v), want the library and one custom control", len(all), err)
		}
	})
}

func TestMapControl(t *testing.T) {
	type step struct {
		name, op, control, criterion, code string
		want                               []string // CUS-01's criteria afterwards
	}
	steps := []step{
		{"map", "map", "CUS-01", "CC7.1", "", []string{"CC6.1", "CC7.1"}},
		{"map twice", "map", "CUS-01", "CC7.1", "", []string{"CC6.1", "CC7.1"}},
		{"map earlier criterion", "map", "CUS-01", "CC1.1", "", []string{"CC1.1", "CC6.1", "CC7.1"}},
		{"map unknown criterion", "map", "CUS-01", "CC99.1", attest.EINVALID, []string{"CC1.1", "CC6.1", "CC7.1"}},
		{"map unknown control", "map", "NOPE-01", "CC7.1", attest.ENOTFOUND, []string{"CC1.1", "CC6.1", "CC7.1"}},
		{"unmap", "unmap", "CUS-01", "CC7.1", "", []string{"CC1.1", "CC6.1"}},
		{"unmap again", "unmap", "CUS-01", "CC7.1", attest.ENOTFOUND, []string{"CC1.1", "CC6.1"}},
		{"unmap unknown criterion", "unmap", "CUS-01", "CC99.1", attest.ENOTFOUND, []string{"CC1.1", "CC6.1"}},
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		if err := db.CreateControl(ctx, org, &attest.Control{ID: "CUS-01", Name: "Custom", Frequency: attest.Daily, Criteria: []string{"CC6.1"}}); err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			var err error
			if s.op == "map" {
				err = db.MapControl(ctx, org, s.control, s.criterion)
			} else {
				err = db.UnmapControl(ctx, org, s.control, s.criterion)
			}
			wantCode(t, err, s.code)
			c, err := db.FindControlByID(ctx, org, "CUS-01")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c.Criteria, s.want) {
				t.Errorf("%s: criteria = %v, want %v", s.name, c.Criteria, s.want)
			}
			// The list's rows carry the control's list of criteria, kept
			// with each change of its mappings.
			rows, _, err := db.FindControlRows(ctx, org, attest.ControlFilter{Search: "CUS-01"}, attest.Page{})
			if err != nil || len(rows) != 1 || !reflect.DeepEqual(rows[0].Criteria, s.want) {
				t.Errorf("%s: the list's row = %v (%v), want criteria %v", s.name, rows, err, s.want)
			}
		}
		// FindControls reads the same mappings as FindControlByID.
		list, err := db.FindControls(ctx, org, attest.ControlFilter{Criterion: "CC1.1"})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range list {
			found = found || (c.ID == "CUS-01" && reflect.DeepEqual(c.Criteria, []string{"CC1.1", "CC6.1"}))
		}
		if !found {
			t.Error("FindControls(criterion CC1.1) lacks CUS-01 with its mappings")
		}
	})
}

// TestUpdateControlOwnersAndAudit: owner changes merge as the domain says
// (a member replaces a free-text owner, a note given with a member stays,
// nobody clears the member), and each audit entry's old value is the
// control as stored before the change, owner and criteria included.
func TestUpdateControlOwnersAndAudit(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		dana := newUser(t, db, org, "Dana", attest.RoleControlOwner)
		const id = "GOV-01"
		steps := []struct {
			u    attest.ControlUpdate
			want func(c *attest.Control) bool
		}{
			{attest.ControlUpdate{OwnerNote: ptr("Contractor Chris")}, func(c *attest.Control) bool { return c.OwnerID == 0 && c.OwnerNote == "Contractor Chris" }},
			{attest.ControlUpdate{OwnerID: &dana}, func(c *attest.Control) bool {
				return c.OwnerID == dana && c.OwnerNote == "" && c.Owner != nil && c.Owner.Name == "Dana"
			}},
			{attest.ControlUpdate{Notes: ptr("kept owner")}, func(c *attest.Control) bool { return c.OwnerID == dana && c.Notes == "kept owner" }},
			{attest.ControlUpdate{OwnerID: &dana, OwnerNote: ptr(" also Chris ")}, func(c *attest.Control) bool { return c.OwnerID == dana && c.OwnerNote == "also Chris" }},
			{attest.ControlUpdate{OwnerID: ptr(int64(0))}, func(c *attest.Control) bool { return c.OwnerID == 0 && c.Owner == nil && c.OwnerNote == "also Chris" }},
		}
		for i, s := range steps {
			before, err := db.FindControlByID(ctx, org, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.UpdateControl(ctx, org, id, s.u)
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
			stored, err := db.FindControlByID(ctx, org, id)
			if err != nil {
				t.Fatal(err)
			}
			if !s.want(got) || !s.want(stored) {
				t.Fatalf("step %d: returned %+v, stored %+v", i, got, stored)
			}
			entries, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Entity: "control", EntityID: id, Limit: 1})
			if err != nil || len(entries) != 1 {
				t.Fatalf("step %d: audit %v, %v", i, entries, err)
			}
			var old attest.Control
			if err := json.Unmarshal(entries[0].Before, &old); err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(before)
			have, _ := json.Marshal(&old)
			if string(want) != string(have) {
				t.Errorf("step %d: audit's old value\n%s\nwant the stored control\n%s", i, have, want)
			}
		}
		if _, err := db.UpdateControl(ctx, org, id, attest.ControlUpdate{OwnerID: ptr(int64(987654))}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("a stranger as owner: %v", err)
		}
		if c, _ := db.FindControlByID(ctx, org, id); c.OwnerID != 0 {
			t.Errorf("a refused owner was stored: %+v", c)
		}
	})
}
