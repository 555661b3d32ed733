package web

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/attest-dev/attest"
)

// setClock moves the fixture's clock to midday of day.
func (u *uiEnv) setClock(day attest.Date) {
	u.clock.mu.Lock()
	defer u.clock.mu.Unlock()
	u.clock.t = day.Time().Add(12 * time.Hour)
}

// quarterlyFixture adds a control with one quarterly need owned by Alice
// and a newer Type II engagement from October to June, three quarters,
// which becomes the current one.
func (u *uiEnv) quarterlyFixture(t *testing.T) *attest.Engagement {
	t.Helper()
	ctx := attest.WithActor(context.Background(), "user:fixture@example.com")
	c := &attest.Control{ID: "QTR-01", Name: "Quarterly access review", Criteria: []string{"CC1.1"}, Frequency: attest.Quarterly,
		Evidence: []attest.EvidenceNeed{{What: "Signed access review", Frequency: attest.Quarterly}}}
	if err := u.db.CreateControl(ctx, u.orgA, c); err != nil {
		t.Fatal(err)
	}
	status := attest.Implemented
	if _, err := u.db.UpdateControl(ctx, u.orgA, c.ID, attest.ControlUpdate{Status: &status, OwnerID: &u.alice.ID}); err != nil {
		t.Fatal(err)
	}
	// A second engagement becomes current only when asked to.
	e := &attest.Engagement{Name: "Quarterly audit", ReportType: attest.TypeII, WindowStart: "2026-10-01", WindowEnd: "2027-06-30", Current: true}
	if err := u.db.CreateEngagement(ctx, u.orgA, e); err != nil {
		t.Fatal(err)
	}
	return e
}

// provideForm reads the period the control page's form for need 0
// proposes, following path (a "provide" link or the plain page).
func provideForm(t *testing.T, b *uiClient, path string) (start, end string, open bool) {
	t.Helper()
	d := b.get(t, path).doc(t)
	f := d.Find("details#provide-0")
	if f.Length() != 1 {
		t.Fatalf("%s: no form for need 0", path)
	}
	_, open = f.Attr("open")
	return f.Find(`input[name="period_start"]`).AttrOr("value", ""), f.Find(`input[name="period_end"]`).AttrOr("value", ""), open
}

// slotStates reads QTR-01's slot states from its control page, in order.
func slotStates(t *testing.T, b *uiClient) string {
	t.Helper()
	out := ""
	b.get(t, "/controls/QTR-01").doc(t).Find(`table.slots[data-need="0"] tr.slot`).Each(func(_ int, s *goquery.Selection) {
		switch {
		case s.AttrOr("class", "") == "slot provided":
			out += "P"
		case s.AttrOr("class", "") == "slot missing":
			out += "M"
		case s.AttrOr("class", "") == "slot upcoming":
			out += "U"
		default:
			out += "?"
		}
	})
	return out
}

// TestEvidenceFormProvidesOneSlot walks a quarterly need through three
// quarters in the browser's forms: the form proposes the slot being
// provided and never the whole window, and an item given in December for
// the whole window (what the form used to propose) covers December's
// quarter only, on the pages and in the stored request list.
func TestEvidenceFormProvidesOneSlot(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		e := u.quarterlyFixture(t)
		var alice *uiClient
		// Sessions end as the clock moves by months: sign in anew.
		at := func(day attest.Date) {
			u.setClock(day)
			alice = u.signIn(t, uOwner)
		}
		give := func(start, end, title string) {
			t.Helper()
			p := alice.post(t, "/evidence", map[string][]string{"link": {"QTR-01:0"}, "kind": {"statement"}, "title": {title},
				"statement": {"Reviewed and signed by the team leads."}, "period_start": {start}, "period_end": {end}})
			wantStatus(t, "give "+title, p, http.StatusSeeOther, "/controls/QTR-01")
		}

		at("2026-12-10")
		if s, e, _ := provideForm(t, alice, "/controls/QTR-01"); s != "2026-10-01" || e != "2026-12-31" {
			t.Errorf("December, nothing given: the form proposes %s to %s, want the first quarter", s, e)
		}
		// The old form's period: the whole window, given in December.
		give("2026-10-01", "2027-06-30", "Whole window, December")
		if got := slotStates(t, alice); got != "PUU" {
			t.Errorf("December after the whole-window item: quarters %s, want PUU", got)
		}
		// Nothing is missing: the running quarter, not the window.
		if s, e, _ := provideForm(t, alice, "/controls/QTR-01"); s != "2026-10-01" || e != "2026-12-31" {
			t.Errorf("December, first quarter provided: the form proposes %s to %s, want the running quarter", s, e)
		}

		at("2027-02-01")
		if got := slotStates(t, alice); got != "PMU" {
			t.Errorf("February: quarters %s, want PMU (the December item proves nothing about January)", got)
		}
		if s, e, _ := provideForm(t, alice, "/controls/QTR-01"); s != "2027-01-01" || e != "2027-03-31" {
			t.Errorf("February: the form proposes %s to %s, want the missing second quarter", s, e)
		}
		// A "provide" link names its slot: the form opens on it.
		if s, e, open := provideForm(t, alice, "/controls/QTR-01?need=0&slot=2026-10-01"); s != "2026-10-01" || e != "2026-12-31" || !open {
			t.Errorf("link to the first quarter: the form proposes %s to %s (open %v)", s, e, open)
		}
		// The form as the page fills it, submitted from the link of the
		// missing second quarter.
		form := formValues(alice.get(t, "/controls/QTR-01?need=0&slot=2027-01-01").doc(t).Find("details#provide-0 form"))
		form.Set("kind", "statement")
		form.Set("title", "Second quarter")
		form.Set("statement", "Reviewed and signed by the team leads.")
		if form.Get("period_start") != "2027-01-01" || form.Get("period_end") != "2027-03-31" || form.Get("link") != "QTR-01:0" {
			t.Errorf("the provide form holds %v", form)
		}
		wantStatus(t, "submit the provide form", alice.post(t, "/evidence", form), http.StatusSeeOther, "/controls/QTR-01")
		at("2027-05-02")
		if got := slotStates(t, alice); got != "PPM" {
			t.Errorf("May: quarters %s, want PPM", got)
		}
		reqs, err := u.db.ControlRequests(context.Background(), u.orgA, e, []*attest.Control{{ID: "QTR-01", Criteria: []string{"CC1.1"},
			Status: attest.Implemented, Evidence: []attest.EvidenceNeed{{What: "x", Frequency: attest.Quarterly}}}})
		if err != nil || len(reqs) != 1 || len(reqs[0].Slots) != 3 || len(reqs[0].Slots[2].Evidence) != 0 || len(reqs[0].Slots[1].Evidence) != 1 {
			t.Errorf("stored requests: %+v, %v", reqs, err)
		}
	})
}
