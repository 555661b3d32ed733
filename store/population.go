package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
)

// FindPopulation returns every event of a kind within a period, read in
// full (a population is complete or it is no population).
func (s *DB) FindPopulation(ctx context.Context, orgID int64, kind string, from, to attest.Date) (*attest.Population, error) {
	if err := attest.CheckPopulation(kind, from, to); err != nil {
		return nil, err
	}
	p := &attest.Population{Kind: kind, From: from, To: to, Filter: attest.PopulationFilter(kind, from, to)}
	var query string
	var args []any
	p.Header, query, args = populationQuery(orgID, kind, from, to)
	n := len(p.Header)
	rows, err := queryAll(ctx, s.db, "find population", func(r rowScanner) ([]string, error) {
		row := make([]string, n)
		ptrs := make([]any, n)
		for i := range row {
			ptrs[i] = &row[i]
		}
		return row, r.Scan(ptrs...)
	}, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		for i, v := range row {
			row[i] = strings.TrimSpace(v)
		}
	}
	p.Rows = rows
	return p, nil
}

// CountPopulation returns how many rows a population of a period has,
// without reading them: what the request list shows beside a slot.
func (s *DB) CountPopulation(ctx context.Context, orgID int64, kind string, from, to attest.Date) (int, error) {
	if err := attest.CheckPopulation(kind, from, to); err != nil {
		return 0, err
	}
	_, query, args := populationQuery(orgID, kind, from, to)
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM (`+query+`) counted`), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count population: %w", err)
	}
	return n, nil
}

// populationQuery is the statement that selects a population's rows, with
// its header and arguments; kind has been checked.
func populationQuery(orgID int64, kind string, from, to attest.Date) (header []string, query string, args []any) {
	p := &attest.Population{}
	args = []any{orgID, from, to}
	switch kind {
	case "hires", "leavers":
		col := "start_date"
		if kind == "leavers" {
			col = "end_date"
		}
		p.Header = []string{"person_id", "name", "email", "department", "employment_type", "start_date", "end_date", "checklist_due", "checklist_completed_at"}
		query = `SELECT CAST(r.id AS TEXT), r.name, r.email, r.department, r.employment_type, r.start_date, r.end_date, COALESCE(c.due_date, ''), COALESCE(CAST(c.completed_at AS TEXT), '')
			FROM roster_people r LEFT JOIN checklists c ON c.person_id = r.id AND c.kind = ?
			WHERE r.org_id = ? AND r.` + col + ` <> '' AND r.` + col + ` >= ? AND r.` + col + ` <= ? ORDER BY r.` + col + `, r.id`
		k := attest.Onboarding
		if kind == "leavers" {
			k = attest.Offboarding
		}
		args = append([]any{k}, args...)
	case "access-grants", "access-removals":
		k := attest.Onboarding
		if kind == "access-removals" {
			k = attest.Offboarding
		}
		p.Header = []string{"source", "person_or_system", "account", "done_on", "deadline", "done_by"}
		query = `SELECT 'checklist', r.name, i.title, i.done_on, c.due_date, COALESCE((SELECT u.email FROM users u WHERE u.id = i.done_by_user_id), '')
			FROM checklist_items i JOIN checklists c ON c.id = i.checklist_id JOIN roster_people r ON r.id = c.person_id
			WHERE i.org_id = ? AND i.done_on >= ? AND i.done_on <= ? AND i.kind = 'account' AND c.kind = ?`
		args = append(args, k)
		if kind == "access-removals" {
			query += ` UNION ALL SELECT 'access review', v.system, a.account || ' (' || a.decision || ')', a.resolved_on, v.due_date, COALESCE((SELECT u.email FROM users u WHERE u.id = a.decided_by_user_id), '')
				FROM access_review_accounts a JOIN access_reviews v ON v.id = a.review_id
				WHERE a.org_id = ? AND a.resolved_on <> '' AND a.resolved_on >= ? AND a.resolved_on <= ?`
			args = append(args, orgID, from, to)
		}
		query = `SELECT * FROM (` + query + `) x ORDER BY 4, 2, 3`
	case "changes":
		p.Header = []string{"change_id", "title", "system", "requester", "approver", "approved_on", "implemented_on", "emergency", "independently_approved", "source", "external_id"}
		query = `SELECT CAST(c.id AS TEXT), c.title, c.system, COALESCE((SELECT u.email FROM users u WHERE u.id = c.requester_user_id), c.requester_note),
			COALESCE((SELECT u.email FROM users u WHERE u.id = c.approver_user_id), c.approver_note), c.approved_on, c.implemented_on,
			CASE WHEN c.emergency THEN 'yes' ELSE 'no' END, CASE WHEN ` + unapprovedSQL + ` THEN 'no' ELSE 'yes' END, c.source, c.external_id
			FROM change_records c WHERE c.org_id = ? AND c.implemented_on >= ? AND c.implemented_on <= ? ORDER BY c.implemented_on, c.id`
	case "internal-tests":
		p.Header = []string{"test_id", "control_id", "period", "tester", "procedure", "sample", "result", "tested_on", "follow_up_task_id"}
		query = `SELECT CAST(t.id AS TEXT), t.control_id, t.period, COALESCE((SELECT u.email FROM users u WHERE u.id = t.tester_user_id), ''), t.procedure, t.sample, t.result, t.tested_on,
			COALESCE(CAST(t.follow_up_task_id AS TEXT), '') FROM control_tests t WHERE t.org_id = ? AND t.tested_on <> '' AND t.tested_on >= ? AND t.tested_on <= ? ORDER BY t.tested_on, t.id`
	}
	return p.Header, query, args
}
