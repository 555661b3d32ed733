package e2e

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/chromedp/chromedp"
)

// The admin of a new organization is sent to the first-run wizard, fills
// in objectives, a Type II window and the categories in scope, and lands
// on the dashboard of the new engagement.
func TestFirstRunWizard(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		org := e.org("My Organization")
		admin := e.user(org.ID, "lead@acme.example", "Lee Admin", attest.RoleAdmin)

		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.wantPath("/setup")
		e.shot("setup")

		const name = "Acme SOC 2 Type II"
		e.typeInto("#org_name", "Acme Robotics")
		e.typeInto("#name", name)
		e.typeInto("#drivers", "Enterprise customers ask for it\nShorter security questionnaires")
		e.typeInto("#customers", "Globex")
		e.do(
			chromedp.Click(chromedp.CSS("#type2")),
			chromedp.SetValue(chromedp.CSS("#window_start"), "2026-07-01"),
			chromedp.SetValue(chromedp.CSS("#window_end"), "2026-12-31"),
			chromedp.SetValue(chromedp.CSS("#target_date"), "2027-02-15"),
			chromedp.Click(chromedp.CSS("#cat-availability")),
			chromedp.Click(chromedp.CSS("#cat-confidentiality")),
		)
		e.typeInto("#system_name", "Acme cloud")
		// The system's owner is chosen among the members, by ID.
		e.do(chromedp.SetValue(chromedp.CSS("#system_owner"), strconv.FormatInt(admin.ID, 10)))
		e.shot("setup-filled")
		if status := e.submit(`form[action="/setup"]`); status != 200 {
			t.Fatalf("submit the wizard: status %d", status)
		}

		e.wantPath("/")
		if got := e.text("h1"); got != name {
			t.Errorf("dashboard heading %q, want %q", got, name)
		}
		if got := e.text("main p.meta"); !strings.Contains(got, "observation window 2026-07-01 to 2026-12-31") || !strings.Contains(got, "target report date 2027-02-15") {
			t.Errorf("dashboard dates %q", got)
		}
		if got := e.flash(); !strings.HasPrefix(got, "Your engagement is set up.") {
			t.Errorf("flash %q", got)
		}
		if got := e.text("header .who span"); !strings.Contains(got, "Acme Robotics") {
			t.Errorf("header %q does not show the new organization name", got)
		}
		cats := get(e, chromedp.Evaluate[[]string](`[...document.querySelectorAll("td[data-category]")].map(td => td.dataset.category)`))
		if want := []string{"security", "availability", "confidentiality"}; !slices.Equal(cats, want) {
			t.Errorf("dashboard categories %q, want %q", cats, want)
		}
		e.do(chromedp.WaitVisible(chromedp.CSS("#overall-score")))
		e.shot("dashboard")

		eng, err := e.db.CurrentEngagement(context.Background(), org.ID)
		if err == nil {
			eng, err = e.db.FindEngagementByID(context.Background(), org.ID, eng.ID) // with its systems
		}
		if err != nil {
			t.Fatal(err)
		}
		if eng.Name != name || eng.ReportType != attest.TypeII || eng.WindowStart != "2026-07-01" || eng.WindowEnd != "2026-12-31" ||
			len(eng.Drivers) != 2 || !slices.Equal(eng.Customers, []string{"Globex"}) || len(eng.Systems) != 1 || eng.Systems[0].OwnerID != admin.ID {
			t.Errorf("stored engagement %+v", eng)
		}
		e.open("/engagements/" + strconv.FormatInt(eng.ID, 10))
		if got := e.text("td.system-owner"); got != "Lee Admin" {
			t.Errorf("the system's owner shows as %q, want Lee Admin", got)
		}
		e.shot("engagement-systems")
	})
}
