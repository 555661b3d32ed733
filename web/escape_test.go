package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/attest-dev/attest"
)

// xssPayloads break out of an element and out of a quoted attribute.
var xssPayloads = []string{`<script>alert(1)</script>`, `"onmouseover=alert(1) x="`}

// TestEscaping stores payloads in a control's notes, a task's title and an
// engagement's name, and sends them in query strings: every page shows them
// as text, never as markup.
func TestEscaping(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		admin, viewer := u.signIn(t, uAdmin), u.signIn(t, uViewer)
		cur, err := u.db.CurrentEngagement(ctx, u.orgA)
		if err != nil {
			t.Fatal(err)
		}
		eng := fmt.Sprintf("/engagements/%d", cur.ID)
		for _, payload := range xssPayloads {
			if _, err := u.db.UpdateControl(ctx, u.orgA, "GOV-01", attest.ControlUpdate{Notes: &payload}); err != nil {
				t.Fatal(err)
			}
			if _, err := u.db.UpdateEngagement(ctx, u.orgA, cur.ID, attest.EngagementUpdate{Name: &payload}); err != nil {
				t.Fatal(err)
			}
			task := &attest.Task{Title: payload, OwnerID: u.users[uAdmin].ID, ControlID: "GOV-01"}
			if err := u.db.CreateTask(ctx, u.orgA, task); err != nil {
				t.Fatal(err)
			}
			start, end := attest.EngagementPeriod(cur)
			item := &attest.Evidence{Kind: attest.EvidenceStatement, Title: payload, Statement: payload, PeriodStart: start, PeriodEnd: end,
				Links: []attest.EvidenceLinkRef{{ControlID: "GOV-01", Need: 0}}}
			if err := u.db.CreateEvidence(ctx, u.orgA, item); err != nil {
				t.Fatal(err)
			}
			na := &attest.SlotStatement{EngagementID: cur.ID, ControlID: "GOV-02", Need: 0, PeriodStart: start, Statement: payload}
			if err := u.db.MarkSlotNotApplicable(ctx, u.orgA, na); err != nil {
				t.Fatal(err)
			}
			itemPath := fmt.Sprintf("/evidence/%d", item.ID)
			q := url.QueryEscape(payload)
			for _, c := range []struct {
				b            *uiClient
				path, sel    string
				attr         string // "" compares the text
				want         string // "" means the payload
				status       int    // 0 means 200
				containsOnly bool   // the text holds the payload among other text
			}{
				{b: admin, path: "/controls/GOV-01", sel: "textarea#notes"},
				{b: admin, path: "/controls/GOV-01", sel: "table.tasks td"},
				{b: viewer, path: "/controls/GOV-01", sel: "dd.notes"},
				{b: admin, path: "/tasks", sel: "table.tasks td"},
				{b: viewer, path: "/tasks", sel: "table.tasks td"},
				{b: admin, path: "/", sel: "main h1"},
				{b: admin, path: "/", sel: "ul.tasks li", want: payload + " · GOV-01"},
				{b: viewer, path: "/", sel: "main h1"},
				{b: admin, path: eng, sel: "input#name", attr: "value"},
				{b: admin, path: eng, sel: "title", want: payload + " · Attest"},
				{b: viewer, path: eng, sel: "main h1"},
				// (GOV-01's badge names the fixture's item, which covers the
				// same day; the page is still checked for injected markup.)
				{b: admin, path: "/evidence?q=GOV-01", sel: "tbody.control-group th a", want: "GOV-01"},
				{b: viewer, path: "/evidence?q=GOV-02", sel: "ul.slots a", attr: "title", containsOnly: true},
				{b: admin, path: "/evidence?q=" + q, sel: "input#f-q", attr: "value"},
				{b: viewer, path: itemPath, sel: "main h1"},
				{b: viewer, path: itemPath, sel: "dd.statement"},
				{b: admin, path: itemPath, sel: "input[name=title]", attr: "value"},
				{b: admin, path: "/controls/GOV-01", sel: "table.evidence-items td a"},
				{b: admin, path: "/audit", sel: "code.json", want: "alert(1)", containsOnly: true}, // JSON-escaped
				{b: admin, path: "/audit?actor=" + q, sel: "input#f-actor", attr: "value"},
				{b: admin, path: "/controls?criterion=" + q, sel: "input#f-criterion", attr: "value", status: http.StatusUnprocessableEntity},
				{b: admin, path: "/controls?criterion=" + q, sel: "#criterion-error", want: "unknown criterion", containsOnly: true, status: http.StatusUnprocessableEntity},
				{b: admin, path: "/signin?next=" + q, sel: `input[name="next"]`, attr: "value", status: http.StatusSeeOther},
				{b: u.client(t), path: "/signin?next=" + q, sel: `input[name="next"]`, attr: "value"},
			} {
				want, status := c.want, c.status
				if want == "" {
					want = payload
				}
				if status == 0 {
					status = http.StatusOK
				}
				p := c.b.get(t, c.path)
				if p.status != status {
					t.Errorf("GET %s = %d, want %d", c.path, p.status, status)
					continue
				}
				if status == http.StatusSeeOther {
					continue // a signed-in browser is sent on; the anonymous case renders
				}
				doc := p.doc(t)
				checkNoInjection(t, c.path, p, doc)
				found := false
				doc.Find(c.sel).Each(func(_ int, s *goquery.Selection) {
					got := s.Text()
					if c.attr != "" {
						got = s.AttrOr(c.attr, "")
					}
					found = found || got == want || (c.containsOnly && strings.Contains(got, want))
				})
				if !found {
					t.Errorf("GET %s: no %s shows %q", c.path, c.sel, want)
				}
			}
		}
	})
}

// checkNoInjection fails if the page holds a payload as markup: a raw
// script tag, an element with an injected attribute, or an inline script.
func checkNoInjection(t *testing.T, path string, p *uiPage, doc *goquery.Document) {
	t.Helper()
	if strings.Contains(p.body, "<script>alert(1)") {
		t.Errorf("GET %s: the payload is in the page unescaped", path)
	}
	// The trend chart's SVG has x attributes of its own.
	injected := doc.Find("[onmouseover], [x]").FilterFunction(func(_ int, s *goquery.Selection) bool {
		_, on := s.Attr("onmouseover")
		return on || s.Closest("svg").Length() == 0
	})
	if n := injected.Length(); n > 0 {
		t.Errorf("GET %s: %d elements carry an injected attribute", path, n)
	}
	// Pages load their own scripts from /static/ only; any other script
	// element was injected.
	if n := doc.Find("script").Not(`script[src^="/static/"]`).Length(); n > 0 {
		t.Errorf("GET %s: %d script elements", path, n)
	}
}
