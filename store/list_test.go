package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestFindControlPage: the database filters, searches, sorts and cuts the
// controls list, and the pages put together are the whole sorted list.
func TestFindControlPage(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		newOrg(t, db, "Other") // its controls must never show
		all, err := db.FindControls(ctx, org, attest.ControlFilter{})
		if err != nil {
			t.Fatal(err)
		}
		owner, impl := newUser(t, db, org, "Dana", attest.RoleControlOwner), attest.Implemented
		for _, id := range []string{all[3].ID, all[1].ID} {
			if _, err := db.UpdateControl(ctx, org, id, attest.ControlUpdate{OwnerID: &owner, Status: &impl}); err != nil {
				t.Fatal(err)
			}
		}
		// Every page of 7 by name, descending, put together.
		var got []string
		total := -1
		for off := 0; off < len(all)+7; off += 7 {
			page, n, err := db.FindControlPage(ctx, org, attest.ControlFilter{}, attest.Page{Sort: "name", Desc: true, Limit: 7, Offset: off})
			if err != nil {
				t.Fatal(err)
			}
			total = n
			for _, c := range page {
				if len(c.Criteria) == 0 {
					t.Fatalf("%s came without its criteria", c.ID)
				}
				got = append(got, c.Name+"|"+c.ID)
			}
		}
		want := make([]string, len(all))
		for i, c := range all {
			want[i] = c.Name + "|" + c.ID
		}
		slices.SortFunc(want, func(a, b string) int { return -strings.Compare(a, b) })
		if total != len(all) || !slices.Equal(got, want) {
			t.Errorf("pages by name desc: total %d, %d rows; want %d rows in order\ngot  %.200v\nwant %.200v", total, len(got), len(all), got, want)
		}

		for _, tc := range []struct {
			name string
			f    attest.ControlFilter
			want func(c *attest.Control) bool
		}{
			{"search any case", attest.ControlFilter{Search: strings.ToUpper(all[5].Name[:6])}, func(c *attest.Control) bool {
				return strings.Contains(strings.ToLower(c.Name), strings.ToLower(all[5].Name[:6])) || strings.Contains(strings.ToLower(c.ID), strings.ToLower(all[5].Name[:6]))
			}},
			{"search an ID", attest.ControlFilter{Search: strings.ToLower(all[2].ID)}, func(c *attest.Control) bool { return c.ID == all[2].ID }},
			{"search a literal %", attest.ControlFilter{Search: "%"}, func(c *attest.Control) bool { return strings.Contains(c.Name, "%") }},
			{"owner and status", attest.ControlFilter{OwnerID: owner, Status: impl}, func(c *attest.Control) bool { return c.ID == all[1].ID || c.ID == all[3].ID }},
			{"nobody's", attest.ControlFilter{Unowned: true}, func(c *attest.Control) bool { return c.ID != all[1].ID && c.ID != all[3].ID }},
			{"criterion", attest.ControlFilter{Criterion: "CC6.1"}, func(c *attest.Control) bool { return slices.Contains(c.Criteria, "CC6.1") }},
			{"category", attest.ControlFilter{Category: "availability"}, func(c *attest.Control) bool {
				return slices.ContainsFunc(c.Criteria, func(id string) bool { return strings.HasPrefix(id, "A1.") })
			}},
			{"criterion outside the category", attest.ControlFilter{Criterion: "CC6.1", Category: "availability"}, func(*attest.Control) bool { return false }},
		} {
			var want []string
			for _, c := range all {
				if tc.want(c) {
					want = append(want, c.ID)
				}
			}
			page, n, err := db.FindControlPage(ctx, org, tc.f, attest.Page{Limit: attest.MaxPageSize})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			var got []string
			for _, c := range page {
				got = append(got, c.ID)
			}
			if n != len(want) || !slices.Equal(got, want) {
				t.Errorf("%s: %d matches %v, want %d %v", tc.name, n, got, len(want), want)
			}
		}
		if _, _, err := db.FindControlPage(ctx, org, attest.ControlFilter{}, attest.Page{Sort: "notes; DROP TABLE controls"}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("an unknown sort column: err %v, want invalid", err)
		}
		// Sorted by owner, the owned controls come last, with their owner
		// filled in by name.
		page, _, err := db.FindControlPage(ctx, org, attest.ControlFilter{}, attest.Page{Sort: "owner", Desc: true, Limit: 2})
		if err != nil || len(page) != 2 || page[0].Owner == nil || page[0].Owner.Name != "Dana" || page[1].OwnerID != owner {
			t.Errorf("by owner, descending: %+v, %v", page, err)
		}
	})
}

// TestFindControlRows: the brief rows of the controls list hold, for every
// filter and sort, the same controls in the same order as FindControlPage,
// with the same ID, name, status, owner, frequency and criteria.
func TestFindControlRows(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		newOrg(t, db, "Other")
		all, err := db.FindControls(ctx, org, attest.ControlFilter{})
		if err != nil {
			t.Fatal(err)
		}
		owner, impl, note := newUser(t, db, org, "Dana", attest.RoleControlOwner), attest.Implemented, "Contractor Chris"
		if _, err := db.UpdateControl(ctx, org, all[4].ID, attest.ControlUpdate{OwnerID: &owner, Status: &impl}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateControl(ctx, org, all[6].ID, attest.ControlUpdate{OwnerNote: &note}); err != nil {
			t.Fatal(err)
		}
		brief := func(c *attest.Control) string {
			who := ""
			if c.Owner != nil {
				who = c.Owner.Name
			}
			return strings.Join([]string{c.ID, c.Name, string(c.Status), fmt.Sprint(c.OwnerID), who, c.OwnerNote, string(c.Frequency), strings.Join(c.Criteria, " ")}, "|")
		}
		for _, f := range []attest.ControlFilter{{}, {Search: "acc"}, {OwnerID: owner}, {Unowned: true}, {Criterion: "CC6.1"}, {Category: "availability"}, {Status: impl}} {
			for _, sort := range attest.ControlSorts {
				for _, desc := range []bool{false, true} {
					p := attest.Page{Sort: sort, Desc: desc, Limit: 13, Offset: 5}
					full, n1, err := db.FindControlPage(ctx, org, f, p)
					if err != nil {
						t.Fatal(err)
					}
					rows, n2, err := db.FindControlRows(ctx, org, f, p)
					if err != nil {
						t.Fatal(err)
					}
					var want, got []string
					for _, c := range full {
						want = append(want, brief(c))
					}
					for _, c := range rows {
						got = append(got, brief(c))
					}
					if n1 != n2 || !slices.Equal(got, want) {
						t.Fatalf("%+v by %s desc=%v: %d %v\nwant %d %v", f, sort, desc, n2, got, n1, want)
					}
				}
			}
		}
	})
}

// TestFindTaskPage: tasks by due date put dated ones first in either
// direction and undated ones last, across page boundaries; the other sorts
// and the search work in the database.
func TestFindTaskPage(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		dues := []attest.Date{"2026-03-01", "", "2026-01-15", "", "2026-02-01", "2026-01-15", ""}
		for i, d := range dues {
			task := &attest.Task{Title: fmt.Sprintf("Task %c", 'G'-i), DueDate: d, ControlID: "GOV-01"}
			if i == 4 {
				task.Title, task.ControlID = "Rotate keys", "CRY-01"
			}
			if err := db.CreateTask(ctx, org, task); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateTask(ctx, other, &attest.Task{Title: "Task of another organization"}); err != nil {
			t.Fatal(err)
		}
		titles := func(p attest.Page, f attest.TaskFilter) ([]string, int) {
			t.Helper()
			var out []string
			var total int
			for off := 0; off < 10; off += p.Limit {
				p.Offset = off
				page, n, err := db.FindTaskPage(ctx, org, f, p)
				if err != nil {
					t.Fatal(err)
				}
				total = n
				for _, tk := range page {
					out = append(out, tk.Title)
				}
			}
			return out, total
		}
		for _, tc := range []struct {
			name string
			p    attest.Page
			f    attest.TaskFilter
			want []string
		}{
			{"due date", attest.Page{Limit: 3}, attest.TaskFilter{}, []string{"Task E", "Task B", "Rotate keys", "Task G", "Task F", "Task D", "Task A"}},
			{"due date desc", attest.Page{Sort: "due_date", Desc: true, Limit: 2}, attest.TaskFilter{}, []string{"Task G", "Rotate keys", "Task B", "Task E", "Task F", "Task D", "Task A"}},
			{"title", attest.Page{Sort: "title", Limit: 4}, attest.TaskFilter{}, []string{"Rotate keys", "Task A", "Task B", "Task D", "Task E", "Task F", "Task G"}},
			{"search title any case", attest.Page{Limit: 5}, attest.TaskFilter{Search: "ROTATE"}, []string{"Rotate keys"}},
			{"search control", attest.Page{Limit: 5}, attest.TaskFilter{Search: "cry-"}, []string{"Rotate keys"}},
		} {
			got, total := titles(tc.p, tc.f)
			if total != len(tc.want) || !slices.Equal(got, tc.want) {
				t.Errorf("%s: %d %v, want %v", tc.name, total, got, tc.want)
			}
		}
		if _, _, err := db.FindTaskPage(ctx, org, attest.TaskFilter{}, attest.Page{Sort: "notes"}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("an unknown sort column: err %v, want invalid", err)
		}
		if _, _, err := db.FindTaskPage(ctx, org, attest.TaskFilter{}, attest.Page{Limit: attest.MaxPageSize + 1}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("a page over the maximum: err %v, want invalid", err)
		}
	})
}
