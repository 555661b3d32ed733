package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/attest-dev/attest"
)

// Timelines read days, not intervals. RecordResults keeps check_days, each
// check's worst state on each day (migration 00170): a run marks the days
// since the check's previous run with what its open results were (they
// lasted until now) and today with what the run found. A control's page,
// the request list and readiness then read at most one row per check and
// day of their window, however many resources the checks read or how
// often they ran. The days after a check's last run are carried from its
// last counts and the earliest deadline of its open failures
// (first_deadline), so a failure left open past its window shows as a
// deviation even if no run came since.

// checkDay is one check's day: its worst state, and whether a run
// recorded results that day (a day between runs holds the state its
// results lasted in, but only a day with a run shows the check ran).
type checkDay struct {
	st  attest.DayState
	ran bool
}

// checkDayAcc gathers one check's day states before they are written.
type checkDayAcc map[attest.Date]checkDay

func (a checkDayAcc) mark(d attest.Date, st attest.DayState) {
	x := a[d]
	if st > x.st {
		x.st = st
		a[d] = x
	}
}

func (a checkDayAcc) ran(d attest.Date) {
	x := a[d]
	x.ran = true
	a[d] = x
}

// checkRunState is what RecordResults needs to know of a check's previous
// run to mark its days.
type checkRunState struct {
	lastRun *time.Time
	built   bool
}

// checkRunStates reads the previous run of the checks.
func (s *DB) checkRunStates(ctx context.Context, orgID int64, ids []any) (map[string]checkRunState, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT check_id, last_run_at, days_built FROM monitor_checks WHERE org_id = ? AND check_id IN (`+placeholders(len(ids))+`)`), append([]any{orgID}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("read checks' last runs: %w", err)
	}
	defer rows.Close()
	out := map[string]checkRunState{}
	for rows.Next() {
		var id string
		var last sql.NullTime
		var st checkRunState
		if err := rows.Scan(&id, &last, &st.built); err != nil {
			return nil, fmt.Errorf("read checks' last runs: %w", err)
		}
		if last.Valid {
			t := last.Time.UTC()
			st.lastRun = &t
		}
		out[id] = st
	}
	return out, rows.Err()
}

// gapDays marks the days from the check's previous run to today with the
// state its open results (as of that run) held until now: results seen,
// a failure, and a deviation from the earliest deadline passed.
func gapDays(acc checkDayAcc, prev time.Time, open []openResult, now time.Time) {
	if len(open) == 0 {
		return
	}
	st := attest.DayPass
	var dev *time.Time
	for _, o := range open {
		if o.status != attest.CheckFail || o.excepted {
			continue
		}
		st = attest.DayFail
		if o.deadline.Valid && o.deadline.Time.Before(now) && (dev == nil || o.deadline.Time.Before(*dev)) {
			t := o.deadline.Time
			dev = &t
		}
	}
	today := attest.DateOf(now)
	for d := attest.DateOf(prev); !today.Before(d); d = d.AddDays(1) {
		acc.mark(d, st)
	}
	if dev != nil {
		from := attest.DateOf(*dev)
		if from.Before(attest.DateOf(prev)) {
			from = attest.DateOf(prev)
		}
		for d := from; !today.Before(d); d = d.AddDays(1) {
			acc.mark(d, attest.DayDeviation)
		}
	}
}

// rebuildDays folds a check's whole history into days: once per check,
// for results stored before check_days existed.
func (s *DB) rebuildDays(ctx context.Context, orgID int64, c *attest.MonitoredCheck, acc checkDayAcc, now time.Time) error {
	rs, err := s.ResultsBetween(ctx, orgID, c.ID, time.Time{}, now.Add(time.Second))
	if err != nil || len(rs) == 0 {
		return err
	}
	from := attest.DateOf(rs[0].Since)
	for _, r := range rs {
		if d := attest.DateOf(r.Since); d.Before(from) {
			from = d
		}
	}
	today := attest.DateOf(now)
	tl := attest.BuildTimeline(c, rs, from, today, now)
	for i, st := range tl.Days {
		if st != attest.DayNone {
			acc.mark(from.AddDays(i), st)
		}
	}
	// Runs that changed nothing left no row; those that did are known by
	// the intervals they opened and closed.
	for _, r := range rs {
		acc.ran(attest.DateOf(r.Since))
		if r.Until != nil {
			acc.ran(attest.DateOf(*r.Until))
		}
	}
	return nil
}

// saveDays writes the checks' day states, keeping the worse of what a day
// already held and what is new, and the checks' carried state.
func (s *DB) saveDays(ctx context.Context, tx *sql.Tx, orgID int64, days map[string]checkDayAcc, deadlines map[string]*time.Time) error {
	type row struct {
		check string
		day   attest.Date
		x     checkDay
	}
	var rows []row
	for id, acc := range days {
		for d, x := range acc {
			if x.st != attest.DayNone {
				rows = append(rows, row{id, d, x})
			}
		}
	}
	for len(rows) > 0 {
		n := min(len(rows), 200)
		args := make([]any, 0, 5*n)
		for _, r := range rows[:n] {
			args = append(args, orgID, r.check, r.day, int(r.x.st), r.x.ran)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO check_days (org_id, check_id, day, state, ran) VALUES `+rowsOf(n, 5)+`
			ON CONFLICT (org_id, check_id, day) DO UPDATE SET state = CASE WHEN excluded.state > check_days.state THEN excluded.state ELSE check_days.state END,
			ran = (check_days.ran OR excluded.ran)`), args...); err != nil {
			return fmt.Errorf("save check days: %w", err)
		}
		rows = rows[n:]
	}
	for id := range days {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE monitor_checks SET days_built = ?, first_deadline = ? WHERE org_id = ? AND check_id = ?`), true, nullTime(deadlines[id]), orgID, id); err != nil {
			return fmt.Errorf("save check days: %w", err)
		}
	}
	return nil
}

// CheckTimelines returns the timelines of the checks from..to (inclusive),
// as of today, by check ID, reading the checks' days in the window and
// carrying each check's last state over the days since its last run.
func (s *DB) CheckTimelines(ctx context.Context, orgID int64, checks []*attest.MonitoredCheck, from, to attest.Date) (map[string]*attest.Timeline, error) {
	out := map[string]*attest.Timeline{}
	if len(checks) == 0 {
		return out, nil
	}
	today := attest.DateOf(s.now())
	days := map[string]map[attest.Date]attest.DayState{}
	ran := map[string]map[attest.Date]bool{}
	for start := 0; start < len(checks); start += 500 {
		part := checks[start:min(start+500, len(checks))]
		args := []any{orgID}
		for _, c := range part {
			args = append(args, c.ID)
			days[c.ID] = map[attest.Date]attest.DayState{}
			ran[c.ID] = map[attest.Date]bool{}
		}
		args = append(args, from, to)
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT check_id, day, state, ran FROM check_days WHERE org_id = ? AND check_id IN (`+placeholders(len(part))+`) AND day >= ? AND day <= ?`), args...)
		if err != nil {
			return nil, fmt.Errorf("read check days: %w", err)
		}
		for rows.Next() {
			var id string
			var d attest.Date
			var st int
			var r bool
			if err := rows.Scan(&id, &d, &st, &r); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read check days: %w", err)
			}
			days[id][d] = attest.DayState(st)
			if r {
				ran[id][d] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read check days: %w", err)
		}
		if err := s.carryDays(ctx, orgID, part, days, to, today); err != nil {
			return nil, err
		}
	}
	for _, c := range checks {
		out[c.ID] = attest.TimelineFromDays(c, days[c.ID], from, to, today)
		out[c.ID].SetRuns(ran[c.ID])
	}
	return out, nil
}

// carryDays fills the days after each check's last run, up to to and
// today, with its state at that run: failing while it had failures, a
// deviation from the earliest deadline of those failures.
func (s *DB) carryDays(ctx context.Context, orgID int64, checks []*attest.MonitoredCheck, days map[string]map[attest.Date]attest.DayState, to, today attest.Date) error {
	args := []any{orgID}
	for _, c := range checks {
		args = append(args, c.ID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT check_id, first_deadline FROM monitor_checks WHERE org_id = ? AND check_id IN (`+placeholders(len(checks))+`)`), args...)
	if err != nil {
		return fmt.Errorf("read check deadlines: %w", err)
	}
	deadlines := map[string]attest.Date{}
	for rows.Next() {
		var id string
		var d sql.NullTime
		if err := rows.Scan(&id, &d); err != nil {
			rows.Close()
			return fmt.Errorf("read check deadlines: %w", err)
		}
		if d.Valid {
			deadlines[id] = attest.DateOf(d.Time)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read check deadlines: %w", err)
	}
	end := to
	if today.Before(end) {
		end = today
	}
	for _, c := range checks {
		if c.LastRunAt == nil || c.Pass+c.Fail+c.Error+c.Skip+c.Excepted == 0 {
			continue
		}
		st := attest.DayPass
		if c.Fail > 0 {
			st = attest.DayFail
		}
		dl, hasDL := deadlines[c.ID]
		for d := attest.DateOf(*c.LastRunAt).AddDays(1); !end.Before(d); d = d.AddDays(1) {
			x := st
			if x == attest.DayFail && hasDL && !d.Before(dl) {
				x = attest.DayDeviation
			}
			if x > days[c.ID][d] {
				days[c.ID][d] = x
			}
		}
	}
	return nil
}

// ControlTimelines returns, by control, the timelines from..to of the
// checks that test each of the controls named.
func (s *DB) ControlTimelines(ctx context.Context, orgID int64, controlIDs []string, from, to attest.Date) (map[string][]*attest.Timeline, error) {
	out := map[string][]*attest.Timeline{}
	if len(controlIDs) == 0 {
		return out, nil
	}
	byControl := map[string][]string{}
	need := map[string]bool{}
	for start := 0; start < len(controlIDs); start += 500 {
		part := controlIDs[start:min(start+500, len(controlIDs))]
		args := []any{orgID}
		for _, id := range part {
			args = append(args, id)
		}
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT control_id, check_id FROM check_controls WHERE org_id = ? AND control_id IN (`+placeholders(len(part))+`) ORDER BY control_id, check_id`), args...)
		if err != nil {
			return nil, fmt.Errorf("find checks of controls: %w", err)
		}
		for rows.Next() {
			var ctl, check string
			if err := rows.Scan(&ctl, &check); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find checks of controls: %w", err)
			}
			byControl[ctl] = append(byControl[ctl], check)
			need[check] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find checks of controls: %w", err)
		}
	}
	if len(need) == 0 {
		return out, nil
	}
	args := []any{orgID}
	for id := range need {
		args = append(args, id)
	}
	checks, err := queryAll(ctx, s.db, "find checks", scanCheck, s.q(`SELECT `+checkColumns+` FROM monitor_checks m WHERE m.org_id = ? AND m.check_id IN (`+placeholders(len(need))+`) ORDER BY m.check_id`), args...)
	if err != nil {
		return nil, err
	}
	tls, err := s.CheckTimelines(ctx, orgID, checks, from, to)
	if err != nil {
		return nil, err
	}
	for ctl, ids := range byControl {
		for _, id := range ids {
			if tl := tls[id]; tl != nil {
				out[ctl] = append(out[ctl], tl)
			}
		}
	}
	return out, nil
}

// applyCheckCoverage fills the automated needs of reqs from the timelines
// of the checks testing their controls over the engagement's period.
func (s *DB) applyCheckCoverage(ctx context.Context, orgID int64, e *attest.Engagement, controls []*attest.Control, reqs []*attest.EvidenceRequest, today attest.Date) error {
	auto := attest.AutomatedNeeds(controls)
	if len(auto) == 0 || len(reqs) == 0 {
		return nil
	}
	var ids []string
	seen := map[string]bool{}
	for _, r := range reqs {
		if _, ok := auto[r.ControlID]; ok && !seen[r.ControlID] {
			seen[r.ControlID] = true
			ids = append(ids, r.ControlID)
		}
	}
	from, to := attest.EngagementPeriod(e)
	tls, err := s.ControlTimelines(ctx, orgID, ids, from, to)
	if err != nil {
		return err
	}
	attest.ApplyCheckCoverage(reqs, tls, auto, today)
	return nil
}
