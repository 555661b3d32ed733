package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/attest-dev/attest"
)

// slotOf finds the list's slot of a control's need starting on start.
func slotOf(d *goquery.Document, control string, need int, start string) *goquery.Selection {
	return d.Find(fmt.Sprintf(`tbody.control-group tr.request[data-control=%q][data-need="%d"] li.slot[data-start=%q]`, control, need, start))
}

// groupIDs lists the controls of a page of the request list, in order.
func groupIDs(d *goquery.Document) []string {
	var out []string
	d.Find("tbody.control-group").Each(func(_ int, g *goquery.Selection) { out = append(out, g.AttrOr("data-control", "")) })
	return out
}

// TestEvidenceRequestList follows GOV-01's requests in the six-month Type
// II engagement through the grouped list: the fixture's file covers the
// first need, the second is missing and late, with a link to the form for
// that period; a not-applicable statement covers it and moves it out of
// the missing filter.
func TestEvidenceRequestList(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		max, alice := u.signIn(t, uManager), u.signIn(t, uOwner)
		eng := u.ids[u.orgA]["{eng}"]
		list := "/evidence?engagement=" + eng
		d := max.get(t, list+"&q=gov-01").doc(t)
		if ids := groupIDs(d); len(ids) != 1 || ids[0] != "GOV-01" {
			t.Fatalf("searching gov-01 lists %v", ids)
		}
		provided, missing := slotOf(d, "GOV-01", 0, "2026-01-01"), slotOf(d, "GOV-01", 1, "2026-01-01")
		if !provided.HasClass("provided") || provided.Find("a").AttrOr("href", "") != "/evidence/"+u.ids[u.orgA]["{evidence}"] ||
			!strings.Contains(provided.Find("a").AttrOr("title", ""), "Fixture export 2026-01-01") {
			t.Errorf("need 0: slot %q %q", provided.AttrOr("class", ""), provided.Find("a").AttrOr("title", ""))
		}
		if !missing.HasClass("missing") || !missing.HasClass("late") || missing.Find("a").AttrOr("href", "") != "/controls/GOV-01?need=1&slot=2026-01-01#provide-1" {
			t.Errorf("need 1: slot %q links to %q", missing.AttrOr("class", ""), missing.Find("a").AttrOr("href", ""))
		}
		if due := missing.Closest("tr").Find("td.next-due").Text(); due != "2026-06-30" {
			t.Errorf("need 1: next due %q", due)
		}
		coverage := d.Find("#coverage").Text()

		// Alice's list holds her control's requests only, and her links
		// lead to the form; the auditor's never do.
		mine := alice.get(t, list+"&mine=1").doc(t)
		if ids := groupIDs(mine); len(ids) != 1 || ids[0] != "GOV-01" {
			t.Errorf("Alice's list: %v", ids)
		}
		aud := u.signIn(t, uAuditor).get(t, list+"&q=GOV-01").doc(t)
		if href := slotOf(aud, "GOV-01", 1, "2026-01-01").Find("a").AttrOr("href", ""); strings.Contains(href, "slot=") {
			t.Errorf("the auditor is offered a form: %q", href)
		}

		// Pages of 25 controls, the filters kept from page to page.
		all := max.get(t, list).doc(t)
		first := groupIDs(all)
		next := all.Find(`nav.pager a[rel="next"]`).AttrOr("href", "")
		if len(first) != 25 || !strings.Contains(all.Find("#shown").Text(), "page 1 of") || !strings.Contains(next, "page=2") {
			t.Fatalf("first page: %d groups, %q, next %q", len(first), all.Find("#shown").Text(), next)
		}
		second := groupIDs(max.get(t, next).doc(t))
		if len(second) == 0 || second[0] <= first[len(first)-1] {
			t.Errorf("the second page starts at %v after %s", second, first[len(first)-1])
		}

		// Criterion IDs in any case; every control listed maps to it.
		upper, lower := groupIDs(max.get(t, list+"&criterion=CC1.1").doc(t)), groupIDs(max.get(t, list+"&criterion=cc1.1").doc(t))
		if len(upper) == 0 || strings.Join(upper, " ") != strings.Join(lower, " ") || len(upper) >= 25 {
			t.Errorf("criterion CC1.1 lists %v, cc1.1 %v", upper, lower)
		}

		// Late first; earliest due first.
		byStatus := max.get(t, list+"&sort=status").doc(t).Find("tbody.control-group")
		if byStatus.First().AttrOr("data-late", "0") == "0" {
			t.Errorf("ordered by status, the first group has no late period")
		}
		var dues []string
		max.get(t, list+"&sort=due&state=missing").doc(t).Find("tbody.control-group").Each(func(_ int, g *goquery.Selection) {
			dues = append(dues, g.AttrOr("data-next-due", ""))
		})
		if len(dues) == 0 || !sort.StringsAreSorted(dues) {
			t.Errorf("ordered by due date: %v", dues)
		}

		// Nothing to prove for need 1: the owner says so.
		if p := alice.post(t, "/evidence/slots", url.Values{"engagement_id": {eng}, "control_id": {"GOV-02"}, "need": {"0"},
			"period_start": {"2026-01-01"}, "statement": {"Not hers"}}); p.status != http.StatusForbidden {
			t.Errorf("an owner marks another's control: %d", p.status)
		}
		if p := alice.post(t, "/evidence/slots", url.Values{"engagement_id": {eng}, "control_id": {"GOV-01"}, "need": {"1"},
			"period_start": {"2026-01-01"}}); p.status != http.StatusBadRequest {
			t.Errorf("not applicable without a reason: %d", p.status)
		}
		p := alice.post(t, "/evidence/slots", url.Values{"engagement_id": {eng}, "control_id": {"GOV-01"}, "need": {"1"},
			"period_start": {"2026-01-01"}, "statement": {"Nobody joined"}})
		wantStatus(t, "mark not applicable", p, http.StatusSeeOther, "/controls/GOV-01")
		missingList := max.get(t, list+"&state=missing&q=GOV").doc(t)
		if slotOf(missingList, "GOV-01", 1, "2026-01-01").Length() != 0 || missingList.Find("tr.request").Length() == 0 {
			t.Errorf("the missing filter still lists GOV-01's second need, or lists nothing")
		}
		na := slotOf(max.get(t, list+"&state=not_applicable&q=GOV-01").doc(t), "GOV-01", 1, "2026-01-01")
		if !na.HasClass("not_applicable") || !strings.Contains(na.Find("a").AttrOr("title", ""), "Nobody joined") {
			t.Errorf("the not-applicable slot shows %q", na.Find("a").AttrOr("title", ""))
		}
		if after := max.get(t, list).doc(t).Find("#coverage").Text(); after == coverage {
			t.Errorf("coverage did not move: %q", after)
		}

		// A bad filter is named beside its field; the others still apply.
		bad := max.get(t, list+"&state=lost&q=GOV-01")
		bd := bad.doc(t)
		if bad.status != http.StatusBadRequest || !strings.Contains(bd.Find(".field-error").Text(), `unknown slot state "lost"`) ||
			bd.Find("#f-q").AttrOr("value", "") != "GOV-01" || len(groupIDs(bd)) != 1 {
			t.Errorf("an unknown state filter = %d, %q, search %q", bad.status, bd.Find(".field-error").Text(), bd.Find("#f-q").AttrOr("value", ""))
		}
	})
}

// TestEvidenceRequestCSV exports the filtered list, every page, one row
// per period, with cells a spreadsheet cannot run.
func TestEvidenceRequestCSV(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := attest.WithActor(context.Background(), "user:fixture@example.com")
		if err := u.db.CreateControl(ctx, u.orgA, &attest.Control{ID: "FORM-01", Name: "=HYPERLINK(\"https://evil.example\")", Criteria: []string{"CC1.1"},
			Frequency: attest.Monthly, Evidence: []attest.EvidenceNeed{{What: "+cmd|calc", Frequency: attest.Monthly}}}); err != nil {
			t.Fatal(err)
		}
		max := u.signIn(t, uManager)
		eng := u.ids[u.orgA]["{eng}"]
		p := max.get(t, "/evidence.csv?engagement="+eng)
		if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %s", p.status, p.header.Get("Content-Type"))
		}
		rows, err := csv.NewReader(strings.NewReader(p.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		list := max.get(t, "/evidence?engagement="+eng).doc(t)
		pages := list.Find("#shown").Text()
		slots, controls := 0, map[string]bool{}
		for _, r := range rows[1:] {
			controls[r[0]] = true
			slots++
			if r[0] == "GOV-01" && r[3] == "0" && r[6] == "2026-01-01" && (r[9] != "provided" || r[11] != u.ids[u.orgA]["{evidence}"]) {
				t.Errorf("GOV-01 need 0 in January: %v", r)
			}
			if r[0] == "FORM-01" && (r[1] != "'=HYPERLINK(\"https://evil.example\")" || r[4] != "'+cmd|calc") {
				t.Errorf("formula cells: %q %q", r[1], r[4])
			}
		}
		if len(controls) <= 25 || !strings.Contains(pages, fmt.Sprintf("%d controls", len(controls))) || !controls["FORM-01"] {
			t.Errorf("the export holds %d controls (%d periods); the list says %q", len(controls), slots, pages)
		}
		// With a state filter, the periods in that state only.
		late, err := csv.NewReader(strings.NewReader(max.get(t, "/evidence.csv?state=late&engagement="+eng).body)).ReadAll()
		if err != nil || len(late) < 2 {
			t.Fatalf("late export: %d rows, %v", len(late), err)
		}
		for _, r := range late[1:] {
			if r[9] != "missing" || r[10] != "yes" {
				t.Errorf("late export row %v", r)
			}
		}
		if p := max.get(t, "/evidence.csv?sort=sideways&engagement="+eng); p.status != http.StatusBadRequest {
			t.Errorf("export with a bad order = %d", p.status)
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
			{"javascript link", max, form("link", "url="+url.QueryEscape("javascript:alert(1)")), http.StatusBadRequest},
			{"data link", max, form("link", "url="+url.QueryEscape("data:text/html,x")), http.StatusBadRequest},
			{"empty statement", max, form("statement", "statement=+"), http.StatusBadRequest},
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
