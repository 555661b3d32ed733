package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/chromedp/chromedp"
)

// An access review from start to sign-off: the demo's admin starts a
// review of Okta from a pasted CSV, assigns the accounts to herself (her
// own excepted), decides, is refused the sign-off while a revocation is
// open, marks it done; the security lead decides her own account; the
// review is signed off and its record becomes evidence of ACC-05.
func TestAccessReviewToSignOff(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		ctx := context.Background()
		org := res.Organization.ID
		marcus := res.People["Marcus Lee"]
		hash, err := passwordHash()
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.SetPassword(ctx, org, marcus.ID, hash); err != nil {
			t.Fatal(err)
		}
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.open("/access-reviews")
		e.shot("access-reviews")
		e.typeInto("#system", "Okta")
		e.typeInto("#control_id", "ACC-05")
		e.typeInto("#accounts", "account,name,email,privileges\npriya,Priya Raman,admin@northwind.example,Super admin\nsofia,Sofia Alvarez,sofia@northwind.example,App admin\nold-contractor,Old Contractor,old@contractor.example,Read only\n")
		e.shot("access-review-new")
		if status := e.submit("#review-form"); status != 200 {
			t.Fatalf("start the review: status %d", status)
		}
		if !strings.HasPrefix(e.path(), "/access-reviews/") || !strings.Contains(e.flash(), "opened with 3 accounts") {
			t.Fatalf("at %s, flash %q", e.path(), e.flash())
		}
		reviews, _, err := e.db.FindAccessReviewPage(ctx, org, attest.AccessReviewFilter{Search: "Okta"}, attest.Page{})
		if err != nil || len(reviews) != 1 {
			t.Fatalf("reviews %v, %v", reviews, err)
		}
		rv := reviews[0]
		accounts, err := e.db.FindAccessAccounts(ctx, org, rv.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]*attest.AccessAccount{}
		for _, a := range accounts {
			byName[a.Account] = a
		}
		path := fmt.Sprintf("/access-reviews/%d", rv.ID)

		e.do(chromedp.SetValue(chromedp.CSS("#reviewer"), fmt.Sprint(admin.ID)))
		if status := e.submit("#assign-form"); status != 200 {
			t.Fatalf("assign: status %d", status)
		}
		row := func(a string) string { return fmt.Sprintf("#account-%d", byName[a].ID) }
		if got := e.text(row("priya")); !strings.Contains(got, "your own account") {
			t.Errorf("the admin's own account row offers a decision: %q", got)
		}
		decide := func(account, decision, comment string) int {
			t.Helper()
			sel := row(account) + " .decide-form"
			e.do(chromedp.SetValue(chromedp.CSS(sel+" select"), decision))
			if comment != "" {
				e.typeInto(sel+` input[name="comment"]`, comment)
			}
			return e.submit(sel)
		}
		if status := decide("sofia", "keep", ""); status != 200 {
			t.Fatalf("decide: status %d", status)
		}
		if status := decide("old-contractor", "revoke", "contract ended in May"); status != 200 {
			t.Fatalf("decide: status %d", status)
		}
		e.shot("access-review-decided")
		if status := e.submit("#sign-off-form"); status != 422 {
			t.Errorf("sign-off with a decision and a revocation pending: status %d, want 422", status)
		}
		if got := e.text(".form-error"); !strings.Contains(got, "1 accounts await a decision and 1 revocations") {
			t.Errorf("refusal %q", got)
		}
		e.open(path)
		if status := e.follow(chromedp.Click(chromedp.CSS(row("old-contractor") + " .resolve-form button"))); status != 200 {
			t.Fatalf("resolve: status %d", status)
		}

		// The security lead reviews the admin's own account.
		e.signOut()
		if status := e.signIn(marcus.Email, password); status != 200 {
			t.Fatalf("sign in as Marcus: status %d", status)
		}
		e.open(path)
		if status := decide("priya", "keep", "compliance lead, needs it"); status != 200 {
			t.Fatalf("Marcus decides: status %d", status)
		}
		e.signOut()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in again: status %d", status)
		}
		e.open(path)
		if status := e.submit("#sign-off-form"); status != 200 {
			t.Fatalf("sign off: status %d", status)
		}
		if got := e.flash(); !strings.Contains(got, "Review signed off.") || !strings.Contains(got, "evidence item") {
			t.Errorf("flash %q", got)
		}
		if got := e.text("#review-status"); got != "signed off" {
			t.Errorf("status %q", got)
		}
		e.shot("access-review-signed-off")
		got, err := e.db.FindAccessReview(ctx, org, rv.ID)
		if err != nil || got.EvidenceID == 0 || got.SignedBy == nil || got.SignedBy.ID != admin.ID {
			t.Fatalf("stored review %+v, %v", got, err)
		}
		ev, err := e.db.FindEvidenceByID(ctx, org, got.EvidenceID)
		if err != nil || !strings.Contains(ev.Statement, "old-contractor (Read only): revoke by Priya Raman: contract ended in May, done") {
			t.Errorf("evidence %+v, %v", ev, err)
		}
	})
}

// An offboarding checklist: the admin records a leaver's last day, which
// opens the offboarding checklist due a day later, and records each item
// done; the checklist completes and nothing about the leaver is a gap.
func TestOffboardingChecklist(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		res, admin := e.demo()
		ctx := context.Background()
		org := res.Organization.ID
		people, _, err := e.db.FindRosterPage(ctx, org, attest.RosterFilter{Search: "Hannah Weiss"}, attest.Page{})
		if err != nil || len(people) != 1 {
			t.Fatalf("demo roster: %v, %v", people, err)
		}
		hannah := people[0]
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.open("/people")
		e.shot("people")
		path := fmt.Sprintf("/people/%d", hannah.ID)
		if status := e.follow(chromedp.Click(chromedp.CSS(`#register a[href="` + path + `"]`))); status != 200 {
			t.Fatalf("open the person: status %d", status)
		}
		today := attest.DateOf(e.db.Now())
		e.do(chromedp.SetValue(chromedp.CSS("#end_date"), string(today)))
		if status := e.submit("#person-edit"); status != 200 {
			t.Fatalf("save the last day: status %d", status)
		}
		e.wantPath(path)
		cs, err := e.db.FindChecklists(ctx, org, hannah.ID)
		if err != nil || len(cs) != 2 || cs[1].Kind != attest.Offboarding || cs[1].DueDate != today.AddDays(1) {
			t.Fatalf("checklists %+v, %v: want an offboarding checklist due tomorrow", cs, err)
		}
		off := cs[1]
		e.shot("offboarding-open")
		for i, it := range off.Items {
			sel := fmt.Sprintf("#item-%d .item-form", it.ID)
			if i == 0 {
				e.typeInto(sel+` input[name="note"]`, "disabled in Okta")
			}
			if status := e.submit(sel); status != 200 {
				t.Fatalf("item %q: status %d", it.Title, status)
			}
		}
		e.do(chromedp.ScrollIntoView(chromedp.CSS(fmt.Sprintf("#checklist-%d", off.ID))))
		e.shot("offboarding-done")
		if got := e.text(fmt.Sprintf("#checklist-%d p.meta", off.ID)); !strings.Contains(got, "complete") {
			t.Errorf("checklist meta %q, want complete", got)
		}
		if got := e.text(fmt.Sprintf("#item-%d", off.Items[0].ID)); !strings.Contains(got, "Priya Raman") || !strings.Contains(got, "disabled in Okta") {
			t.Errorf("item row %q: want attributed to the admin, with the note", got)
		}
		c, err := e.db.FindChecklist(ctx, org, off.ID)
		if err != nil || c.CompletedAt == nil {
			t.Errorf("stored checklist %+v, %v: want complete", c, err)
		}
		// The completed checklist is evidence of the template's control
		// (ACC-06, leavers' access removed on time).
		if got := e.text(fmt.Sprintf("#checklist-%d a.record-evidence", off.ID)); got != fmt.Sprintf("evidence item %d", c.EvidenceID) || c.EvidenceID == 0 {
			t.Errorf("the checklist links %q, stored evidence %d", got, c.EvidenceID)
		}
		e.open("/controls/ACC-06")
		e.shot("offboarding-evidence")
		if got := e.text("#evidence"); !strings.Contains(got, "Offboarding checklist completed: Hannah Weiss") {
			t.Errorf("ACC-06's page does not list the checklist's evidence: %.300q", got)
		}
	})
}

// TestRequestListPopulation: in the demo, the request list shows the
// leavers of the window beside HR-08's per-event need, and its link opens
// that population.
func TestRequestListPopulation(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		_, admin := e.demo()
		if status := e.signIn(admin.Email, password); status != 200 {
			t.Fatalf("sign in: status %d", status)
		}
		e.open("/evidence?q=HR-08")
		e.shot("request-population")
		got := e.text(`tr.request[data-control="HR-08"] p.population`)
		if !strings.Contains(got, "leavers from") || strings.HasPrefix(got, "0 ") {
			t.Fatalf("HR-08's population line %q: want the window's leavers", got)
		}
		if status := e.follow(chromedp.Click(chromedp.CSS(`tr.request[data-control="HR-08"] p.population a`))); status != 200 {
			t.Fatalf("open the population: status %d", status)
		}
		e.shot("population")
		if got := e.text("#population-filter"); !strings.Contains(got, "leavers: all roster people whose end date is") {
			t.Errorf("the population page says %q", got)
		}
	})
}
