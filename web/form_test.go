package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// wantKept checks a form shown again after a refusal: each field holds the
// value typed, and the message about field (containing msg) sits right
// after that field, not at the top of the page.
func wantKept(t *testing.T, doc *goquery.Document, formSel string, values map[string]string, field, msg string) {
	t.Helper()
	f := doc.Find(formSel)
	if f.Length() != 1 {
		t.Fatalf("no form %s on the page", formSel)
	}
	got := formValues(f)
	for name, want := range values {
		if got.Get(name) != want {
			t.Errorf("%s: field %s = %q, want the typed %q", formSel, name, got.Get(name), want)
		}
	}
	if field == "" {
		if m := f.Find(".form-error").Text(); !strings.Contains(m, msg) {
			t.Errorf("%s: form message %q, want one saying %q", formSel, m, msg)
		}
		return
	}
	input := f.Find(`[name="` + field + `"]`).Last()
	next := input.NextAllFiltered(".field-error").First()
	if !strings.Contains(next.Text(), msg) {
		t.Errorf("%s: message beside %s = %q, want one saying %q (form errors: %q)", formSel, field, next.Text(), msg, f.Find(".field-error, .form-error").Text())
	}
}

// TestFormsKeepInput posts each form a mistake and checks the page that
// comes back: 422, every value as typed, the message beside its field, and
// nothing stored.
func TestFormsKeepInput(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		max := u.signIn(t, uManager)
		count := func() int {
			t.Helper()
			items, err := u.db.FindEvidence(ctx, u.orgA, "")
			if err != nil {
				t.Fatal(err)
			}
			return len(items)
		}
		before := count()

		// An evidence link with an address that is not a web address.
		form := formValues(max.get(t, "/controls/GOV-01").doc(t).Find("#evidence-form-1"))
		form.Set("kind", "link")
		form.Set("title", "Quarterly access review")
		form.Set("url", "ftp://files.example/review")
		form.Set("valid_until", "2027-01-31")
		p := max.post(t, "/evidence", form)
		wantStatus(t, "a link that is not http", p, http.StatusUnprocessableEntity, "")
		doc := p.doc(t)
		wantKept(t, doc, "#evidence-form-1", map[string]string{"kind": "link", "title": "Quarterly access review",
			"url": "ftp://files.example/review", "valid_until": "2027-01-31", "period_start": form.Get("period_start")}, "url", "http:// or https://")
		if doc.Find("details.provide[open] #evidence-form-1").Length() != 1 || doc.Find("details.provide[open]").Length() != 1 {
			t.Error("the refused evidence form is not the one open")
		}

		// A new version of an item with its period backwards.
		item := fmt.Sprintf("/evidence/%s", u.ids[u.orgA]["{evidence}"])
		form = formValues(max.get(t, item).doc(t).Find("form.evidence-form"))
		form.Set("kind", "statement")
		form.Set("statement", "Reviewed by the board")
		form.Set("period_end", "2025-12-31")
		p = max.post(t, "/evidence", form)
		wantStatus(t, "a new version with a backwards period", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), "form.evidence-form", map[string]string{"statement": "Reviewed by the board", "period_end": "2025-12-31",
			"supersedes": u.ids[u.orgA]["{evidence}"]}, "period_end", "before it starts")
		if n := count(); n != before {
			t.Errorf("refused forms stored %d items", n-before)
		}

		// List filters: a criterion in lower case is found; an unknown one
		// is named beside its field, the other filters kept.
		p = max.get(t, "/controls?criterion=cc6.1&q=access")
		wantStatus(t, "a criterion in lower case", p, http.StatusOK, "")
		doc = p.doc(t)
		if v, _ := doc.Find("#f-criterion").Attr("value"); v != "CC6.1" || doc.Find("table.controls tbody tr").Length() == 0 {
			t.Errorf("criterion cc6.1: field %q, %d rows", v, doc.Find("table.controls tbody tr").Length())
		}
		p = max.get(t, "/controls?criterion=XX9.9&q=access&status=implemented")
		wantStatus(t, "an unknown criterion", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), "#controls-filter", map[string]string{"criterion": "XX9.9", "q": "access", "status": "implemented"}, "criterion", "unknown criterion")
		p = max.get(t, "/tasks?status=finished&owner="+strconv.FormatInt(u.users[uManager].ID, 10))
		wantStatus(t, "an unknown task status", p, http.StatusUnprocessableEntity, "")
		wantKept(t, p.doc(t), "#tasks-filter", map[string]string{"owner": strconv.FormatInt(u.users[uManager].ID, 10)}, "status", "unknown task status")
	})
}
