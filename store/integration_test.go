package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

func newIntegration(t *testing.T, db *DB, org int64, name string) *attest.Integration {
	t.Helper()
	in := &attest.Integration{Kind: "fake", Name: name, Settings: map[string]string{"host": "db.internal"}, Secrets: map[string]string{"password": "v1:sealed-blob"}, Every: time.Hour}
	if err := db.CreateIntegration(context.Background(), org, in); err != nil {
		t.Fatal(err)
	}
	return in
}

func TestIntegrationLifecycle(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org, other := newOrg(t, db, "Acme"), newOrg(t, db, "Other")
		in := newIntegration(t, db, org, "main-db")
		wantCode(t, db.CreateIntegration(ctx, org, &attest.Integration{Kind: "fake", Name: "main-db"}), attest.EINVALID) // beside the name field
		wantCode(t, db.CreateIntegration(ctx, org, &attest.Integration{Kind: "fake", Name: "Bad Name"}), attest.EINVALID)
		if _, err := db.FindIntegration(ctx, other, "main-db"); attest.ErrorCode(err) != attest.ENOTFOUND {
			t.Fatalf("another organization finds the integration: %v", err)
		}
		got, err := db.FindIntegration(ctx, org, "main-db")
		if err != nil || got.Secrets["password"] != "v1:sealed-blob" || strings.Join(got.SecretNames, ",") != "password" || got.Every != time.Hour {
			t.Fatalf("found %+v, %v", got, err)
		}
		u, err := db.UpdateIntegration(ctx, org, in.ID, attest.IntegrationUpdate{Secrets: map[string]string{"password": "", "token": "v1:other"}})
		if err != nil || strings.Join(u.SecretNames, ",") != "token" || u.Settings["host"] != "db.internal" {
			t.Fatalf("updated %+v, %v", u, err)
		}
		log, err := db.FindAuditLog(ctx, org, attest.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range log {
			if strings.Contains(string(e.Before)+string(e.After), "v1:") {
				t.Errorf("audit entry %s holds a sealed secret: %s %s", e.Action, e.Before, e.After)
			}
		}
	})
}

func TestRunLeaseAndSnapshot(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		in := newIntegration(t, db, org, "hosts")
		now := clock(db, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
		run, err := db.StartRun(ctx, org, in.ID, "test", "proc-a", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.StartRun(ctx, org, in.ID, "test", "proc-b", time.Minute); attest.ErrorCode(err) != attest.ECONFLICT {
			t.Fatalf("a second process started the same collection: %v", err)
		}
		rs := []collect.Resource{{Type: "linux.host", ID: "a", Name: "a", Attributes: map[string]any{"ssh": map[string]any{"root_login": false}}, CollectedAt: now}, {Type: "linux.host", ID: "b", CollectedAt: now}}
		if err := db.ReplaceResources(ctx, org, in.ID, run.ID, rs); err != nil {
			t.Fatal(err)
		}
		run.Resources = 2
		if err := db.FinishRun(ctx, org, run, attest.RunSucceeded, ""); err != nil {
			t.Fatal(err)
		}
		// A run killed midway: its lease runs out, the next run marks it
		// interrupted and the stored resources are still the last good ones.
		dead, err := db.StartRun(ctx, org, in.ID, "test", "proc-a", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		// It had written part of its generation when it died.
		if _, err := db.db.ExecContext(ctx, db.q(`INSERT INTO resources (org_id, integration_id, gen, type, rid, collected_at) VALUES (?, ?, ?, 'linux.host', 'half-written', ?)`), org, in.ID, dead.ID, now); err != nil {
			t.Fatal(err)
		}
		clock(db, now.Add(2*time.Minute))
		next, err := db.StartRun(ctx, org, in.ID, "test", "proc-b", time.Minute)
		if err != nil {
			t.Fatalf("after the lease ran out: %v", err)
		}
		runs, err := db.FindRuns(ctx, org, in.ID, 10)
		if err != nil || len(runs) != 3 || runs[1].ID != dead.ID || runs[1].Status != attest.RunInterrupted || runs[0].ID != next.ID {
			t.Fatalf("runs %+v, %v", runs, err)
		}
		var ids []string
		err = db.Resources(ctx, org, "linux.host", func(integ int64, r collect.Resource) error {
			ids = append(ids, r.ID)
			if r.ID == "a" && r.Attributes["ssh"].(map[string]any)["root_login"] != false {
				t.Errorf("attributes %v", r.Attributes)
			}
			return nil
		})
		if err != nil || strings.Join(ids, ",") != "a,b" {
			t.Fatalf("resources %v, %v", ids, err)
		}
		if err := db.FinishRun(ctx, org, next, attest.RunFailed, "malformed answer"); err != nil {
			t.Fatal(err)
		}
		// The next good run removes what the killed one left.
		third, err := db.StartRun(ctx, org, in.ID, "test", "proc-b", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ReplaceResources(ctx, org, in.ID, third.ID, rs[:1]); err != nil {
			t.Fatal(err)
		}
		var stored int
		db.db.QueryRowContext(ctx, db.q(`SELECT count(*) FROM resources WHERE org_id = ? AND integration_id = ?`), org, in.ID).Scan(&stored)
		if types, _ := db.ResourceTypes(ctx, org); types["linux.host"] != 1 || stored != 1 {
			t.Errorf("after the next run: %v current, %d rows stored; want 1 and 1", types, stored)
		}
		db.FinishRun(ctx, org, third, attest.RunSucceeded, "")
		due, err := db.DueIntegrations(ctx, now.Add(2*time.Minute+time.Hour))
		if err != nil || len(due) != 1 || due[0].ID != in.ID {
			t.Fatalf("due %v, %v", due, err)
		}
	})
}

func TestResultsAsStateChanges(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		alice, bob := member(t, db, org, "Alice"), member(t, db, org, "Bob")
		check := &attest.MonitoredCheck{ID: "ssh-root", Title: "No root login", Severity: "high", Controls: []string{"SEC-01"}, Window: 72 * time.Hour}
		res := func(statuses ...attest.CheckStatus) *CheckRun {
			cr := &CheckRun{Checks: []*attest.MonitoredCheck{check}}
			for i, st := range statuses {
				cr.Results = append(cr.Results, &attest.CheckResult{CheckID: "ssh-root", ResourceType: "linux.host", ResourceID: string(rune('a' + i)), Status: st})
			}
			return cr
		}
		start := clock(db, time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
		steps := []struct {
			name      string
			run       *CheckRun
			changes   int
			failures  int
			open, all int
		}{
			{"first run", res(attest.CheckPass, attest.CheckPass, attest.CheckFail), 3, 1, 3, 3},
			{"identical run changes nothing", res(attest.CheckPass, attest.CheckPass, attest.CheckFail), 0, 0, 3, 3},
			{"b turns to fail", res(attest.CheckPass, attest.CheckFail, attest.CheckFail), 1, 1, 3, 4},
			{"c is gone", res(attest.CheckPass, attest.CheckFail), 1, 0, 2, 4},
		}
		for i, st := range steps {
			clock(db, start.Add(time.Duration(i)*time.Hour))
			out, err := db.RecordResults(ctx, org, st.run)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if out.Changes != st.changes || len(out.NewFailures["ssh-root"]) != st.failures {
				t.Errorf("%s: %d changes, %d new failures; want %d, %d", st.name, out.Changes, len(out.NewFailures["ssh-root"]), st.changes, st.failures)
			}
			_, open, _ := db.FindResults(ctx, org, attest.ResultFilter{CheckID: "ssh-root", OpenOnly: true})
			_, all, _ := db.FindResults(ctx, org, attest.ResultFilter{CheckID: "ssh-root"})
			if open != st.open || all != st.all {
				t.Errorf("%s: %d open of %d rows; want %d of %d", st.name, open, all, st.open, st.all)
			}
		}
		c, err := db.FindCheck(ctx, org, "ssh-root")
		if err != nil || c.Pass != 1 || c.Fail != 1 || c.Status() != "fail" || strings.Join(c.Controls, ",") != "SEC-01" {
			t.Fatalf("check %+v, %v", c, err)
		}
		// Within the window there is no deviation; past it there is.
		if devs, _ := db.ControlDeviations(ctx, db.db, org, start, start.Add(4*time.Hour)); len(devs) != 0 {
			t.Errorf("deviations within the window: %v", devs)
		}
		if devs, _ := db.ControlDeviations(ctx, db.db, org, start, start.Add(80*time.Hour)); strings.Join(devs["SEC-01"], ",") != "ssh-root" {
			t.Errorf("deviations past the window: %v", devs)
		}
		// An exception: the approver must be someone else; the result keeps
		// its status, marked excepted, and lapses on its expiry.
		now := clock(db, start.Add(5*time.Hour))
		exc := &attest.CheckException{CheckID: "ssh-root", ResourceID: "b", Reason: "legacy host, retired next month", RequesterID: alice, ApproverID: alice, Expires: attest.DateOf(now).AddDays(10)}
		wantCode(t, db.CreateException(ctx, org, exc), attest.EINVALID)
		exc.ApproverID = bob
		if err := db.CreateException(ctx, org, exc); err != nil {
			t.Fatal(err)
		}
		open, _, _ := db.FindResults(ctx, org, attest.ResultFilter{CheckID: "ssh-root", OpenOnly: true, Status: "fail"})
		if len(open) != 1 || !open[0].Excepted || open[0].Status != attest.CheckFail {
			t.Fatalf("excepted result %+v", open)
		}
		if devs, _ := db.ControlDeviations(ctx, db.db, org, now, start.Add(80*time.Hour)); len(devs) != 0 {
			t.Errorf("an excepted failure counts as a deviation: %v", devs)
		}
		if out, _ := db.RecordResults(ctx, org, res(attest.CheckPass, attest.CheckFail)); out.Changes != 0 {
			t.Errorf("a run under the exception changed %d results", out.Changes)
		}
		clock(db, now.Add(11*24*time.Hour))
		if out, _ := db.RecordResults(ctx, org, res(attest.CheckPass, attest.CheckFail)); out.Changes != 1 || len(out.NewFailures["ssh-root"]) != 0 {
			t.Errorf("lapse: %+v", out)
		}
		log, _ := db.FindAuditLog(ctx, org, attest.AuditFilter{})
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Action)
		}
		for _, a := range []string{"exception.create", "exception.lapse", "checks.results"} {
			if !strings.Contains(strings.Join(actions, " "), a) {
				t.Errorf("audit log %v lacks %s", actions, a)
			}
		}
	})
}
