package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
)

// TestControlPageAutomatedSlots: a control's automated evidence need shows,
// period by period, the checks whose results prove it, and a quarter in
// which a failure stayed open past its window as a deviation, on the
// control's page and in the request list.
func TestControlPageAutomatedSlots(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		ctx := context.Background()
		set := func(at time.Time) {
			u.clock.mu.Lock()
			u.clock.t = at
			u.clock.mu.Unlock()
		}
		check := &attest.MonitoredCheck{ID: "rds-encrypted", Title: "Databases are encrypted", Severity: "high", Controls: []string{"CRY-01"}, Window: 72 * time.Hour}
		run := func(at time.Time, st attest.CheckStatus) {
			set(at)
			if _, err := u.db.RecordResults(ctx, u.orgA, &store.CheckRun{Checks: []*attest.MonitoredCheck{check}, Results: []*attest.CheckResult{
				{CheckID: check.ID, ResourceType: "aws.rds_instance", ResourceID: "reports", Status: st, Reason: "not encrypted"}}}); err != nil {
				t.Fatal(err)
			}
		}
		run(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), attest.CheckFail)
		run(time.Date(2026, 1, 20, 9, 0, 0, 0, time.UTC), attest.CheckFail)
		run(time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), attest.CheckPass)
		run(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC), attest.CheckPass)
		set(time.Date(2026, 4, 10, 12, 0, 0, 0, time.UTC))
		admin := u.signIn(t, uAdmin)
		page := admin.get(t, "/controls/CRY-01")
		d := page.doc(t)
		first := d.Find(`tr.slot[data-start="2026-01-01"]`).First()
		second := d.Find(`tr.slot[data-start="2026-04-01"]`).First()
		if !first.HasClass("deviation") || !strings.Contains(first.Text(), "rds-encrypted") {
			t.Errorf("first quarter: %q (class %q)", first.Text(), first.AttrOr("class", ""))
		}
		if !second.HasClass("provided") || !strings.Contains(second.Text(), "proved by checks") || second.Find(`a[href="/monitoring/checks/rds-encrypted"]`).Length() == 0 {
			t.Errorf("second quarter: %q (class %q)", second.Text(), second.AttrOr("class", ""))
		}
		list := admin.get(t, "/evidence?state=deviation")
		if ld := list.doc(t); ld.Find(`li.slot.deviation`).Length() == 0 || !strings.Contains(list.body, "CRY-01") {
			t.Errorf("request list filtered on deviations: %.600s", list.body)
		}
		csv := admin.get(t, "/evidence.csv?state=deviation")
		if !strings.Contains(csv.body, ",statement,checks,") || !strings.Contains(csv.body, "deviation,,,,rds-encrypted") {
			t.Errorf("request list CSV: %s", csv.body)
		}
	})
}
