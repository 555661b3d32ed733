package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
)

// taskOrder maps the sort columns of the tasks list, other than the due
// date, to their SQL; nothing else reaches ORDER BY.
var taskOrder = map[string]string{
	"title": "t.title", "owner": ownerOrder("t"), "control": "COALESCE(t.control_id, '')", "created_at": "t.created_at",
	"status": "CASE t.status WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END",
}

// taskWhere is the WHERE clause of a tasks list and its arguments.
func taskWhere(orgID int64, f attest.TaskFilter) (string, []any) {
	where := `t.org_id = ?`
	args := []any{orgID}
	if f.Status != "" {
		where += ` AND t.status = ?`
		args = append(args, f.Status)
	}
	if f.Open {
		where += ` AND t.status IN ('open', 'in_progress')`
	}
	if f.OwnerID != 0 {
		where += ` AND t.owner_user_id = ?`
		args = append(args, f.OwnerID)
	}
	if f.ControlID != "" {
		where += ` AND t.control_id = ?`
		args = append(args, f.ControlID)
	}
	if f.EngagementID != 0 {
		where += ` AND t.engagement_id = ?`
		args = append(args, f.EngagementID)
	}
	if f.Scoped {
		// An auditor sees the tasks of the engagements granted to them: with
		// none granted, nothing (an impossible ID keeps the query simple).
		ids := append([]int64{0}, f.Engagements...)
		where += ` AND t.engagement_id IN (` + placeholders(len(ids)) + `)`
		for _, e := range ids {
			args = append(args, e)
		}
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		where += ` AND (LOWER(t.title) LIKE ? ESCAPE '\' OR LOWER(COALESCE(t.control_id, '')) LIKE ? ESCAPE '\')`
		args = append(args, likePattern(q), likePattern(q))
	}
	return where, args
}

// FindTaskPage returns one page of the matching tasks and how many match.
// By due date (the default), dated tasks come first in either direction
// and undated ones after them by ID; each part is read in index order, so
// the database never sorts every match to show fifty.
func (s *DB) FindTaskPage(ctx context.Context, orgID int64, f attest.TaskFilter, p attest.Page) ([]*attest.Task, int, error) {
	p, err := p.Check(attest.TaskSorts)
	if err != nil {
		return nil, 0, err
	}
	where, args := taskWhere(orgID, f)
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM tasks t WHERE `+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count tasks: %w", err)
	}
	dir := ""
	if p.Desc {
		dir = " DESC"
	}
	cols := strings.ReplaceAll("t."+taskColumns, ", ", ", t.")
	page := func(extra, order string, limit, offset int) ([]*attest.Task, error) {
		return s.queryTasks(ctx, orgID, `SELECT `+cols+` FROM tasks t WHERE `+where+extra+` ORDER BY `+order+fmt.Sprintf(` LIMIT %d OFFSET %d`, limit, offset), args...)
	}
	if p.Sort != "" && p.Sort != "due_date" {
		out, err := page("", taskOrder[p.Sort]+dir+", t.id"+dir, p.Limit, p.Offset)
		return out, total, err
	}
	if total <= p.Offset {
		return []*attest.Task{}, total, nil
	}
	// The dated part first. A short page of it ends the dated tasks, so
	// their number is known without counting them; only a page that starts
	// past them all counts them, to know where the undated part starts.
	out, err := page(` AND t.due_date > ''`, `t.due_date`+dir+`, t.id`+dir, p.Limit, p.Offset)
	if err != nil {
		return nil, 0, err
	}
	rest := p.Limit - len(out)
	if rest == 0 {
		return out, total, nil
	}
	dated := p.Offset + len(out)
	if len(out) == 0 && p.Offset > 0 {
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM tasks t WHERE `+where+` AND t.due_date > ''`), args...).Scan(&dated); err != nil {
			return nil, 0, fmt.Errorf("count tasks: %w", err)
		}
	}
	if total > dated {
		undated, err := page(` AND t.due_date = ''`, `t.id`, rest, max(0, p.Offset-dated))
		if err != nil {
			return nil, 0, err
		}
		out = append(out, undated...)
	}
	return out, total, nil
}
