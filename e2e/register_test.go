package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/chromedp/chromedp"
)

// The risk register of the demo shows its heat maps in the browser: the
// inherent and the residual matrix side by side, every risk counted in
// one cell of each, the cells above the appetite outlined; a risk's page
// shows its acceptance and mitigating controls.
func TestRiskHeatMap(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		// The dashboard counts the registers' gaps and links to them.
		if got := e.text("#register-gaps"); !strings.Contains(got, "risks above the appetite") || !strings.Contains(got, "vendors without a valid report") || !strings.Contains(got, "incidents without a signed-off review") {
			t.Errorf("dashboard register gaps %q", got)
		}
		e.shot("dashboard")
		e.open("/risks")
		e.do(chromedp.WaitVisible(chromedp.CSS("#heat-inherent")), chromedp.WaitVisible(chromedp.CSS("#heat-residual")))
		e.shot("risks")
		_, total, err := e.db.FindRisks(context.Background(), res.Organization.ID, attest.RegisterFilter{}, attest.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"heat-inherent", "heat-residual"} {
			cells := get(e, chromedp.Evaluate[int](`document.querySelectorAll("#`+id+` rect.cell").length`))
			sum := get(e, chromedp.Evaluate[int](`[...document.querySelectorAll("#`+id+` rect.cell")].reduce((n, r) => n + Number(r.dataset.count), 0)`))
			if cells != 25 || sum != total {
				t.Errorf("%s: %d cells counting %d risks, want 25 cells and %d", id, cells, sum, total)
			}
		}
		// Side by side: the residual map starts to the right of the inherent one.
		side := get(e, chromedp.Evaluate[bool](`document.querySelector("#heat-residual").getBoundingClientRect().left > document.querySelector("#heat-inherent").getBoundingClientRect().right`))
		if !side {
			t.Error("the residual heat map is not beside the inherent one")
		}
		title := get(e, chromedp.Evaluate[string](`document.querySelector("#heat-inherent title").textContent`))
		if !strings.Contains(title, "Inherent risk") || !strings.Contains(title, "5×5") {
			t.Errorf("heat map title %q", title)
		}
		// The accepted single-region risk shows its approval.
		e.open("/risks?q=region")
		if status := e.follow(chromedp.Click(chromedp.CSS("#risks-table tbody a"))); status != 200 {
			t.Fatalf("open the risk: status %d", status)
		}
		if got := e.text("#acceptance"); !strings.Contains(got, "approved") || !strings.Contains(got, "Dana Whitfield") {
			t.Errorf("acceptance section %q", got)
		}
		e.shot("risk")
		// The other registers of the demo are full too.
		for _, page := range []struct {
			path, table string
			min         int
		}{{"/vendors", "#vendors-table", 6}, {"/assets", "#assets-table", 6}, {"/incidents", "#incidents-table", 3}, {"/risks/assessments", "#assessments", 1}} {
			e.open(page.path)
			if n := get(e, chromedp.Evaluate[int](`document.querySelectorAll("`+page.table+` tbody tr, `+page.table+` > li").length`)); n < page.min {
				t.Errorf("%s shows %d rows, want at least %d", page.path, n, page.min)
			}
			e.shot(strings.ReplaceAll(strings.Trim(page.path, "/"), "/", "-"))
		}
		e.open("/vendors?q=Amazon")
		if status := e.follow(chromedp.Click(chromedp.CSS("#vendors-table tbody a"))); status != 200 {
			t.Fatalf("open the vendor: status %d", status)
		}
		if got := e.text("#subservice"); !strings.Contains(got, "Physical and environmental security") {
			t.Errorf("subservice section %q", got)
		}
		e.shot("vendor")
	})
}

// An incident in the browser, from its report to the sign-off of its
// post-incident review: the timeline, a corrective action, the root cause
// and the review are added on its page; closing before the sign-off is
// refused beside the status; the signed-off incident then closes.
func TestIncidentToSignOff(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		_, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.open("/incidents")
		e.shot("incidents")
		e.typeInto("#title", "Customer data visible in a shared dashboard link")
		e.do(
			chromedp.SetValue(chromedp.CSS("#severity"), "sev2"),
			chromedp.SetValue(chromedp.CSS("#reported_at"), "2026-11-20T08:30"),
		)
		e.typeInto("#summary", "A dashboard link shared with a prospect showed another customer's chart.")
		if status := e.submit("#incident-form"); status != 200 {
			t.Fatalf("report: status %d", status)
		}
		if got := e.text("#incident-title"); got != "Customer data visible in a shared dashboard link" {
			t.Fatalf("incident page heading %q", got)
		}
		e.do(chromedp.SetValue(chromedp.CSS("#at"), "2026-11-20T09:05"))
		e.typeInto("#entry", "Share links revoked for every dashboard")
		if status := e.submit("#timeline-form"); status != 200 {
			t.Fatalf("timeline: status %d", status)
		}
		e.typeInto("#rt-title", "Scope share links to one tenant")
		if status := e.submit("#task-add-form"); status != 200 {
			t.Fatalf("corrective action: status %d", status)
		}
		e.typeInto("#root_cause", "Share links were checked for the viewer's plan, not the dashboard's tenant.")
		e.typeInto("#review", "Reviewed with engineering and support; links now carry the tenant and expire after 7 days.")
		e.do(chromedp.SetValue(chromedp.CSS("#reviewed_on"), "2026-11-24"), chromedp.SetValue(chromedp.CSS("#incident-edit #status"), "closed"))
		if status := e.submit("#incident-edit"); status != 422 {
			t.Fatalf("closing before sign-off: status %d, want 422", status)
		}
		next := get(e, chromedp.Evaluate[string](`(() => { const n = document.querySelector("#incident-edit #status").nextElementSibling; return n ? n.className + ": " + n.textContent : "" })()`))
		if !strings.HasPrefix(next, "field-error: ") || !strings.Contains(next, "signed off") {
			t.Errorf("beside the status: %q", next)
		}
		if got := get(e, chromedp.Value(chromedp.CSS("#review"))); !strings.HasPrefix(got, "Reviewed with engineering") {
			t.Errorf("after the refusal the review holds %q", got)
		}
		e.shot("close-refused")
		e.do(chromedp.SetValue(chromedp.CSS("#incident-edit #status"), "resolved"))
		if status := e.submit("#incident-edit"); status != 200 {
			t.Fatalf("save the review: status %d", status)
		}
		if status := e.submit("#signoff-form"); status != 200 {
			t.Fatalf("sign off: status %d", status)
		}
		if got := e.text("#review-state"); !strings.Contains(got, "signed off") || !strings.Contains(got, "Priya Raman") {
			t.Errorf("review section %q", got)
		}
		e.do(chromedp.SetValue(chromedp.CSS("#incident-edit #status"), "closed"))
		if status := e.submit("#incident-edit"); status != 200 {
			t.Fatalf("close: status %d", status)
		}
		if got := e.text("#incident-status"); got != "closed" {
			t.Errorf("status %q, want closed", got)
		}
		for sel, want := range map[string]string{"#timeline": "Share links revoked", "#record-tasks": "Scope share links to one tenant", "#record-history": "sign off"} {
			if got := e.text(sel); !strings.Contains(got, want) {
				t.Errorf("%s = %q, want it to hold %q", sel, got, want)
			}
		}
		e.shot("signed-off")
	})
}
