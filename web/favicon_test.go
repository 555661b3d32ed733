package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestFavicon: every page links an SVG icon that the server serves.
func TestFavicon(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		b := u.client(t)
		page := b.get(t, "/signin")
		href, ok := page.doc(t).Find(`head link[rel="icon"][type="image/svg+xml"]`).Attr("href")
		if !ok || !strings.HasPrefix(href, "/static/favicon.") {
			t.Fatalf("the sign-in page links no SVG icon: %q", href)
		}
		icon := b.get(t, href)
		if icon.status != http.StatusOK || icon.header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(icon.body, "<svg") {
			t.Errorf("icon = %d %s: %.80s", icon.status, icon.header.Get("Content-Type"), icon.body)
		}
		if n := u.signIn(t, uAdmin).get(t, "/").doc(t).Find(`link[rel="icon"]`).Length(); n != 1 {
			t.Errorf("the dashboard links %d icons", n)
		}
	})
}

// TestEditorSaveNextToText: the policy editor's Save button follows the
// text area in the same pane, before the preview (which can be long), so it
// is where the writer is.
func TestEditorSaveNextToText(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		max := u.signIn(t, uManager)
		p := max.post(t, "/policies", url.Values{"template": {"backup"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("adopt = %d", p.status)
		}
		d := max.get(t, p.location()).doc(t)
		pane := d.Find("textarea#body").Parent()
		if pane.Find(`button[value="save"]`).Length() != 1 || pane.Find("#preview").Length() != 0 {
			t.Errorf("the Save button is not in the text's pane")
		}
		html, _ := d.Find("form#editor-form").Html()
		if i, j := strings.Index(html, `value="save"`), strings.Index(html, `id="preview"`); i < 0 || j < 0 || i > j {
			t.Errorf("the Save button comes after the preview (at %d, preview at %d)", i, j)
		}
	})
}
