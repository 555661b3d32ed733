package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The demo's request list in a browser: grouped by control a page at a
// time, paged, filtered to missing periods; a missing period's badge
// leads to its control's form, open on that period. Desktop and phone
// screenshots of each step.
func TestEvidenceRequestListBrowser(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		_, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		count := func(sel string) int {
			return get(e, chromedp.Evaluate[int]("document.querySelectorAll('"+sel+"').length"))
		}
		e.do(chromedp.EmulateViewport(1440, 900))
		e.open("/evidence")
		shown := e.text("#shown")
		if n := count("tbody.control-group"); n != 25 || !strings.Contains(shown, "page 1 of") {
			t.Fatalf("first page: %d controls, %q", n, shown)
		}
		if count("li.slot.provided") == 0 || count("li.slot.missing") == 0 {
			t.Errorf("the demo's first page shows no provided or no missing period")
		}
		first := e.text("tbody.control-group th a")
		e.shot("desktop-page1")
		e.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		e.open("/evidence")
		e.shot("phone-page1")
		e.do(chromedp.EmulateViewport(1440, 900))

		// The next page, then the missing periods only.
		if status := e.follow(chromedp.Click(chromedp.CSS(`nav.pager a[rel="next"]`))); status != 200 {
			t.Fatalf("next page: status %d", status)
		}
		if !strings.Contains(e.text("#shown"), "page 2 of") || e.text("tbody.control-group th a") == first {
			t.Errorf("the second page: %q starting at %s", e.text("#shown"), e.text("tbody.control-group th a"))
		}
		e.do(chromedp.SetValue(chromedp.CSS("#f-state"), "missing"))
		if status := e.submit("#evidence-filter"); status != 200 {
			t.Fatalf("filter missing: status %d", status)
		}
		if !strings.Contains(e.path(), "state=missing") {
			t.Errorf("the filter is not in the address: %s", e.path())
		}
		rows, withMissing := count("tr.request"), count("tr.request:has(li.slot.missing)")
		if rows == 0 || rows != withMissing {
			t.Errorf("filtered to missing: %d requests, %d with a missing period", rows, withMissing)
		}
		e.shot("desktop-missing")
		e.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		e.open(e.path())
		e.shot("phone-missing")
		e.do(chromedp.EmulateViewport(1440, 900))
		e.open(e.path())

		// Follow a missing period's "provide" link: the form for that
		// need opens on that period.
		badge := `tr.request li.slot.missing a[href*="slot="]`
		start := get(e, chromedp.Evaluate[string]("document.querySelector('"+badge+"').closest('li').dataset.start"))
		need := get(e, chromedp.Evaluate[string]("document.querySelector('"+badge+"').closest('tr').dataset.need"))
		if status := e.follow(chromedp.Click(chromedp.CSS(badge))); status != 200 {
			t.Fatalf("provide link: status %d", status)
		}
		form := "details#provide-" + need
		if !get(e, chromedp.Evaluate[bool]("document.querySelector('"+form+"').open")) {
			t.Errorf("the form for need %s is closed", need)
		}
		if got := get(e, chromedp.Evaluate[string]("document.querySelector('"+form+` input[name="period_start"]').value`)); got != start {
			t.Errorf("the form proposes a period from %s, want the link's %s", got, start)
		}
		e.shot("desktop-provide")
	})
}
