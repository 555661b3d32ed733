package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestAuditorRecordScope: the auditor granted the fixture's first
// engagement sees, on the list pages, their CSV and the record pages, the
// records of that engagement only; a manager sees everything.
func TestAuditorRecordScope(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		aud, mgr := u.signIn(t, uAuditor), u.signIn(t, uManager)
		for _, c := range []struct {
			path      string
			seen, not string
		}{
			{"/incidents", "Leaked key", "Autumn outage"},
			{"/incidents.csv", "Leaked key", "Autumn outage"},
			{"/risks", "Stolen credentials", "Unscoped risk"},
			{"/risks.csv", "Stolen credentials", "Unscoped risk"},
			{"/vendors", "CloudCo", "Other vendor"},
			{"/assets.csv", "Orders DB", "Other asset"},
			{"/changes", "Seeded change", "Autumn change"},
			{"/changes.csv", "Seeded change", "Autumn change"},
		} {
			p := aud.get(t, c.path)
			if p.status != http.StatusOK || !strings.Contains(p.body, c.seen) || strings.Contains(p.body, c.not) {
				t.Errorf("auditor's %s = %d: want %q and not %q:\n%.400s", c.path, p.status, c.seen, c.not, p.body)
			}
			if m := mgr.get(t, c.path); !strings.Contains(m.body, c.seen) || !strings.Contains(m.body, c.not) {
				t.Errorf("manager's %s lacks %q or %q", c.path, c.seen, c.not)
			}
		}
		for _, path := range []string{"/incidents/{incident2}", "/risks/{risk2}", "/vendors/{vendor2}", "/assets/{inv2}", "/changes/{change2}"} {
			path = u.fill(u.orgA, path)
			if p := aud.get(t, path); p.status != http.StatusNotFound {
				t.Errorf("auditor's %s = %d, want 404", path, p.status)
			}
			if p := mgr.get(t, path); p.status != http.StatusOK {
				t.Errorf("manager's %s = %d, want 200", path, p.status)
			}
		}
		// A control's page lists the attached records the auditor may see.
		in2 := atoi(t, u.ids[u.orgA]["{incident2}"])
		if _, err := u.db.AttachRecord(context.Background(), u.orgA, attest.RecordIncident, in2, "GOV-01", 0); err != nil {
			t.Fatal(err)
		}
		if p := aud.get(t, "/controls/GOV-01"); p.status != 200 || !strings.Contains(p.body, "Stolen credentials") || strings.Contains(p.body, "Autumn outage") {
			t.Errorf("auditor's control page = %d: want the scoped risk, not the autumn incident", p.status)
		}
		if p := mgr.get(t, "/controls/GOV-01"); !strings.Contains(p.body, "Autumn outage") {
			t.Errorf("manager's control page lacks the attached incident")
		}
		// A token cannot be given the auditor's role, which is a person's.
		tok := &attest.Token{OrgID: u.orgA, Name: "auditor-token", Role: attest.RoleAuditor}
		if _, err := u.db.CreateToken(context.Background(), tok); attest.ErrorCode(err) != attest.EINVALID || !strings.Contains(attest.ErrorMessage(err), "auditor") {
			t.Errorf("creating an auditor token = %v, want a refusal naming the role", err)
		}
		// One stored in that role before carries no grant: it sees nothing.
		tok.Role = attest.RoleViewer
		secret, err := u.db.CreateToken(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.db.SQL().Exec(fmt.Sprintf(`UPDATE api_tokens SET role = 'auditor' WHERE id = %d`, tok.ID)); err != nil {
			t.Fatal(err)
		}
		if r := u.do(t, "GET", "/api/v1/incidents", secret, ""); r.status != 200 || r.header.Get("X-Total-Count") != "0" {
			t.Errorf("auditor token's incidents: %d, total %q", r.status, r.header.Get("X-Total-Count"))
		}
		if r := u.do(t, "GET", "/api/v1/incidents/"+u.ids[u.orgA]["{incident}"], secret, ""); r.status != http.StatusNotFound {
			t.Errorf("auditor token's incident = %d, want 404", r.status)
		}
		if r := u.do(t, "GET", "/api/v1/incidents/"+u.ids[u.orgA]["{incident}"], adminA, ""); r.status != http.StatusOK {
			t.Errorf("admin token's incident = %d, want 200", r.status)
		}
	})
}

// TestAuditorPopulations: an auditor gets the populations of periods
// within the window granted to them (2026-01-01 to 2026-06-30 here), and
// is refused any other period beside the field, on the page, in the CSV
// and through the API; a manager gets any period.
func TestAuditorPopulations(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		aud, mgr := u.signIn(t, uAuditor), u.signIn(t, uManager)
		in := "kind=changes&from=2026-01-01&to=2026-06-30"
		out := "kind=changes&from=2026-01-01&to=2026-12-31"
		if p := aud.get(t, "/populations?"+in); p.status != http.StatusOK || !strings.Contains(p.body, "Seeded change") {
			t.Errorf("auditor's population of the window = %d:\n%.400s", p.status, p.body)
		}
		if p := aud.get(t, "/populations.csv?"+in); p.status != http.StatusOK || !strings.Contains(p.body, "Seeded change") {
			t.Errorf("auditor's population CSV of the window = %d", p.status)
		}
		p := aud.get(t, "/populations?"+out)
		if p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, "Autumn change") || !strings.Contains(p.doc(t).Find("#from-error").Text(), "2026-01-01 to 2026-06-30") {
			t.Errorf("auditor's population past the window = %d:\n%.600s", p.status, p.body)
		}
		if v, _ := p.doc(t).Find(`input[name="to"]`).Attr("value"); v != "2026-12-31" {
			t.Errorf("the refused form lost the period typed: to = %q", v)
		}
		if p := aud.get(t, "/populations.csv?"+out); p.status == http.StatusOK || strings.Contains(p.body, "Autumn change") {
			t.Errorf("auditor's CSV past the window = %d", p.status)
		}
		if p := aud.get(t, "/populations"); !strings.Contains(p.body, `value="2026-01-01"`) || !strings.Contains(p.body, `value="2026-06-30"`) {
			t.Errorf("the auditor's form does not start from their window:\n%.600s", p.body)
		}
		if p := mgr.get(t, "/populations.csv?"+out); p.status != http.StatusOK || !strings.Contains(p.body, "Autumn change") {
			t.Errorf("manager's population of the year = %d", p.status)
		}
	})
}
