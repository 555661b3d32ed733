package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// slotOf finds the list's slot of a control's need starting on start.
func slotOf(d *goquery.Document, control string, need int, start string) *goquery.Selection {
	return d.Find(fmt.Sprintf(`tr.request[data-control=%q][data-need="%d"] li.slot[data-start=%q]`, control, need, start))
}

// TestEvidenceRequestList follows GOV-01's requests in the six-month Type
// II engagement through the list: the fixture's file covers the first
// need, the second is missing and overdue; a not-applicable statement
// covers it and moves it out of the missing filter.
func TestEvidenceRequestList(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		max, alice := u.signIn(t, uManager), u.signIn(t, uOwner)
		eng := u.ids[u.orgA]["{eng}"]
		list := "/evidence?engagement=" + eng
		d := max.get(t, list).doc(t)
		for _, c := range []struct {
			need          int
			class, due    string
			overdue       bool
			nextDue, item string
		}{
			{need: 0, class: "provided", due: "2026-06-30", nextDue: "", item: "Fixture export 2026-01-01"},
			{need: 1, class: "missing", due: "2026-06-30", overdue: true, nextDue: "2026-06-30"},
		} {
			sl := slotOf(d, "GOV-01", c.need, "2026-01-01")
			row := sl.Closest("tr")
			switch {
			case sl.Length() != 1:
				t.Fatalf("need %d: %d slots starting 2026-01-01 in the list", c.need, sl.Length())
			case !sl.HasClass(c.class) || sl.Find(".due").Text() != c.due:
				t.Errorf("need %d: slot %q due %q, want %s due %s", c.need, sl.AttrOr("class", ""), sl.Find(".due").Text(), c.class, c.due)
			case (sl.Find(".badge.bad").Length() == 1) != c.overdue:
				t.Errorf("need %d: overdue badge %v, want %v", c.need, sl.Find(".badge.bad").Length() == 1, c.overdue)
			case strings.TrimSpace(row.Find("td.next-due").Text()) != c.nextDue:
				t.Errorf("need %d: next due %q, want %q", c.need, row.Find("td.next-due").Text(), c.nextDue)
			case c.item != "" && sl.Find("a").Text() != c.item:
				t.Errorf("need %d: the slot holds %q, want %q", c.need, sl.Find("a").Text(), c.item)
			}
		}
		coverage := d.Find("#coverage").Text()

		// Alice's list holds her control's requests only.
		mine := alice.get(t, list+"&mine=1").doc(t)
		if n := mine.Find("tr.request").Length(); n == 0 || n != mine.Find(`tr.request[data-control="GOV-01"]`).Length() {
			t.Errorf("Alice's list has %d requests, not all GOV-01's", n)
		}

		// Nothing to prove for need 1: the owner says so.
		if p := alice.post(t, "/evidence/slots", url.Values{"engagement_id": {eng}, "control_id": {"GOV-02"}, "need": {"0"},
			"period_start": {"2026-01-01"}, "statement": {"Not hers"}}); p.status != http.StatusForbidden {
			t.Errorf("an owner marks another's control: %d", p.status)
		}
		// Without a reason: the control page again, that slot's form open
		// with the message beside its field.
		p := alice.post(t, "/evidence/slots", url.Values{"engagement_id": {eng}, "control_id": {"GOV-01"}, "need": {"1"},
			"period_start": {"2026-01-01"}, "statement": {"  "}})
		wantStatus(t, "not applicable without a reason", p, http.StatusUnprocessableEntity, "")
		refused := p.doc(t).Find(`details[open] form.na-form:has(input[name="need"][value="1"]):has(input[name="period_start"][value="2026-01-01"])`)
		if refused.Length() != 1 || !strings.Contains(refused.Find(".field-error").Text(), "say why") {
			t.Errorf("the refused not-applicable form is not shown open with its message: %d forms, %q", refused.Length(), refused.Find(".field-error").Text())
		}
		p = alice.post(t, "/evidence/slots", url.Values{"engagement_id": {eng}, "control_id": {"GOV-01"}, "need": {"1"},
			"period_start": {"2026-01-01"}, "statement": {"Nobody joined"}})
		wantStatus(t, "mark not applicable", p, http.StatusSeeOther, "/controls/GOV-01")
		missing := max.get(t, list+"&state=missing").doc(t)
		if slotOf(missing, "GOV-01", 1, "2026-01-01").Length() != 0 || missing.Find("tr.request").Length() == 0 {
			t.Errorf("the missing filter still lists GOV-01's second need, or lists nothing")
		}
		na := slotOf(max.get(t, list+"&state=not_applicable").doc(t), "GOV-01", 1, "2026-01-01")
		if !na.HasClass("not_applicable") || na.Find("q.statement").Text() != "Nobody joined" {
			t.Errorf("the not-applicable slot shows %q", na.Text())
		}
		if after := max.get(t, list).doc(t).Find("#coverage").Text(); after == coverage {
			t.Errorf("coverage did not move: %q", after)
		}
		if p := max.get(t, list+"&state=lost"); p.status != http.StatusBadRequest {
			t.Errorf("an unknown state filter = %d", p.status)
		}
	})
}

// TestEvidenceLinksAndStatements: links and statements through the plain
// form, javascript: refused, a new version superseding the old one.
func TestEvidenceLinksAndStatements(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		max, alice := u.signIn(t, uManager), u.signIn(t, uOwner)
		form := func(kind, extra string) url.Values {
			v, _ := url.ParseQuery("control_id=GOV-01&need=1&period_start=2026-01-01&period_end=2026-06-30&title=Proof&kind=" + kind)
			over, _ := url.ParseQuery(extra)
			for k := range over {
				v.Set(k, over.Get(k))
			}
			return v
		}
		for _, c := range []struct {
			name   string
			b      *uiClient
			form   url.Values
			status int
		}{
			{"javascript link", max, form("link", "url="+url.QueryEscape("javascript:alert(1)")), http.StatusUnprocessableEntity},
			{"data link", max, form("link", "url="+url.QueryEscape("data:text/html,x")), http.StatusUnprocessableEntity},
			{"empty statement", max, form("statement", "statement=+"), http.StatusUnprocessableEntity},
			{"a file without multipart", max, form("file", ""), http.StatusBadRequest},
			{"owner on another's control", alice, form("statement", "statement=x&control_id=GOV-02&need=0"), http.StatusForbidden},
			{"link", max, form("link", "url="+url.QueryEscape("https://hr.example/report?q=1")), http.StatusSeeOther},
			{"owner's statement", alice, form("statement", "statement=All+staff+signed"), http.StatusSeeOther},
		} {
			if p := c.b.post(t, "/evidence", c.form); p.status != c.status {
				t.Errorf("%s = %d, want %d: %.300s", c.name, p.status, c.status, p.body)
			}
		}
		it := u.newest(t)
		if it.Kind != "statement" || it.Statement != "All staff signed" || it.ProvidedBy != "user:"+ownerA {
			t.Errorf("newest item %+v", it)
		}
		page := max.get(t, fmt.Sprintf("/evidence/%d", it.ID)).doc(t)
		if page.Find("dd.statement").Text() != "All staff signed" || page.Find("#new-version").Length() != 1 {
			t.Errorf("item page: statement %q, new-version form %d", page.Find("dd.statement").Text(), page.Find("#new-version").Length())
		}

		// A new version through the page's own form.
		v := formValues(page.Find("#new-version"))
		v.Set("kind", "statement")
		v.Set("statement", "All staff signed, checked twice")
		wantStatus(t, "new version", max.post(t, "/evidence", v), http.StatusSeeOther, "/controls/GOV-01")
		if p := max.post(t, "/evidence", v); p.status != http.StatusConflict {
			t.Errorf("superseding a superseded item = %d, want 409", p.status)
		}
		old := max.get(t, fmt.Sprintf("/evidence/%d", it.ID)).doc(t)
		if old.Find("#superseded").Length() != 1 || old.Find("#versions li").Length() != 2 || old.Find("#new-version").Length() != 0 {
			t.Errorf("the old version's page: superseded %d, versions %d", old.Find("#superseded").Length(), old.Find("#versions li").Length())
		}
		ctl := max.get(t, "/controls/GOV-01").doc(t)
		if ctl.Find(fmt.Sprintf(`tr.item.superseded[data-id="%d"]`, it.ID)).Length() != 1 || ctl.Find("tr.item").Length() < 4 {
			t.Errorf("the control page does not mark the old version superseded: %q", ctl.Find("table.evidence-items").Text())
		}
		if first := ctl.Find("tr.item").First().AttrOr("data-id", ""); first != fmt.Sprint(u.newest(t).ID) {
			t.Errorf("the control page lists %s first, not the newest", first)
		}
		// The owner's page offers the forms; the auditor's does not.
		if n := alice.get(t, "/controls/GOV-01").doc(t).Find("form.evidence-form").Length(); n != 2 {
			t.Errorf("Alice sees %d evidence forms on GOV-01, want one per need", n)
		}
		aud := u.signIn(t, uAuditor)
		if n := aud.get(t, "/controls/GOV-01").doc(t).Find("form.evidence-form, form.na-form").Length(); n != 0 {
			t.Errorf("the auditor sees %d forms", n)
		}
	})
}

// TestEvidenceCoverageShown: the dashboard and the criteria page show
// evidence coverage.
func TestEvidenceCoverageShown(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		aud := u.signIn(t, uAuditor) // sees the Type II engagement
		d := aud.get(t, "/").doc(t)
		if card := d.Find("#evidence-coverage").Text(); !strings.Contains(card, "slots due so far covered") || !strings.Contains(card, "%") {
			t.Errorf("dashboard coverage card: %q", card)
		}
		if d.Find(`td[data-coverage="security"]`).Length() != 1 {
			t.Errorf("the category table has no evidence column")
		}
		if n := aud.get(t, "/criteria").doc(t).Find("td.coverage").Length(); n == 0 {
			t.Errorf("the criteria page shows no coverage")
		}
		if aud.get(t, "/").doc(t).Find(`nav a[href="/evidence"]`).Length() != 1 {
			t.Errorf("no Evidence entry in the menu")
		}
	})
}
