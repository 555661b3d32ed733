package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/internal/synth"
	"github.com/attest-dev/attest/jobs"
	"github.com/attest-dev/attest/store"
)

// The demo's systems cannot be reached from here, so its integrations'
// runs store recorded snapshots: a synthetic organization (internal/synth)
// in two states, each resource switching to its second state for a few
// days at a time, so history shows failures fixed within their window and
// some left open past it. The built-in checks evaluate every run.

// demoIntegration is one demo integration and the resource types it owns.
type demoIntegration struct {
	prefix, kind, name string
	settings           map[string]string
}

var demoIntegrations = []demoIntegration{
	{"aws.", "aws", "aws-production", map[string]string{"region": "eu-west-1"}},
	{"git.", "gitlocal", "app-repositories", map[string]string{"path": "/srv/git"}},
	{"github.", "github", "github-northwind", map[string]string{"organization": "northwind"}},
	{"hr.", "hrroster", "hr-roster", map[string]string{"file": "/srv/hr/roster.csv"}},
	{"idp.", "okta", "okta", map[string]string{"domain": "northwind.okta.com"}},
	{"ldap.", "ldap", "directory", map[string]string{"url": "ldaps://ldap.northwind.example"}},
	{"linux.", "agent", "linux-fleet", map[string]string{"host": "fleet"}},
	{"mysql.", "mysql", "mysql-billing", map[string]string{"host": "billing-db.internal"}},
	{"postgres.", "postgres", "postgres-main", map[string]string{"host": "main-db.internal"}},
}

// monitoringDays is how many days of daily runs the demo records.
const monitoringDays = 21

// monitoringSize is the synthetic organization's size in resources.
const monitoringSize = 400

// loadMonitoring adds the demo's integrations with their run history and
// check results, and an exception approved by someone other than its
// requester.
func loadMonitoring(ctx context.Context, db *store.DB, orgID int64, today time.Time, requester, approver *attest.User) error {
	checks, err := check.Builtin()
	if err != nil {
		return err
	}
	stateA, stateB := synth.Resources(monitoringSize, 1), synth.Resources(monitoringSize, 2)
	saved := db.Now
	defer func() { db.Now = saved }()
	runner := &jobs.Runner{DB: db, Checks: jobs.FromChecks(checks), Owner: "demo"}
	ins := make([]*attest.Integration, len(demoIntegrations))
	for i, d := range demoIntegrations {
		ins[i] = &attest.Integration{Kind: d.kind, Name: d.name, Settings: d.settings, Every: time.Hour}
		if d.kind == "agent" {
			ins[i].Every = 0
		}
		if err := db.CreateIntegration(ctx, orgID, ins[i]); err != nil {
			return fmt.Errorf("demo integration %s: %w", d.name, err)
		}
	}
	start := today.UTC().Truncate(24*time.Hour).AddDate(0, 0, -monitoringDays)
	for day := 0; day <= monitoringDays; day++ {
		for i, d := range demoIntegrations {
			at := start.AddDate(0, 0, day).Add(time.Duration(2+i) * time.Hour)
			if at.After(today) {
				at = today.Add(-time.Duration(len(demoIntegrations)-i) * time.Minute)
			}
			db.Now = func() time.Time { return at }
			if d.kind == "aws" && day == monitoringDays/2 {
				// One collection that failed: the last good state stays.
				run, err := db.StartRun(ctx, orgID, ins[i].ID, "schedule", "demo", time.Minute)
				if err != nil {
					return err
				}
				db.Now = func() time.Time { return at.Add(41 * time.Second) }
				if err := db.FinishRun(ctx, orgID, run, attest.RunFailed, "collection failed: the AWS API answered 503 Service Unavailable three times; the last good resources were kept"); err != nil {
					return err
				}
				continue
			}
			rs := snapshotOn(day, d.prefix, stateA, stateB, at)
			if _, err := runner.Ingest(ctx, orgID, ins[i], "schedule", rs); err != nil {
				return fmt.Errorf("demo run of %s: %w", d.name, err)
			}
		}
	}
	db.Now = func() time.Time { return today }
	return demoException(ctx, db, orgID, today, requester, approver)
}

// snapshotOn is what an integration saw on a day: each resource in its
// first state but during a stretch of days set by its ID.
func snapshotOn(day int, prefix string, a, b []collect.Resource, at time.Time) []collect.Resource {
	var out []collect.Resource
	for i, r := range a {
		if !strings.HasPrefix(r.Type, prefix) {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(r.Type + r.ID))
		v := h.Sum32()
		from, length := int(v%uint32(monitoringDays+10)), 1+int(v/97%9)
		if day >= from && day < from+length && i < len(b) && b[i].ID == r.ID {
			r = b[i]
		}
		r.CollectedAt = at
		out = append(out, r)
	}
	return out
}

// demoException excepts one failing resource of the first failing check.
func demoException(ctx context.Context, db *store.DB, orgID int64, today time.Time, requester, approver *attest.User) error {
	if requester == nil || approver == nil {
		return nil
	}
	cs, _, err := db.FindChecks(ctx, orgID, attest.CheckFilter{Status: "fail", Limit: 100})
	if err != nil {
		return err
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].ID < cs[j].ID })
	for _, c := range cs {
		rs, _, err := db.FindResults(ctx, orgID, attest.ResultFilter{CheckID: c.ID, Status: "fail", OpenOnly: true, Limit: 1})
		if err != nil || len(rs) == 0 {
			continue
		}
		e := &attest.CheckException{CheckID: c.ID, ResourceType: rs[0].ResourceType, ResourceID: rs[0].ResourceID,
			Reason:      "Being decommissioned at the end of the quarter; access is limited to the on-call group until then.",
			RequesterID: requester.ID, ApproverID: approver.ID, Expires: attest.DateOf(today).AddDays(45)}
		return db.CreateException(ctx, orgID, e)
	}
	return nil
}
