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

var _ attest.MonitoringService = (*DB)(nil)

const checkColumns = `m.check_id, m.title, m.description, m.severity, m.remediation, m.window_seconds, m.integrations, m.pass, m.fail, m.error, m.skip, m.excepted, m.last_run_at, m.task_id`

func scanCheck(row rowScanner) (*attest.MonitoredCheck, error) {
	c := &attest.MonitoredCheck{}
	var window int64
	var integrations string
	var last sql.NullTime
	var task sql.NullInt64
	if err := row.Scan(&c.ID, &c.Title, &c.Description, &c.Severity, &c.Remediation, &window, &integrations, &c.Pass, &c.Fail, &c.Error, &c.Skip, &c.Excepted, &last, &task); err != nil {
		return nil, err
	}
	c.Window = time.Duration(window) * time.Second
	c.Integrations = []string{}
	if last.Valid {
		t := last.Time.UTC()
		c.LastRunAt = &t
	}
	c.TaskID = task.Int64
	return c, fromJSON(integrations, &c.Integrations)
}

// checkStatusWhere is the SQL of each summary status of a check.
var checkStatusWhere = map[string]string{
	"fail": "m.fail > 0", "error": "m.fail = 0 AND m.error > 0", "pass": "m.fail = 0 AND m.error = 0",
}

// FindChecks returns a page of the checks matching f, failing and most
// severe first, and how many match.
func (s *DB) FindChecks(ctx context.Context, orgID int64, f attest.CheckFilter) ([]*attest.MonitoredCheck, int, error) {
	where, args := `m.org_id = ?`, []any{orgID}
	if f.Severity != "" {
		where += ` AND m.severity = ?`
		args = append(args, f.Severity)
	}
	if w, ok := checkStatusWhere[f.Status]; ok {
		where += ` AND ` + w
	}
	if f.Control != "" {
		where += ` AND EXISTS (SELECT 1 FROM check_controls cc WHERE cc.org_id = m.org_id AND cc.check_id = m.check_id AND cc.control_id = ?)`
		args = append(args, f.Control)
	}
	if f.Integration != "" {
		where += ` AND EXISTS (SELECT 1 FROM check_integrations ci JOIN integrations i ON i.id = ci.integration_id WHERE ci.org_id = m.org_id AND ci.check_id = m.check_id AND i.name = ?)`
		args = append(args, f.Integration)
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		where += ` AND (LOWER(m.title) LIKE ? ESCAPE '\' OR LOWER(m.check_id) LIKE ? ESCAPE '\')`
		args = append(args, likePattern(q), likePattern(q))
	}
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT count(*) FROM monitor_checks m WHERE `+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count checks: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	order := `CASE WHEN m.fail > 0 THEN 0 WHEN m.error > 0 THEN 1 ELSE 2 END, CASE m.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END, m.check_id`
	cs, err := queryAll(ctx, s.db, "find checks", scanCheck, s.q(`SELECT `+checkColumns+` FROM monitor_checks m WHERE `+where+` ORDER BY `+order+` LIMIT ? OFFSET ?`), append(args, limit, max(f.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	return cs, total, s.fillCheckControls(ctx, orgID, cs)
}

func (s *DB) fillCheckControls(ctx context.Context, orgID int64, cs []*attest.MonitoredCheck) error {
	if len(cs) == 0 {
		return nil
	}
	by := map[string]*attest.MonitoredCheck{}
	args := []any{orgID}
	for _, c := range cs {
		c.Controls = []string{}
		by[c.ID] = c
		args = append(args, c.ID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT check_id, control_id FROM check_controls WHERE org_id = ? AND check_id IN (`+placeholders(len(cs))+`) ORDER BY control_id`), args...)
	if err != nil {
		return fmt.Errorf("find check controls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var check, ctl string
		if err := rows.Scan(&check, &ctl); err != nil {
			return err
		}
		by[check].Controls = append(by[check].Controls, ctl)
	}
	return rows.Err()
}

// FindCheck returns one check that has run, or ENOTFOUND.
func (s *DB) FindCheck(ctx context.Context, orgID int64, id string) (*attest.MonitoredCheck, error) {
	cs, err := queryAll(ctx, s.db, "find check", scanCheck, s.q(`SELECT `+checkColumns+` FROM monitor_checks m WHERE m.org_id = ? AND m.check_id = ?`), orgID, id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, attest.Errorf(attest.ENOTFOUND, "no check %q has run", id)
	}
	return cs[0], s.fillCheckControls(ctx, orgID, cs)
}

// FindChecksOfControl returns the checks that test a control.
func (s *DB) FindChecksOfControl(ctx context.Context, orgID int64, controlID string) ([]*attest.MonitoredCheck, error) {
	cs, _, err := s.FindChecks(ctx, orgID, attest.CheckFilter{Control: controlID, Limit: 1000})
	return cs, err
}

const resultColumns = `id, check_id, resource_type, resource_id, resource_name, integration_id, status, reason, excepted, since, until, deadline`

func scanResult(row rowScanner) (*attest.CheckResult, error) {
	r := &attest.CheckResult{}
	var in sql.NullInt64
	var until, deadline sql.NullTime
	if err := row.Scan(&r.ID, &r.CheckID, &r.ResourceType, &r.ResourceID, &r.ResourceName, &in, &r.Status, &r.Reason, &r.Excepted, &r.Since, &until, &deadline); err != nil {
		return nil, err
	}
	r.IntegrationID, r.Since = in.Int64, r.Since.UTC()
	if until.Valid {
		t := until.Time.UTC()
		r.Until = &t
	}
	if deadline.Valid {
		t := deadline.Time.UTC()
		r.Deadline = &t
	}
	return r, nil
}

// FindResults returns a page of result intervals, open ones first (failing
// first), then closed ones newest first, and how many match.
func (s *DB) FindResults(ctx context.Context, orgID int64, f attest.ResultFilter) ([]*attest.CheckResult, int, error) {
	where, args := `org_id = ?`, []any{orgID}
	if f.CheckID != "" {
		where += ` AND check_id = ?`
		args = append(args, f.CheckID)
	}
	if f.Status != "" {
		where += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.OpenOnly {
		where += ` AND until IS NULL`
	}
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT count(*) FROM check_results WHERE `+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count results: %w", err)
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 50
	}
	rs, err := queryAll(ctx, s.db, "find results", scanResult, s.q(`SELECT `+resultColumns+` FROM check_results WHERE `+where+
		` ORDER BY CASE WHEN until IS NULL THEN 0 ELSE 1 END, CASE status WHEN 'fail' THEN 0 WHEN 'error' THEN 1 ELSE 2 END, since DESC, id DESC LIMIT ? OFFSET ?`), append(args, limit, max(f.Offset, 0))...)
	return rs, total, err
}

// ResultsBetween returns every interval of a check that overlaps [from, to).
func (s *DB) ResultsBetween(ctx context.Context, orgID int64, checkID string, from, to time.Time) ([]*attest.CheckResult, error) {
	return queryAll(ctx, s.db, "find results", scanResult, s.q(`SELECT `+resultColumns+` FROM check_results WHERE org_id = ? AND check_id = ? AND since < ? AND (until IS NULL OR until > ?) ORDER BY since, id`),
		orgID, checkID, to, from)
}

// FailingBySeverity counts the checks with a failing resource, by severity.
func (s *DB) FailingBySeverity(ctx context.Context, orgID int64) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT severity, count(*) FROM monitor_checks WHERE org_id = ? AND fail > 0 GROUP BY severity`), orgID)
	if err != nil {
		return nil, fmt.Errorf("count failing checks: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var sev string
		var n int
		if err := rows.Scan(&sev, &n); err != nil {
			return nil, err
		}
		out[sev] = n
	}
	return out, rows.Err()
}

// ControlDeviations returns, by control, the checks testing it with a
// failure left open past its remediation window at some point since from
// (the current period): such a control is not ready.
func (s *DB) ControlDeviations(ctx context.Context, x queryer, orgID int64, from, now time.Time) (map[string][]string, error) {
	rows, err := x.QueryContext(ctx, s.q(`SELECT DISTINCT cc.control_id, r.check_id FROM check_results r JOIN check_controls cc ON cc.org_id = r.org_id AND cc.check_id = r.check_id
		WHERE r.org_id = ? AND r.status = 'fail' AND NOT r.excepted AND r.deadline IS NOT NULL
		AND r.deadline < COALESCE(r.until, ?) AND COALESCE(r.until, ?) > ? ORDER BY cc.control_id, r.check_id`), orgID, now, now, from)
	if err != nil {
		return nil, fmt.Errorf("find deviations: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var ctl, check string
		if err := rows.Scan(&ctl, &check); err != nil {
			return nil, err
		}
		out[ctl] = append(out[ctl], check)
	}
	return out, rows.Err()
}

// EnsureRemediationTask opens the check's remediation task, or updates the
// description of the one still open, and reports whether it opened one.
func (s *DB) EnsureRemediationTask(ctx context.Context, orgID int64, checkID string, t *attest.Task) (bool, error) {
	if err := t.Validate(); err != nil {
		return false, err
	}
	created := false
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var taskID sql.NullInt64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT task_id FROM monitor_checks WHERE org_id = ? AND check_id = ?`), orgID, checkID).Scan(&taskID); err != nil {
			return fmt.Errorf("find check %s: %w", checkID, err)
		}
		if taskID.Valid {
			old, err := s.findTask(ctx, tx, orgID, taskID.Int64)
			if err == nil && old.Status != attest.TaskDone {
				if _, err := tx.ExecContext(ctx, s.q(`UPDATE tasks SET description = ? WHERE org_id = ? AND id = ?`), t.Description, orgID, old.ID); err != nil {
					return err
				}
				t.ID = old.ID
				return s.appendAudit(ctx, tx, orgID, "task.update", "task", strconv.FormatInt(old.ID, 10), map[string]string{"description": old.Description}, map[string]string{"description": t.Description})
			}
		}
		t.CreatedAt = s.now()
		id, err := s.insertID(ctx, tx, `INSERT INTO tasks (org_id, title, description, owner_user_id, due_date, status, control_id, created_at) VALUES (`+placeholders(8)+`)`,
			orgID, t.Title, t.Description, nullInt(t.OwnerID), t.DueDate, attest.TaskOpen, nullString(t.ControlID), t.CreatedAt)
		if err != nil {
			return err
		}
		t.ID, created = id, true
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE monitor_checks SET task_id = ? WHERE org_id = ? AND check_id = ?`), id, orgID, checkID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "task.create", "task", strconv.FormatInt(id, 10), nil, t)
	})
	return created, err
}

// deviationGates adds to gates the controls whose checks found a failure
// left open past its remediation window in the control's current period:
// the slot of the engagement's window that holds today, at the frequency
// of the control's automated evidence needs (the longest of them, so that
// a slot the request list shows as a deviation also holds the control
// back), or of the control itself when none is automated. A quarterly
// control is held for the quarter of the window, a monthly one for the
// month. A failure fixed within its window, or excepted, is no deviation.
func (s *DB) deviationGates(ctx context.Context, orgID int64, gates map[string]string, e *attest.Engagement, controls []*attest.Control, today attest.Date) (map[string]string, error) {
	type period struct{ from, to attest.Date }
	periods := map[string]period{}
	var ids []string
	earliest := today
	for _, c := range controls {
		if c.Status == attest.NotApplicable {
			continue
		}
		from, _ := attest.PeriodOf(e, DeviationFrequency(c), today)
		if today.Before(from) { // the window has not begun: this month so far
			t := today.Time()
			from = attest.DateOf(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC))
		}
		periods[c.ID] = period{from, today}
		ids = append(ids, c.ID)
		if from.Before(earliest) {
			earliest = from
		}
	}
	tls, err := s.ControlTimelines(ctx, orgID, ids, earliest, today)
	if err != nil || len(tls) == 0 {
		return gates, err
	}
	out := make(map[string]string, len(gates)+len(tls))
	for k, v := range gates {
		out[k] = v
	}
	for ctl, list := range tls {
		p := periods[ctl]
		var checks []string
		for _, tl := range list {
			if _, dev := tl.Span(p.from, p.to); dev {
				checks = append(checks, tl.Check.ID)
			}
		}
		if len(checks) == 0 {
			continue
		}
		msg := fmt.Sprintf("check %s found a failure left open past its remediation window in the period since %s", strings.Join(checks, ", "), p.from)
		if prev := out[ctl]; prev != "" {
			msg = prev + "; " + msg
		}
		out[ctl] = msg
	}
	return out, nil
}

// DeviationFrequency is the frequency whose period a control's deviations
// count in: the longest of its automated evidence needs, else its own.
func DeviationFrequency(c *attest.Control) attest.Frequency {
	best, months := c.Frequency, 0
	for _, n := range c.Evidence {
		if !n.Automated || n.Frequency == attest.PerEvent {
			continue
		}
		if m := attest.SlotMonths(n.Frequency); m > months {
			best, months = n.Frequency, m
		}
	}
	return best
}
