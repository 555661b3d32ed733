package auditpack

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// Names of the monitoring records.
const (
	ChecksName     = "monitoring/checks.csv"
	ResultsName    = "monitoring/results.csv"
	TimelinesName  = "monitoring/timelines.json"
	ExceptionsName = "monitoring/exceptions.csv"
)

// MonitoringSource is what the monitoring records are read from; a
// source without it (no checks have run) adds none.
type MonitoringSource interface {
	FindChecks(ctx context.Context, orgID int64, f attest.CheckFilter) ([]*attest.MonitoredCheck, int, error)
	ResultsBetween(ctx context.Context, orgID int64, checkID string, from, to time.Time) ([]*attest.CheckResult, error)
	FindExceptions(ctx context.Context, orgID int64, checkID string) ([]*attest.CheckException, error)
}

// monitoring adds the automated checks as evidence of operation over the
// engagement's period: each check's result intervals (state changes, with
// the original status of excepted results beside the mark), a timeline per
// control and check (days passed, failing within the remediation window,
// deviations), and the exceptions with requester, approver and expiry.
func (r *records) monitoring(e *attest.Engagement) error {
	src, ok := r.src.(MonitoringSource)
	if !ok {
		return nil
	}
	checks, _, err := src.FindChecks(r.ctx, r.org, attest.CheckFilter{Limit: 1000})
	if err != nil || len(checks) == 0 {
		return err
	}
	from, to := attest.EngagementPeriod(e)
	end := to.Time().Add(24 * time.Hour)
	if at := r.at; at.Before(end) {
		end = at
	}
	results := map[string][]*attest.CheckResult{}
	for _, c := range checks {
		if results[c.ID], err = src.ResultsBetween(r.ctx, r.org, c.ID, from.Time(), end); err != nil {
			return err
		}
	}
	type line struct {
		Check      string  `json:"check"`
		Title      string  `json:"title"`
		From       string  `json:"from"`
		To         string  `json:"to"`
		Observed   int     `json:"days_observed"`
		Passed     float64 `json:"passed_percent"`
		Deviations int     `json:"days_with_deviation"`
		Days       string  `json:"days"`
	}
	byControl := map[string][]line{}
	for _, c := range checks {
		tl := attest.BuildTimeline(c, results[c.ID], from, to, r.at)
		var days strings.Builder
		for _, d := range tl.Days {
			days.WriteByte(".PFD"[d]) // none, pass, fail within window, deviation
		}
		for _, ctl := range c.Controls {
			byControl[ctl] = append(byControl[ctl], line{c.ID, c.Title, string(from), string(to), tl.Observed, tl.Passed, tl.Deviations, days.String()})
		}
	}
	if err := r.add(TimelinesName, "automated checks per control over the period, a letter a day (P passed, F failing within the remediation window, D deviation, . no result) (JSON)", func(w io.Writer) error {
		return writeJSON(w, byControl)
	}); err != nil {
		return err
	}
	if err := r.add(ChecksName, "the automated checks with their controls, severity and latest counts (CSV)", func(w io.Writer) error {
		rows := [][]string{}
		for _, c := range checks {
			last := ""
			if c.LastRunAt != nil {
				last = c.LastRunAt.UTC().Format(time.RFC3339)
			}
			rows = append(rows, []string{c.ID, c.Title, c.Severity, strings.Join(c.Controls, " "), c.Status(), strconv.Itoa(c.Fail), strconv.Itoa(c.Excepted), strconv.Itoa(c.Pass), last})
		}
		return writeCSV(w, []string{"check", "title", "severity", "controls", "status", "failing", "excepted", "passing", "last_run"}, rows)
	}); err != nil {
		return err
	}
	if err := r.add(ResultsName, "every check result over the period as state changes: status, reason, whether excepted, since, until, remediation deadline and deviation (CSV)", func(w io.Writer) error {
		rows := [][]string{}
		ts := func(t *time.Time) string {
			if t == nil {
				return ""
			}
			return t.UTC().Format(time.RFC3339)
		}
		for _, c := range checks {
			for _, x := range results[c.ID] {
				rows = append(rows, []string{c.ID, strings.Join(c.Controls, " "), x.ResourceType, x.ResourceID, x.ResourceName, string(x.Status),
					strconv.FormatBool(x.Excepted), x.Reason, ts(&x.Since), ts(x.Until), ts(x.Deadline), strconv.FormatBool(x.Deviation(r.at))})
			}
		}
		return writeCSV(w, []string{"check", "controls", "resource_type", "resource", "resource_name", "status", "excepted", "reason", "since", "until", "deadline", "deviation"}, rows)
	}); err != nil {
		return err
	}
	es, err := src.FindExceptions(r.ctx, r.org, "")
	if err != nil {
		return err
	}
	return r.add(ExceptionsName, "exceptions to checks: resource, reason, requester, approver and expiry (CSV)", func(w io.Writer) error {
		rows := [][]string{}
		for _, x := range es {
			rows = append(rows, []string{x.CheckID, x.ResourceType, x.ResourceID, x.Reason, x.Requester.Display(), x.Approver.Display(), string(x.Expires), x.CreatedAt.UTC().Format(time.RFC3339)})
		}
		return writeCSV(w, []string{"check", "resource_type", "resource", "reason", "requested_by", "approved_by", "expires", "recorded_at"}, rows)
	})
}
