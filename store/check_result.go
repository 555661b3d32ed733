package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// CheckRun is what one evaluation of checks produced, for RecordResults:
// the checks evaluated (all their results are in Results) and their rows.
type CheckRun struct {
	// Run is the integration run that caused the evaluation (nil for an
	// evaluation over stored resources alone, such as `attest check run`).
	Run     *attest.IntegrationRun
	Checks  []*attest.MonitoredCheck
	Results []*attest.CheckResult
	// Integrations names the integrations by ID, for the monitoring page.
	Integrations map[int64]string
}

// RecordOutcome is what RecordResults changed.
type RecordOutcome struct {
	// Changes counts the results that opened a new interval.
	Changes int
	// NewFailures are the results that turned to fail (from pass, error,
	// skip, or a resource seen for the first time), by check.
	NewFailures map[string][]*attest.CheckResult
}

// resultBatch is how many changes one transaction writes: a run over
// 100,000 resources writes in a few dozen short transactions, so pages
// and other writers are never held up long.
const resultBatch = 2000

type openResult struct {
	id       int64
	check    string
	status   attest.CheckStatus
	reason   string
	excepted bool
	since    time.Time
	deadline sql.NullTime
}

// RecordResults stores an evaluation's results as state changes: a result
// identical to the open one changes nothing; a different one closes the
// open interval and opens a new one (in the same transaction, so every
// resource always has exactly one open result even if the process dies
// between batches); an open result whose resource was not seen is closed.
// Each check's counts are then updated and the run is recorded in the audit
// log, which marks readiness stale so it is derived again.
func (s *DB) RecordResults(ctx context.Context, orgID int64, cr *CheckRun) (*RecordOutcome, error) {
	now := s.now()
	today := attest.DateOf(now)
	windows := map[string]time.Duration{}
	ids := make([]any, 0, len(cr.Checks))
	for _, c := range cr.Checks {
		windows[c.ID] = c.Window
		ids = append(ids, c.ID)
	}
	out := &RecordOutcome{NewFailures: map[string][]*attest.CheckResult{}}
	if len(ids) == 0 {
		return out, nil
	}
	exc, err := s.activeExceptions(ctx, orgID, today)
	if err != nil {
		return nil, err
	}
	open, err := s.openResults(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	// The days since each check's previous run, from its open results
	// as they stood (or from its whole history, once, if its days were
	// never kept); today's state is added from this run's counts below.
	prev, err := s.checkRunStates(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	days := map[string]checkDayAcc{}
	openBy := map[string][]openResult{}
	for _, o := range open {
		openBy[o.check] = append(openBy[o.check], o)
	}
	for _, c := range cr.Checks {
		acc := checkDayAcc{}
		days[c.ID] = acc
		switch st, ok := prev[c.ID]; {
		case ok && !st.built:
			if err := s.rebuildDays(ctx, orgID, c, acc, now); err != nil {
				return nil, err
			}
		case ok && st.lastRun != nil:
			gapDays(acc, *st.lastRun, openBy[c.ID], now)
		}
	}
	firstDeadline := map[string]*time.Time{}
	noteDeadline := func(check string, d time.Time) {
		if f := firstDeadline[check]; f == nil || d.Before(*f) {
			firstDeadline[check] = &d
		}
	}
	var closes []any
	var inserts []*attest.CheckResult
	flush := func(final func(tx *sql.Tx) error) error {
		body := func(tx *sql.Tx) error {
			for len(closes) > 0 {
				n := min(len(closes), 500)
				// By primary key: the unary + keeps SQLite's planner, which
				// has no statistics, from choosing an index on org_id and
				// scanning every result of the organization per batch.
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE check_results SET until = ? WHERE +org_id = ? AND id IN (`+placeholders(n)+`)`), append([]any{now, orgID}, closes[:n]...)...); err != nil {
					return fmt.Errorf("close results: %w", err)
				}
				closes = closes[n:]
			}
			for len(inserts) > 0 {
				n := min(len(inserts), 300)
				args := make([]any, 0, n*12)
				for _, r := range inserts[:n] {
					args = append(args, orgID, r.CheckID, r.ResourceType, r.ResourceID, r.ResourceName, nullInt(r.IntegrationID), r.Status, r.Reason, r.Excepted, r.Since, nullTime(nil), nullTime(r.Deadline))
				}
				if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO check_results (org_id, check_id, resource_type, resource_id, resource_name, integration_id, status, reason, excepted, since, until, deadline) VALUES `+rowsOf(n, 12)), args...); err != nil {
					return fmt.Errorf("insert results: %w", err)
				}
				inserts = inserts[n:]
			}
			if final != nil {
				return final(tx)
			}
			return nil
		}
		if final != nil {
			return s.change(ctx, orgID, body)
		}
		t0 := time.Now()
		if err := s.tx(ctx, body); err != nil {
			return err
		}
		return s.pace(ctx, time.Since(t0))
	}
	counts := map[string]*attest.MonitoredCheck{}
	for _, c := range cr.Checks {
		cp := *c
		cp.Pass, cp.Fail, cp.Error, cp.Skip, cp.Excepted, cp.Deviations = 0, 0, 0, 0, 0, 0
		cp.LastRunAt = &now
		counts[c.ID] = &cp
	}
	for _, r := range cr.Results {
		c := counts[r.CheckID]
		if c == nil {
			continue
		}
		r.Excepted = r.Status == attest.CheckFail && (exc[excKey{r.CheckID, r.ResourceID}] || exc[excKey{r.CheckID, "*"}])
		k := resultKey{r.CheckID, r.ResourceType, r.ResourceID}
		o, had := open[k]
		delete(open, k)
		switch {
		case r.Excepted:
			c.Excepted++
		case r.Status == attest.CheckPass:
			c.Pass++
		case r.Status == attest.CheckFail:
			c.Fail++
		case r.Status == attest.CheckError:
			c.Error++
		default:
			c.Skip++
		}
		if had && o.status == r.Status && o.reason == r.Reason && o.excepted == r.Excepted {
			if r.Status == attest.CheckFail && !r.Excepted && o.deadline.Valid {
				noteDeadline(r.CheckID, o.deadline.Time)
				if now.After(o.deadline.Time) {
					c.Deviations++
				}
			}
			continue
		}
		r.Since = now
		if r.Status == attest.CheckFail {
			d := now.Add(windows[r.CheckID])
			if had && o.status == attest.CheckFail && o.deadline.Valid {
				d = o.deadline.Time // the same failure, reworded or excepted: its window does not restart
			} else {
				out.NewFailures[r.CheckID] = append(out.NewFailures[r.CheckID], r)
			}
			r.Deadline = &d
			if !r.Excepted {
				noteDeadline(r.CheckID, d)
				if now.After(d) {
					c.Deviations++
				}
			}
		}
		if had {
			closes = append(closes, o.id)
		}
		inserts = append(inserts, r)
		out.Changes++
		if len(inserts) >= resultBatch {
			if err := flush(nil); err != nil {
				return nil, err
			}
		}
	}
	for _, o := range open { // resources gone, or no longer selected
		closes = append(closes, o.id)
		out.Changes++
		if len(closes) >= resultBatch { // the last transaction stays short
			if err := flush(nil); err != nil {
				return nil, err
			}
		}
	}
	// The integrations each check read, worked out before the last
	// transaction so that it stays short.
	names := map[string]map[string]string{}
	for _, r := range cr.Results {
		if n := cr.Integrations[r.IntegrationID]; n != "" {
			if names[r.CheckID] == nil {
				names[r.CheckID] = map[string]string{}
			}
			names[r.CheckID][n] = n
		}
	}
	for id, c := range counts {
		c.Integrations = sortedKeys(names[id])
		st := attest.DayNone
		switch {
		case c.Deviations > 0:
			st = attest.DayDeviation
		case c.Fail > 0:
			st = attest.DayFail
		case c.Pass+c.Error+c.Skip+c.Excepted > 0:
			st = attest.DayPass
		}
		if st != attest.DayNone {
			days[id].mark(today, st)
			days[id].ran(today)
		}
	}
	err = flush(func(tx *sql.Tx) error {
		if err := s.lapseExceptions(ctx, tx, orgID, today); err != nil {
			return err
		}
		for _, c := range counts {
			if err := s.saveMonitoredCheck(ctx, tx, orgID, c, cr); err != nil {
				return err
			}
		}
		if err := s.saveDays(ctx, tx, orgID, days, firstDeadline); err != nil {
			return err
		}
		entity, id := "checks", "run"
		summary := map[string]any{"checks": len(cr.Checks), "results": len(cr.Results), "changes": out.Changes}
		if cr.Run != nil {
			entity, id = "integration", strconv.FormatInt(cr.Run.IntegrationID, 10)
			summary["run"] = cr.Run.ID
		}
		return s.appendAudit(ctx, tx, orgID, "checks.results", entity, id, nil, summary)
	})
	if err != nil {
		return nil, fmt.Errorf("record results: %w", err)
	}
	return out, nil
}

// resultKey identifies a check's result on one resource; a struct, not
// a joined string, so a run over 100,000 resources builds no key strings.
type resultKey struct{ check, typ, id string }

type excKey struct{ check, resource string }

// openResults reads the open result of every resource for the checks.
func (s *DB) openResults(ctx context.Context, orgID int64, checkIDs []any) (map[resultKey]openResult, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, check_id, resource_type, resource_id, status, reason, excepted, since, deadline FROM check_results WHERE org_id = ? AND until IS NULL AND check_id IN (`+placeholders(len(checkIDs))+`)`),
		append([]any{orgID}, checkIDs...)...)
	if err != nil {
		return nil, fmt.Errorf("read open results: %w", err)
	}
	defer rows.Close()
	out := map[resultKey]openResult{}
	for rows.Next() {
		var o openResult
		var check, typ, rid string
		if err := rows.Scan(&o.id, &check, &typ, &rid, &o.status, &o.reason, &o.excepted, &o.since, &o.deadline); err != nil {
			return nil, fmt.Errorf("read open results: %w", err)
		}
		o.check = check
		out[resultKey{check, typ, rid}] = o
	}
	return out, rows.Err()
}

// activeExceptions returns the exceptions in force today, by check and
// resource.
func (s *DB) activeExceptions(ctx context.Context, orgID int64, today attest.Date) (map[excKey]bool, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT check_id, resource_id FROM check_exceptions WHERE org_id = ? AND expires > ?`), orgID, today)
	if err != nil {
		return nil, fmt.Errorf("read exceptions: %w", err)
	}
	defer rows.Close()
	out := map[excKey]bool{}
	for rows.Next() {
		var k excKey
		if err := rows.Scan(&k.check, &k.resource); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}

// saveMonitoredCheck writes a check's definition and latest counts, and
// the controls it tests.
func (s *DB) saveMonitoredCheck(ctx context.Context, tx *sql.Tx, orgID int64, c *attest.MonitoredCheck, cr *CheckRun) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO monitor_checks (org_id, check_id, title, description, severity, remediation, window_seconds, integrations, pass, fail, error, skip, excepted, last_run_at) VALUES (`+placeholders(14)+`)
		ON CONFLICT (org_id, check_id) DO UPDATE SET title = excluded.title, description = excluded.description, severity = excluded.severity, remediation = excluded.remediation,
		window_seconds = excluded.window_seconds, integrations = excluded.integrations, pass = excluded.pass, fail = excluded.fail, error = excluded.error, skip = excluded.skip, excepted = excluded.excepted, last_run_at = excluded.last_run_at`),
		orgID, c.ID, c.Title, c.Description, c.Severity, c.Remediation, int64(c.Window/time.Second), jsonText(c.Integrations), c.Pass, c.Fail, c.Error, c.Skip, c.Excepted, c.LastRunAt)
	if err != nil {
		return fmt.Errorf("save check %s: %w", c.ID, err)
	}
	if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM check_controls WHERE org_id = ? AND check_id = ?`), orgID, c.ID); err != nil {
		return err
	}
	for _, ctl := range c.Controls {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO check_controls (org_id, check_id, control_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), orgID, c.ID, strings.TrimSpace(ctl)); err != nil {
			return err
		}
	}
	if cr.Run != nil {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO check_integrations (org_id, check_id, integration_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`), orgID, c.ID, cr.Run.IntegrationID); err != nil {
			return err
		}
	}
	return nil
}
