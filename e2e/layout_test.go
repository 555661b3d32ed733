package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// overflow is what the page says about its width.
type overflow struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Culprits    []string `json:"culprits"`
}

// measureJS reports the document's width against the window's and, when
// either is wider than the width the page should fit (%d), the deepest
// elements that stick out on the right.
const measureJS = `((w) => {
	const out = [];
	if (document.documentElement.scrollWidth > w || window.innerWidth > w) {
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.right > w + 0.5 && ![...el.children].some(c => c.getBoundingClientRect().right > w + 0.5)) {
				out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") + " right=" + Math.round(r.right));
				if (out.length === 8) break;
			}
		}
	}
	return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, culprits: out};
})(%d)`

// The main pages fit a phone (390 px) and a wide screen (1440 px): the
// body never scrolls sideways. Every page is saved as a screenshot at both
// widths.
func TestLayoutWidths(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		control := gapControl(t, e, res.Organization.ID, res.Engagement.ID)
		policies, err := e.db.PolicyStandings(context.Background(), res.Organization.ID)
		if err != nil || len(policies) == 0 {
			t.Fatalf("the demo has no published policy: %v", err)
		}
		policy := policies[0].Policy.ID
		pages := []struct{ name, path string }{
			{"dashboard", "/"},
			{"criteria", "/criteria"},
			{"controls", "/controls"},
			{"control", "/controls/" + control},
			{"tasks", "/tasks"},
			{"engagement", fmt.Sprintf("/engagements/%d", res.Engagement.ID)},
			{"settings", "/settings"},
			{"audit", "/audit"},
			{"mfa", "/account/mfa"},
			{"evidence", "/evidence"},
			{"evidence-mine", "/evidence?state=missing"},
			{"policies", "/policies"},
			{"policy", fmt.Sprintf("/policies/%d", policy)},
			{"policy-edit", fmt.Sprintf("/policies/%d/edit", policy)},
			{"policy-diff", fmt.Sprintf("/policies/%d/diff", policy)},
		}
		check := func(width int, name string) {
			t.Helper()
			m := get(e, chromedp.Evaluate[overflow](fmt.Sprintf(measureJS, width)))
			if m.InnerWidth != width {
				// A phone zooms out to show a page wider than the screen.
				t.Errorf("%d px, %s: the window is %d px wide, zoomed out to fit what sticks out: %v", width, name, m.InnerWidth, m.Culprits)
			}
			if m.ScrollWidth > m.InnerWidth {
				t.Errorf("%d px, %s: the page is %d px wide, more than the window's %d; sticking out: %v",
					width, name, m.ScrollWidth, m.InnerWidth, m.Culprits)
			}
			e.shot(fmt.Sprintf("%dpx-%s", width, name))
		}
		viewport := func(width int) {
			if width < 600 {
				e.do(chromedp.EmulateViewport(int64(width), 844, chromedp.EmulateMobile))
			} else {
				e.do(chromedp.EmulateViewport(int64(width), 900))
			}
		}
		widths := []int{390, 1440}
		for _, width := range widths {
			viewport(width)
			e.open("/signin")
			check(width, "signin")
		}
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		for _, width := range widths {
			viewport(width)
			for _, p := range pages {
				e.open(p.path)
				check(width, p.name)
			}
		}
	})
}

// The main navigation groups its links in menus: on a phone and on a wide
// screen, opening Records shows its links over the page, a click on one
// goes there with the menu marked current, and a click elsewhere or Escape
// closes an open menu.
func TestNavMenus(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		_, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		visible := func(sel string) bool {
			return get(e, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const el = document.querySelector(%q); if (!el) return false;
				const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
				document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2)?.closest("a") === el; })()`, sel)))
		}
		for _, width := range []int{390, 1440} {
			if width < 600 {
				e.do(chromedp.EmulateViewport(int64(width), 844, chromedp.EmulateMobile))
			} else {
				e.do(chromedp.EmulateViewport(int64(width), 900))
			}
			e.open("/")
			if visible(`nav a[href="/vendors"]`) {
				t.Errorf("%d px: the Records menu's links show before it is opened", width)
			}
			e.do(chromedp.Click(chromedp.CSS(`nav li.menu:nth-of-type(3) summary`)))
			if !visible(`nav a[href="/vendors"]`) || !visible(`nav a[href="/people"]`) {
				t.Errorf("%d px: the opened Records menu does not show its links on top of the page", width)
			}
			e.shot(fmt.Sprintf("%dpx-nav-records-open", width))
			m := get(e, chromedp.Evaluate[overflow](fmt.Sprintf(measureJS, width)))
			if m.ScrollWidth > m.InnerWidth {
				t.Errorf("%d px: the open menu makes the page %d px wide: %v", width, m.ScrollWidth, m.Culprits)
			}
			e.do(chromedp.Click(chromedp.CSS(`main h1`)))
			if visible(`nav a[href="/vendors"]`) {
				t.Errorf("%d px: a click on the page left the menu open", width)
			}
			e.do(chromedp.Click(chromedp.CSS(`nav li.menu:nth-of-type(2) summary`)))
			e.do(chromedp.KeyEvent("\x1b"))
			if visible(`nav a[href="/controls"]`) {
				t.Errorf("%d px: Escape left the Program menu open", width)
			}
			e.do(chromedp.Click(chromedp.CSS(`nav li.menu:nth-of-type(3) summary`)))
			if status := e.follow(chromedp.Click(chromedp.CSS(`nav a[href="/vendors"]`))); status != 200 {
				t.Fatalf("%d px: the Vendors link: status %d", width, status)
			}
			e.wantPath("/vendors")
			if cls := get(e, chromedp.Evaluate[string](`document.querySelector("nav li.menu:nth-of-type(3) summary").className`)); cls != "current" {
				t.Errorf("%d px: on the vendors page the Records menu is marked %q, want current", width, cls)
			}
		}
	})
}
