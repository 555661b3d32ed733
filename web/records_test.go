package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestRegisterPages: each register's page searches, filters and sorts in
// the query string, refuses a bad filter beside its field with 422, and
// exports formula-safe CSV; the API answers a page with X-Total-Count.
func TestRegisterPages(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		b := u.signIn(t, uAdmin)
		// A name a spreadsheet would run as a formula, and a second change.
		p := b.post(t, "/people", url.Values{"name": {"=SUM(A1)"}, "email": {"formula@a.example"}, "start_date": {"2026-02-01"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("add a person: %d %.300s", p.status, p.body)
		}
		if p := b.post(t, "/changes", url.Values{"title": {"Second change"}, "implemented_on": {"2026-02-01"}, "requester": {u.fill(u.orgA, "{ownedBy}")}}); p.status != http.StatusSeeOther {
			t.Fatalf("record a change: %d %.300s", p.status, p.body)
		}
		tests := []struct {
			path   string
			status int
			want   []string
			not    []string
		}{
			{"/people?q=pat", 200, []string{"Pat Person"}, []string{"SUM(A1)"}},
			{"/people?started_from=2026-02-01&started_to=2026-02-28", 200, []string{"=SUM(A1)", "1 people match"}, []string{"Pat Person"}},
			{"/people?started_from=soon", 422, []string{`id="started_from-error"`}, nil},
			{"/people?sort=salary", 422, []string{"cannot sort by"}, nil},
			{"/people.csv?started_from=2026-02-01", 200, []string{"'=SUM(A1)"}, []string{"Pat Person"}},
			{"/changes?sort=title&dir=desc", 200, []string{"Seeded change", "Second change", "unapproved"}, nil},
			{"/changes.csv?q=second", 200, []string{"Second change"}, []string{"Seeded change"}},
			{"/access-reviews?status=signed_off", 200, []string{"0 reviews match"}, nil},
			{"/access-reviews?status=maybe", 422, []string{"unknown status"}, nil},
			{"/control-tests?result=planned", 200, []string{"GOV-01", "planned"}, nil},
			{"/training", 200, []string{"Awareness"}, nil},
			{"/populations?kind=hires&from=2026-01-01&to=2026-12-31", 200, []string{"Pat Person", "hires: all roster people whose start date is"}, nil},
			{"/populations?kind=hires&from=2026-12-31&to=2026-01-01", 422, []string{"the period ends"}, nil},
			{"/populations.csv?kind=hires&from=2026-01-01&to=2026-12-31", 200, []string{"# population,hires: all roster people", "'=SUM(A1)"}, nil},
		}
		for _, tt := range tests {
			p := b.get(t, tt.path)
			if p.status != tt.status {
				t.Errorf("GET %s = %d, want %d: %.300s", tt.path, p.status, tt.status, p.body)
				continue
			}
			for _, w := range tt.want {
				if !strings.Contains(p.body, w) {
					t.Errorf("GET %s lacks %q", tt.path, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(p.body, n) {
					t.Errorf("GET %s shows %q", tt.path, n)
				}
			}
		}
		r := u.do(t, "GET", "/api/v1/changes?limit=1&sort=title", adminA, "")
		var page []attest.ChangeRecord
		if err := json.Unmarshal(r.body, &page); err != nil || r.status != 200 || len(page) != 1 || r.header.Get("X-Total-Count") != "3" { // with the fixture's autumn change
			t.Errorf("API changes page: %d, %d rows, X-Total-Count %q, %v", r.status, len(page), r.header.Get("X-Total-Count"), err)
		}
		// A refused create keeps what was typed and names the field.
		p = b.post(t, "/changes", url.Values{"title": {"Kept title"}, "implemented_on": {"yesterday"}})
		if p.status != 422 || !strings.Contains(p.body, `value="Kept title"`) || !strings.Contains(p.body, `id="implemented_on-error"`) {
			t.Errorf("refused change: %d %.500s", p.status, p.body)
		}
	})
}

// TestMyTraining: an employee, who sees no registers, finds the training
// assigned to them and records it done.
func TestMyTraining(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := t.Context()
		eve := u.users[uEmploye]
		p := &attest.RosterPerson{Name: eve.Name, Email: eve.Email}
		if err := u.db.CreateRosterPerson(ctx, u.orgA, p); err != nil {
			t.Fatal(err)
		}
		campaign := u.fill(u.orgA, "{training}")
		var id int64
		fmt.Sscan(campaign, &id)
		if _, err := u.db.AssignTraining(ctx, u.orgA, id, []int64{p.ID}); err != nil {
			t.Fatal(err)
		}
		b := u.signIn(t, uEmploye)
		if pg := b.get(t, "/training"); pg.status != http.StatusForbidden {
			t.Errorf("an employee reads the training register: %d", pg.status)
		}
		pg := b.get(t, "/my-training")
		if pg.status != 200 || !strings.Contains(pg.body, "Awareness") || !strings.Contains(pg.body, "I have completed it") {
			t.Fatalf("my training: %d %.500s", pg.status, pg.body)
		}
		if pg := b.post(t, "/training/"+campaign+"/acknowledge", nil); pg.status != http.StatusSeeOther || pg.location() != "/my-training" {
			t.Fatalf("acknowledge: %d to %q", pg.status, pg.location())
		}
		if pg := b.get(t, "/my-training"); !strings.Contains(pg.body, "(acknowledgement)") {
			t.Errorf("after acknowledging: %.500s", pg.body)
		}
	})
}
