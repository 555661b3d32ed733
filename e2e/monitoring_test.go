package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/chromedp/chromedp"
)

// The demo's monitoring: the dashboard's failing checks, the monitoring
// list filtered by severity, a failing check with its results, an
// exception refused when the requester approves it, and the control page's
// timelines over the observation window.
func TestMonitoringPages(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.open("/")
		if !e.exists("#failing-checks") {
			t.Errorf("the dashboard shows no failing checks card")
		}
		e.shot("monitoring-dashboard")

		e.open("/integrations")
		if n := len(strings.Fields(e.text("table.integrations tbody"))); n == 0 {
			t.Errorf("no integrations listed")
		}
		e.shot("integrations")

		e.open("/monitoring")
		e.do(chromedp.SetValue(chromedp.CSS("#f-status"), "fail"))
		if status := e.submit("#checks-filter"); status != 200 {
			t.Fatalf("filter: status %d", status)
		}
		if !strings.Contains(e.path(), "status=fail") || !e.exists("table.checks tbody tr") {
			t.Fatalf("filtered list at %s shows no failing check", e.path())
		}
		e.shot("monitoring")

		checks, _, err := e.db.FindChecks(context.Background(), res.Organization.ID, attest.CheckFilter{Status: "fail", Limit: 1})
		if err != nil || len(checks) == 0 {
			t.Fatalf("failing checks: %v", err)
		}
		c := checks[0]
		e.open("/monitoring/checks/" + c.ID)
		if got := e.text("#check-status"); got != "fail" {
			t.Errorf("check status %q", got)
		}
		e.typeInto("#ex-resource", "some-resource")
		e.typeInto("#ex-reason", "Replaced next sprint.")
		e.do(chromedp.SetValue(chromedp.CSS("#ex-expires"), "2020-01-01"))
		if status := e.submit("#exception-form"); status != 422 {
			t.Errorf("exception with a past expiry and no approver: status %d, want 422", status)
		}
		if !strings.Contains(e.text("#exception-form"), "after today") || !e.exists(`#ex-resource[value="some-resource"]`) {
			t.Errorf("refused form: %q", e.text("#exception-form"))
		}
		e.shot("check")

		if len(c.Controls) > 0 {
			e.open("/controls/" + c.Controls[0])
			if !e.exists("#check-timelines svg.timeline") {
				t.Errorf("control %s shows no check timeline", c.Controls[0])
			}
			e.shot(fmt.Sprintf("control-%s-timelines", c.Controls[0]))
		}

		// Automated evidence needs: a slot proved by checks, or marked a
		// deviation, on the control's page and in the request list.
		reqs, err := e.db.Requests(context.Background(), res.Organization.ID, res.Engagement.ID)
		if err != nil {
			t.Fatal(err)
		}
		auto := ""
		for _, r := range reqs {
			for _, sl := range r.Slots {
				if len(sl.Checks) > 0 && auto == "" {
					auto = r.ControlID
				}
			}
		}
		if auto == "" {
			t.Fatal("the demo has no slot decided by checks")
		}
		e.open("/controls/" + auto)
		if !e.exists("tr.slot.deviation") && !strings.Contains(e.text("#evidence"), "proved by checks") {
			t.Errorf("control %s shows no slot decided by checks: %q", auto, e.text("#evidence"))
		}
		e.shot("control-automated-slots")
		e.open("/evidence?state=deviation")
		if !e.exists("li.slot.deviation") {
			t.Errorf("the request list filtered on deviations shows none")
		}
		e.shot("evidence-deviations")
	})
}
