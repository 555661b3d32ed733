package web

import (
	"context"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

// TestRequestListPopulations: a per-event need names its population; the
// request list shows beside its period how many events the window holds
// (none, then one once a leaver is recorded), links to the population
// page and CSV of that period, and the list's CSV carries the same.
// A quarterly need with a population shows one line per begun quarter;
// the control's page shows the population beside its period too.
func TestRequestListPopulations(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		u.setClock("2026-07-15") // the window, January to June, has ended
		b := u.signIn(t, uAdmin)
		row := func() string {
			t.Helper()
			d := b.get(t, "/evidence?q=HR-08").doc(t)
			return strings.Join(strings.Fields(d.Find(`tr.request[data-control="HR-08"][data-need="0"] p.population`).Text()), " ")
		}
		if got := row(); !strings.Contains(got, "0 leavers from 2026-01-01 to 2026-06-30") || !strings.Contains(got, "none to sample") {
			t.Errorf("without leavers the row says %q", got)
		}
		ctx := attest.WithActor(context.Background(), "user:fixture@example.com")
		for _, p := range []*attest.RosterPerson{
			{Name: "Lee Leaver", Email: "lee@a.example", StartDate: "2025-03-01", EndDate: "2026-03-10"},
			{Name: "Late Leaver", Email: "late@a.example", StartDate: "2025-03-01", EndDate: "2026-07-02"}, // after the window
		} {
			if err := u.db.CreateRosterPerson(ctx, u.orgA, p); err != nil {
				t.Fatal(err)
			}
		}
		if got := row(); !strings.Contains(got, "1 leavers from 2026-01-01 to 2026-06-30: the population to sample") {
			t.Errorf("with one leaver the row says %q", got)
		}
		d := b.get(t, "/evidence?q=HR-08").doc(t)
		p := d.Find(`tr.request[data-control="HR-08"] p.population`)
		page, csvLink := p.Find("a").First().AttrOr("href", ""), p.Find("a.csv").AttrOr("href", "")
		if page != "/populations?kind=leavers&from=2026-01-01&to=2026-06-30" {
			t.Errorf("population link %q", page)
		}
		if body := b.get(t, page).body; !strings.Contains(body, "Lee Leaver") || strings.Contains(body, "Late Leaver") {
			t.Errorf("the linked population page does not hold exactly the window's leaver")
		}
		csv := b.get(t, csvLink).body
		if !strings.HasPrefix(csv, "# population,leavers: all roster people whose end date is from 2026-01-01 to 2026-06-30 inclusive,rows,1\n") || !strings.Contains(csv, "Lee Leaver") {
			t.Errorf("population CSV:\n%s", csv)
		}
		export := b.get(t, "/evidence.csv?q=HR-08").body
		if !strings.Contains(export, ",population,population_rows") || !strings.Contains(export, "/populations.csv?kind=leavers&from=2026-01-01&to=2026-06-30,1") {
			t.Errorf("request list CSV:\n%s", export)
		}
		// The control's page shows the same beside the period.
		if got := strings.Join(strings.Fields(b.get(t, "/controls/HR-08").doc(t).Find(`table.slots[data-need="0"] p.population`).Text()), " "); !strings.Contains(got, "1 leavers from 2026-01-01 to 2026-06-30") {
			t.Errorf("the control's page says %q", got)
		}
		// ACC-05's second need is quarterly and lists removals: one line
		// per quarter.
		q := b.get(t, "/evidence?q=ACC-05").doc(t).Find(`tr.request[data-control="ACC-05"][data-need="1"] p.population`)
		if q.Length() != 2 || !strings.Contains(q.First().Text(), "access-removals from 2026-01-01 to 2026-03-31") {
			t.Errorf("quarterly need: %d population lines, first %q", q.Length(), q.First().Text())
		}
	})
}
