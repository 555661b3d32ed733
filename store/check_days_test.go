package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestCheckTimelinesCoverAutomatedSlots: the slots of a control's automated
// evidence need are proved by its checks' results period by period. A
// failure fixed within its window leaves the quarter covered; one left open
// past it makes the quarter a deviation (and holds the control back for the
// whole quarter, not the calendar month); a quarter in which the check
// never ran stays missing; a manual need of the same control is untouched.
func TestCheckTimelinesCoverAutomatedSlots(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:test@example.com")
		clock(db, time.Date(2025, 12, 20, 9, 0, 0, 0, time.UTC))
		org := newOrg(t, db, "Acme")
		e := &attest.Engagement{Name: "Type II", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-12-31"}
		if err := db.CreateEngagement(ctx, org, e); err != nil {
			t.Fatal(err)
		}
		// CRY-01 operates continuously; its first need (a configuration
		// report, quarterly) is automated in the library.
		ctl, err := db.FindControlByID(ctx, org, "CRY-01")
		if err != nil {
			t.Fatal(err)
		}
		if len(ctl.Evidence) == 0 || !ctl.Evidence[0].Automated || ctl.Evidence[0].Frequency != attest.Quarterly {
			t.Fatalf("CRY-01 needs = %+v, want an automated quarterly need", ctl.Evidence)
		}
		check := &attest.MonitoredCheck{ID: "rds-encrypted", Title: "Databases are encrypted", Severity: "high", Controls: []string{"CRY-01"}, Window: 72 * time.Hour}
		run := func(at time.Time, st attest.CheckStatus) {
			t.Helper()
			clock(db, at)
			if _, err := db.RecordResults(ctx, org, &CheckRun{Checks: []*attest.MonitoredCheck{check}, Results: []*attest.CheckResult{
				{CheckID: check.ID, ResourceType: "aws.rds_instance", ResourceID: "main", Status: attest.CheckPass},
				{CheckID: check.ID, ResourceType: "aws.rds_instance", ResourceID: "reports", Status: st, Reason: "not encrypted"},
			}}); err != nil {
				t.Fatal(err)
			}
		}
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }
		slots := func(at time.Time) (string, [][]string) {
			t.Helper()
			clock(db, at)
			reqs, err := db.Requests(ctx, org, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			var auto *attest.EvidenceRequest
			for _, r := range reqs {
				if r.ControlID == "CRY-01" && r.Need == 0 {
					auto = r
				}
			}
			if auto == nil {
				t.Fatal("no request for CRY-01's first need")
			}
			var b strings.Builder
			var checks [][]string
			for _, s := range auto.Slots {
				b.WriteString(strings.ToUpper(string(s.State)[:1]))
				checks = append(checks, s.Checks)
			}
			// The summary the lists and readiness read agrees.
			sum, err := db.RequestSummary(ctx, org, e, []*attest.Control{ctl})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range sum {
				if r.Need == 0 {
					for i, s := range r.Slots {
						if s.State != auto.Slots[i].State {
							t.Errorf("summary slot %s is %s, the list says %s", s.Start, s.State, auto.Slots[i].State)
						}
					}
				}
			}
			return b.String(), checks
		}
		held := func(at time.Time) string {
			t.Helper()
			clock(db, at)
			controls, err := db.FindControls(ctx, org, attest.ControlFilter{})
			if err != nil {
				t.Fatal(err)
			}
			gates, err := db.deviationGates(ctx, org, nil, e, controls, attest.DateOf(at))
			if err != nil {
				t.Fatal(err)
			}
			return gates["CRY-01"]
		}

		// January: a failure fixed within its three days.
		run(day(1, 10), attest.CheckPass)
		run(day(1, 20), attest.CheckFail)
		run(day(1, 22), attest.CheckPass)
		if got, checks := slots(day(1, 25)); got != "PUUU" || strings.Join(checks[0], ",") != "rds-encrypted" {
			t.Fatalf("after a failure fixed in time: slots %s, checks %v; want the first quarter proved by the check", got, checks)
		}
		if h := held(day(1, 25)); h != "" {
			t.Fatalf("a failure fixed within its window holds the control: %s", h)
		}
		// February: a failure left open past its window.
		run(day(2, 10), attest.CheckFail)
		run(day(2, 20), attest.CheckFail)
		run(day(2, 21), attest.CheckPass)
		if got, checks := slots(day(3, 15)); got != "DUUU" || strings.Join(checks[0], ",") != "rds-encrypted" {
			t.Fatalf("after a deviation: slots %s, checks %v; want the quarter marked a deviation by the check", got, checks)
		}
		// In March the February deviation still holds a control whose
		// automated need is quarterly: its period is the quarter.
		if h := held(day(3, 15)); !strings.Contains(h, "rds-encrypted") || !strings.Contains(h, "2026-01-01") {
			t.Fatalf("held in March = %q, want the deviation of the quarter", h)
		}
		// April: a new quarter; no run yet, so it is not proved, and the
		// February deviation no longer holds the control.
		got, _ := slots(day(4, 10))
		if got != "DMUU" {
			t.Fatalf("in April before any run: slots %s, want the second quarter missing", got)
		}
		if h := held(day(4, 10)); h != "" {
			t.Fatalf("held in April = %q, want the quarter's slate clean", h)
		}
		run(day(4, 12), attest.CheckPass)
		if got, _ := slots(day(4, 13)); got != "DPUU" {
			t.Fatalf("after April's run: slots %s", got)
		}
		// The timeline the control page reads agrees, a day at a time.
		clock(db, day(4, 13))
		tls, err := db.ControlTimelines(ctx, org, []string{"CRY-01"}, "2026-02-09", "2026-02-14")
		if err != nil || len(tls["CRY-01"]) != 1 {
			t.Fatalf("timelines = %v, %v", tls, err)
		}
		var days strings.Builder
		for _, d := range tls["CRY-01"][0].Days {
			days.WriteByte(".PFD"[d])
		}
		if days.String() != "PFFFDD" {
			t.Errorf("days 9–14 February = %s, want PFFFDD", days.String())
		}
	})
}

// TestCheckDaysFoldEarlierHistory: results stored before days were kept
// are folded in once, by the check's next run.
func TestCheckDaysFoldEarlierHistory(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		check := &attest.MonitoredCheck{ID: "c", Title: "C", Severity: "low", Controls: []string{"CRY-01"}, Window: time.Hour}
		rec := func(at time.Time, st attest.CheckStatus) {
			clock(db, at)
			if _, err := db.RecordResults(ctx, org, &CheckRun{Checks: []*attest.MonitoredCheck{check}, Results: []*attest.CheckResult{{CheckID: "c", ResourceType: "x", ResourceID: "1", Status: st}}}); err != nil {
				t.Fatal(err)
			}
		}
		rec(time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), attest.CheckFail)
		// As if written before migration 00170.
		if _, err := db.db.ExecContext(ctx, db.q(`DELETE FROM check_days WHERE org_id = ?`), org); err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.ExecContext(ctx, db.q(`UPDATE monitor_checks SET days_built = ? WHERE org_id = ?`), false, org); err != nil {
			t.Fatal(err)
		}
		rec(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC), attest.CheckPass)
		tls, err := db.ControlTimelines(ctx, org, []string{"CRY-01"}, "2026-05-01", "2026-05-04")
		if err != nil || len(tls["CRY-01"]) != 1 {
			t.Fatalf("timelines = %v, %v", tls, err)
		}
		tl := tls["CRY-01"][0]
		if got := string([]byte{".PFD"[tl.Days[0]], ".PFD"[tl.Days[1]], ".PFD"[tl.Days[3]]}); got != "DDD" || !tl.Runs[0] || tl.Runs[1] || !tl.Runs[3] {
			t.Errorf("folded days = %s, runs %v", got, tl.Runs)
		}
	})
}
