package auditpack

import (
	"context"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// Names of the monitoring records.
const (
	ChecksName  = "monitoring/checks.csv"
	ResultsName = "monitoring/results.csv"
	// TimelinesDir holds one file per control tested by checks:
	// monitoring/timelines/<control>.json.
	TimelinesDir   = "monitoring/timelines/"
	ExceptionsName = "monitoring/exceptions.csv"
)

// MonitoringSource is what the monitoring records are read from; a
// source without it (no checks have run) adds none.
type MonitoringSource interface {
	FindChecks(ctx context.Context, orgID int64, f attest.CheckFilter) ([]*attest.MonitoredCheck, int, error)
	ResultsBetween(ctx context.Context, orgID int64, checkID string, from, to time.Time) ([]*attest.CheckResult, error)
	FindExceptions(ctx context.Context, orgID int64, checkID string) ([]*attest.CheckException, error)
	CheckTimelines(ctx context.Context, orgID int64, checks []*attest.MonitoredCheck, from, to attest.Date) (map[string]*attest.Timeline, error)
}

// monitoring adds the automated checks as evidence of operation over the
// engagement's period: each check's result intervals (state changes, with
// the original status of excepted results beside the mark), a timeline per
// control and check (days passed, failing within the remediation window,
// deviations) with the slots of the control's automated evidence needs
// that they cover, and the exceptions with requester, approver and expiry.
// Every file is listed in the manifest, so `attest verify` checks them.
func (r *records) monitoring(e *attest.Engagement, reqs []*attest.EvidenceRequest) error {
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
	tls, err := src.CheckTimelines(r.ctx, r.org, checks, from, to)
	if err != nil {
		return err
	}
	if err := r.controlTimelines(checks, tls, reqs, from, to); err != nil {
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

// timelineLine is one check's timeline in a control's file.
type timelineLine struct {
	Check      string  `json:"check"`
	Title      string  `json:"title"`
	Observed   int     `json:"days_observed"`
	Passed     float64 `json:"passed_percent"`
	Deviations int     `json:"days_with_deviation"`
	// Days is a letter a day from the period's start: P passed, F failing
	// within the remediation window, D deviation, . no result.
	Days string `json:"days"`
}

// slotLine is one slot of an automated evidence need.
type slotLine struct {
	Start  attest.Date      `json:"start"`
	End    attest.Date      `json:"end"`
	State  attest.SlotState `json:"state"`
	Checks []string         `json:"checks,omitempty"`
	// Evidence counts the manual items that also cover the slot.
	Evidence int `json:"evidence,omitempty"`
}

// needLine is an automated evidence need of the control with its slots.
type needLine struct {
	Need      int              `json:"need"`
	What      string           `json:"what"`
	Frequency attest.Frequency `json:"frequency"`
	Slots     []slotLine       `json:"slots"`
}

// controlTimeline is the file of one control.
type controlTimeline struct {
	Control string         `json:"control"`
	From    attest.Date    `json:"from"`
	To      attest.Date    `json:"to"`
	Checks  []timelineLine `json:"checks"`
	Needs   []needLine     `json:"automated_needs"`
}

// controlTimelines writes monitoring/timelines/<control>.json for every
// control that checks test.
func (r *records) controlTimelines(checks []*attest.MonitoredCheck, tls map[string]*attest.Timeline, reqs []*attest.EvidenceRequest, from, to attest.Date) error {
	byControl := map[string]*controlTimeline{}
	var order []string
	for _, c := range checks {
		tl := tls[c.ID]
		if tl == nil {
			continue
		}
		var days strings.Builder
		for _, d := range tl.Days {
			days.WriteByte(".PFD"[d])
		}
		for _, ctl := range c.Controls {
			ct := byControl[ctl]
			if ct == nil {
				ct = &controlTimeline{Control: ctl, From: from, To: to, Needs: []needLine{}}
				byControl[ctl] = ct
				order = append(order, ctl)
			}
			ct.Checks = append(ct.Checks, timelineLine{c.ID, c.Title, tl.Observed, tl.Passed, tl.Deviations, days.String()})
		}
	}
	for _, rq := range reqs {
		ct := byControl[rq.ControlID]
		if ct == nil {
			continue
		}
		automated := false
		n := needLine{Need: rq.Need, What: rq.What, Frequency: rq.Frequency}
		for _, sl := range rq.Slots {
			automated = automated || len(sl.Checks) > 0
			n.Slots = append(n.Slots, slotLine{sl.Start, sl.End, sl.State, sl.Checks, len(sl.Evidence)})
		}
		if automated {
			ct.Needs = append(ct.Needs, n)
		}
	}
	sort.Strings(order)
	for _, ctl := range order {
		ct := byControl[ctl]
		about := "automated checks of control " + ctl + " over the period, a letter a day (P passed, F failing within the remediation window, D deviation, . no result), and the slots of its automated evidence needs they cover (JSON)"
		if err := r.add(TimelinesDir+fileSafe(ctl)+".json", about, func(w io.Writer) error {
			return writeJSON(w, ct)
		}); err != nil {
			return err
		}
	}
	return nil
}

// fileSafe keeps a control ID usable as a file name on every system.
func fileSafe(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, strings.Trim(id, "."))
}
