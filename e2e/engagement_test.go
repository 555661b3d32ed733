package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A compliance lead creates a second engagement in the browser: a mistake
// in the form comes back with everything typed and the reason beside the
// field; the new engagement does not take over the dashboard until they
// switch to it; archiving it hands the dashboard to the newest one left.
func TestSecondEngagementAndSwitch(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		first := res.Engagement.Name
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		if got := e.text("main h1"); got != first {
			t.Fatalf("dashboard heading %q, want %q", got, first)
		}
		e.open("/engagements")
		if status := e.follow(chromedp.Click(chromedp.CSS("#new-engagement"))); status != 200 {
			t.Fatalf("new engagement form: status %d", status)
		}
		e.wantPath("/engagements/new")

		const name = "FY27 SOC 2 Type II"
		e.typeInto("#name", name)
		e.typeInto("#drivers", "Globex renewal needs a Type II")
		e.typeInto("#customers", "Globex")
		e.typeInto("#systems", "Billing API\nData warehouse")
		e.do(
			chromedp.Click(chromedp.CSS("#type2")),
			chromedp.SetValue(chromedp.CSS("#window_start"), "2027-01-01"),
			chromedp.SetValue(chromedp.CSS("#window_end"), "2026-10-31"), // before the start
			chromedp.Click(chromedp.CSS("#cat-availability")),
		)
		if status := e.submit("#engagement-new-form"); status != 422 {
			t.Fatalf("a backwards window: status %d, want 422", status)
		}
		e.shot("new-engagement-refused")
		for sel, want := range map[string]string{"#name": name, "#customers": "Globex", "#window_start": "2027-01-01",
			"#window_end": "2026-10-31", "#systems": "Billing API\nData warehouse"} {
			if got := get(e, chromedp.Value(chromedp.CSS(sel))); got != want {
				t.Errorf("after the refusal %s holds %q, want the typed %q", sel, got, want)
			}
		}
		if !get(e, chromedp.Evaluate[bool](`document.querySelector("#cat-availability").checked`)) {
			t.Error("after the refusal the ticked category is no longer ticked")
		}
		// The message stands right after the field it is about.
		next := get(e, chromedp.Evaluate[string](`(() => { const n = document.querySelector("#window_end").nextElementSibling; return n ? n.className + ": " + n.textContent : "" })()`))
		if !strings.HasPrefix(next, "field-error: ") || !strings.Contains(next, "before it starts") {
			t.Errorf("beside the window's end: %q", next)
		}

		e.do(chromedp.SetValue(chromedp.CSS("#window_end"), "2027-06-30"))
		if status := e.submit("#engagement-new-form"); status != 200 {
			t.Fatalf("create: status %d", status)
		}
		if got := e.flash(); !strings.Contains(got, "The current engagement is unchanged") {
			t.Errorf("flash after create %q", got)
		}
		e.open("/")
		if got := e.text("main h1"); got != first {
			t.Fatalf("after creating a second engagement the dashboard shows %q, want %q", got, first)
		}
		e.shot("dashboard-with-switcher")

		// Switch on the dashboard.
		es, err := e.db.FindEngagements(context.Background(), res.Organization.ID)
		if err != nil || es[0].Name != name {
			t.Fatalf("engagements: %v, %v", es, err)
		}
		e.do(chromedp.SetValue(chromedp.CSS("#switch-engagement"), fmt.Sprint(es[0].ID)))
		if status := e.submit("#engagement-switcher"); status != 200 {
			t.Fatalf("switch: status %d", status)
		}
		e.wantPath("/")
		if got := e.text("main h1"); got != name {
			t.Errorf("after switching the dashboard shows %q, want %q", got, name)
		}
		e.open("/engagements")
		if got := e.text("table.engagements tr:has(.badge.current) td a"); got != name {
			t.Errorf("the list marks %q current", got)
		}
		e.shot("engagements")

		// Archive it: the dashboard goes back to the first.
		if status := e.follow(chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-id="%d"] form[action$="/archive"] button`, es[0].ID)))); status != 200 {
			t.Fatalf("archive: status %d", status)
		}
		if got := e.text(fmt.Sprintf(`tr[data-id="%d"]`, es[0].ID)); !strings.Contains(got, "archived") {
			t.Errorf("the archived row reads %q", got)
		}
		if e.exists(fmt.Sprintf(`#switch-engagement option[value="%d"]`, es[0].ID)) {
			t.Error("the switcher still offers the archived engagement")
		}
		// The newest engagement left takes over.
		var heir string
		for _, x := range es[1:] {
			if heir == "" && !x.Archived() {
				heir = x.Name
			}
		}
		e.open("/")
		if got := e.text("main h1"); got != heir {
			t.Errorf("after archiving the current engagement the dashboard shows %q, want the newest left, %q", got, heir)
		}

		// On a phone the list's table scrolls sideways inside its wrapper:
		// the page itself does not, and nothing is cut off.
		e.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		for _, path := range []string{"/engagements", "/controls", "/audit"} {
			e.open(path)
			m := get(e, chromedp.Evaluate[overflow](fmt.Sprintf(measureJS, 390)))
			if m.ScrollWidth > m.InnerWidth || m.InnerWidth != 390 {
				t.Errorf("%s at 390 px: page %d px wide in a %d px window: %v", path, m.ScrollWidth, m.InnerWidth, m.Culprits)
			}
			wraps := get(e, chromedp.Evaluate[bool](`[...document.querySelectorAll(".table-wrap")].some(w => w.scrollWidth > w.clientWidth && getComputedStyle(w).overflowX === "auto")`))
			if !wraps {
				t.Errorf("%s at 390 px: no table scrolls sideways in its wrapper", path)
			}
			e.shot("phone" + strings.ReplaceAll(path, "/", "-"))
		}
	})
}
