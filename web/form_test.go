package web

import (
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
