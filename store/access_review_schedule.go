package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// Access reviews from an integration's resources, and the schedules that
// start them. Schedules are audited as access_review_schedule.save,
// .delete and .start; the review a schedule opens is audited as any other
// (access_review.create), in the same transaction.

var _ attest.AccessReviewScheduleService = (*DB)(nil)

// integrationAccounts reads the account resources of the integration's
// latest collection as review accounts, with the integration's name and
// the resource types they came from.
func (s *DB) integrationAccounts(ctx context.Context, x queryer, orgID, integrationID int64) (name, source string, accounts []*attest.AccessAccount, err error) {
	err = x.QueryRowContext(ctx, s.q(`SELECT name FROM integrations WHERE org_id = ? AND id = ?`), orgID, integrationID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil, attest.FieldErrorf("integration", "no integration %d", integrationID)
	}
	if err != nil {
		return "", "", nil, fmt.Errorf("find integration: %w", err)
	}
	args := []any{orgID, integrationID}
	for _, t := range attest.AccountResourceTypes {
		args = append(args, t)
	}
	rs, err := queryAll(ctx, x, "read account resources", func(r rowScanner) (collect.Resource, error) {
		var res collect.Resource
		var attrs string
		if err := r.Scan(&res.Type, &res.ID, &res.Name, &attrs); err != nil {
			return res, err
		}
		return res, json.Unmarshal([]byte(attrs), &res.Attributes)
	}, s.q(`SELECT r.type, r.rid, r.name, r.attributes FROM resources r JOIN integrations i ON i.id = r.integration_id AND i.resources_gen = r.gen
		WHERE r.org_id = ? AND r.integration_id = ? AND r.type IN (`+placeholders(len(attest.AccountResourceTypes))+`) ORDER BY r.type, r.rid`), args...)
	if err != nil {
		return "", "", nil, err
	}
	if accounts, err = attest.AccountsFromResources(rs); err != nil {
		return "", "", nil, attest.FieldErrorf("integration", "%s", attest.ErrorMessage(err))
	}
	if len(accounts) == 0 {
		return "", "", nil, attest.FieldErrorf("integration", "integration %s has collected no accounts (%s) yet: run it first", name, strings.Join(attest.AccountResourceTypes, ", "))
	}
	types := map[string]bool{}
	for _, r := range rs {
		types[r.Type] = true
	}
	var ts []string
	for t := range types {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	// Two resources of one login (a directory listing a user twice) are
	// one account to review.
	seen := map[string]bool{}
	kept := accounts[:0]
	for _, a := range accounts {
		if !seen[a.Account] {
			seen[a.Account] = true
			kept = append(kept, a)
		}
	}
	return name, strings.Join(ts, ","), kept, nil
}

// StartAccessReviewFrom opens a review of the integration's accounts.
func (s *DB) StartAccessReviewFrom(ctx context.Context, orgID int64, r *attest.AccessReview, integrationID int64) ([]*attest.AccessAccount, error) {
	var accounts []*attest.AccessAccount
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if _, r.Source, accounts, err = s.integrationAccounts(ctx, tx, orgID, integrationID); err != nil {
			return err
		}
		if err := s.checkReview(r, accounts); err != nil {
			return err
		}
		return s.insertAccessReview(ctx, tx, orgID, r, accounts)
	})
	if err != nil {
		return nil, fmt.Errorf("start access review: %w", err)
	}
	return accounts, nil
}

const scheduleColumns = `x.id, x.system, x.integration_id, i.name, x.control_id, x.every_months, x.next_start, x.opens_on, x.last_review_id, x.created_at`

func scanSchedule(row rowScanner) (*attest.AccessReviewSchedule, error) {
	sc := &attest.AccessReviewSchedule{}
	var last sql.NullInt64
	err := row.Scan(&sc.ID, &sc.System, &sc.IntegrationID, &sc.Integration, &sc.ControlID, &sc.EveryMonths, &sc.NextStart, &sc.OpensOn, &last, &sc.CreatedAt)
	sc.LastReviewID = last.Int64
	return sc, err
}

// SaveAccessReviewSchedule stores the schedule of a system, replacing the
// one it had.
func (s *DB) SaveAccessReviewSchedule(ctx context.Context, orgID int64, sc *attest.AccessReviewSchedule) error {
	if err := sc.Validate(s.today()); err != nil {
		return err
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`SELECT name FROM integrations WHERE org_id = ? AND id = ?`), orgID, sc.IntegrationID).Scan(&sc.Integration); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return attest.FieldErrorf("integration", "no integration %d", sc.IntegrationID)
			}
			return err
		}
		if err := s.checkControlRef(ctx, tx, orgID, sc.ControlID); err != nil {
			return err
		}
		before, err := queryAll(ctx, tx, "find schedule", scanSchedule, s.q(`SELECT `+scheduleColumns+` FROM access_review_schedules x JOIN integrations i ON i.id = x.integration_id
			WHERE x.org_id = ? AND x.system = ?`), orgID, sc.System)
		if err != nil {
			return err
		}
		var was *attest.AccessReviewSchedule
		if len(before) > 0 {
			was = before[0]
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM access_review_schedules WHERE org_id = ? AND id = ?`), orgID, was.ID); err != nil {
				return fmt.Errorf("save schedule: %w", err)
			}
		}
		sc.CreatedAt = s.now()
		if sc.ID, err = s.insertID(ctx, tx, `INSERT INTO access_review_schedules (org_id, system, integration_id, control_id, every_months, next_start, opens_on, created_at) VALUES (`+placeholders(8)+`)`,
			orgID, sc.System, sc.IntegrationID, sc.ControlID, sc.EveryMonths, sc.NextStart, sc.OpensOn, sc.CreatedAt); err != nil {
			return fmt.Errorf("save schedule: %w", err)
		}
		return s.appendAudit(ctx, tx, orgID, "access_review_schedule.save", "access_review_schedule", strconv.FormatInt(sc.ID, 10), was, sc)
	})
}

// FindAccessReviewSchedules returns the organization's schedules by system.
func (s *DB) FindAccessReviewSchedules(ctx context.Context, orgID int64) ([]*attest.AccessReviewSchedule, error) {
	return queryAll(ctx, s.db, "find schedules", scanSchedule, s.q(`SELECT `+scheduleColumns+` FROM access_review_schedules x JOIN integrations i ON i.id = x.integration_id
		WHERE x.org_id = ? ORDER BY LOWER(x.system), x.id`), orgID)
}

// DeleteAccessReviewSchedule stops a schedule.
func (s *DB) DeleteAccessReviewSchedule(ctx context.Context, orgID, id int64) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM access_review_schedules WHERE org_id = ? AND id = ?`), orgID, id)
		if err != nil {
			return fmt.Errorf("delete schedule: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return attest.Errorf(attest.ENOTFOUND, "no access review schedule %d", id)
		}
		return s.appendAudit(ctx, tx, orgID, "access_review_schedule.delete", "access_review_schedule", strconv.FormatInt(id, 10), nil, nil)
	})
}

// StartDueAccessReviews opens the review of every schedule, in every
// organization, whose period ended before today, from its integration's
// latest accounts, and moves the schedule to its next period. A schedule
// several periods behind (no process ran for months) reviews the latest
// ended period only: today's accounts say nothing of older ones.
//
// Several processes may run it at once: each schedule is moved on in the
// transaction that opens its review, on the condition that it still
// starts where this process read it, so only the first process opens the
// review and the others find nothing to do. A schedule whose integration
// has no accounts stays due and is named in the error; the others go on.
func (s *DB) StartDueAccessReviews(ctx context.Context, today attest.Date) (started int, err error) {
	type due struct {
		org int64
		sc  *attest.AccessReviewSchedule
	}
	list, err := queryAll(ctx, s.db, "find due schedules", func(r rowScanner) (due, error) {
		var d due
		d.sc = &attest.AccessReviewSchedule{}
		err := r.Scan(&d.org, &d.sc.ID, &d.sc.NextStart)
		return d, err
	}, s.q(`SELECT org_id, id, next_start FROM access_review_schedules WHERE opens_on <= ? ORDER BY org_id, id`), today)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, d := range list {
		opened := false
		err := s.change(ctx, d.org, func(tx *sql.Tx) error {
			cur, err := queryAll(ctx, tx, "find schedule", scanSchedule, s.q(`SELECT `+scheduleColumns+` FROM access_review_schedules x JOIN integrations i ON i.id = x.integration_id
				WHERE x.org_id = ? AND x.id = ? AND x.next_start = ?`), d.org, d.sc.ID, d.sc.NextStart)
			if err != nil || len(cur) == 0 {
				return err // moved on by another process, or deleted
			}
			sc := cur[0]
			m := sc.EveryMonths
			for !today.Before(sc.NextStart.AddMonths(2 * m)) {
				sc.NextStart = sc.NextStart.AddMonths(m)
			}
			from, to := sc.Period()
			_, source, accounts, err := s.integrationAccounts(ctx, tx, d.org, sc.IntegrationID)
			if err != nil {
				return err
			}
			r := &attest.AccessReview{System: sc.System, PeriodStart: from, PeriodEnd: to, ControlID: sc.ControlID, Source: source}
			if err := s.checkReview(r, accounts); err != nil {
				return err
			}
			if err := s.insertAccessReview(ctx, tx, d.org, r, accounts); err != nil {
				return err
			}
			next := to.AddDays(1)
			res, err := tx.ExecContext(ctx, s.q(`UPDATE access_review_schedules SET next_start = ?, opens_on = ?, last_review_id = ? WHERE org_id = ? AND id = ? AND next_start = ?`),
				next, next.AddMonths(m), r.ID, d.org, sc.ID, d.sc.NextStart)
			if err != nil {
				return fmt.Errorf("move schedule: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return attest.Errorf(attest.ECONFLICT, "the schedule of %s moved meanwhile", sc.System)
			}
			opened = true
			return s.appendAudit(ctx, tx, d.org, "access_review_schedule.start", "access_review_schedule", strconv.FormatInt(sc.ID, 10), nil,
				map[string]any{"review_id": r.ID, "system": sc.System, "period_start": from, "period_end": to, "accounts": len(accounts), "next_start": next})
		})
		switch {
		case attest.ErrorCode(err) == attest.ECONFLICT:
			// Another process opened it first.
		case err != nil:
			errs = append(errs, fmt.Errorf("access review schedule %d (organization %d): %w", d.sc.ID, d.org, err))
		case opened:
			started++
		}
	}
	return started, errors.Join(errs...)
}
