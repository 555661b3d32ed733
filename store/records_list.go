package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
)

// The registers of people, training, access reviews, changes and control
// tests share one way of listing: a WHERE built from the filter, a count,
// and one page cut by the database in an order from a fixed map, so
// nothing from the request reaches ORDER BY.

// registerList describes one register's list query.
type registerList struct {
	what  string // names the operation in errors
	table string // "roster_people r"
	cols  string // the selected columns, qualified
	where string
	args  []any
	// order maps each sort column to its SQL; def is the column used when
	// the page names none.
	order map[string]string
	def   string
}

// page counts the matches and reads the page the caller asked for.
func listRegister[T any](ctx context.Context, s *DB, l registerList, p attest.Page, sorts []string, scan func(rowScanner) (T, error)) ([]T, int, error) {
	p, err := p.Check(sorts)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+l.table+` WHERE `+l.where), l.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", l.what, err)
	}
	col := p.Sort
	if col == "" {
		col = l.def
	}
	dir := ""
	if p.Desc {
		dir = " DESC"
	}
	alias := strings.Fields(l.table)[1]
	order := l.order[col] + dir + ", " + alias + ".id" + dir
	out, err := queryAll(ctx, s.db, "find "+l.what, scan,
		s.q(`SELECT `+l.cols+` FROM `+l.table+` WHERE `+l.where+` ORDER BY `+order+fmt.Sprintf(` LIMIT %d OFFSET %d`, p.Limit, p.Offset)), l.args...)
	return out, total, err
}

// qualify prefixes each of a comma-separated column list with alias.
func qualify(alias, cols string) string {
	return alias + "." + strings.ReplaceAll(cols, ", ", ", "+alias+".")
}

// searchClause adds "any of the columns holds q" to a WHERE.
func searchClause(where string, args []any, q string, cols ...string) (string, []any) {
	q = strings.TrimSpace(q)
	if q == "" {
		return where, args
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = `LOWER(` + c + `) LIKE ? ESCAPE '\'`
		args = append(args, likePattern(q))
	}
	return where + ` AND (` + strings.Join(parts, " OR ") + `)`, args
}

// dateRange adds "column within from..to" (either end open) to a WHERE.
func dateRange(where string, args []any, col string, from, to attest.Date) (string, []any) {
	if from != "" {
		where += ` AND ` + col + ` <> '' AND ` + col + ` >= ?`
		args = append(args, from)
	}
	if to != "" {
		where += ` AND ` + col + ` <> '' AND ` + col + ` <= ?`
		args = append(args, to)
	}
	return where, args
}

// checkControlRef returns EINVALID unless the control is the organization's.
func (s *DB) checkControlRef(ctx context.Context, x queryer, orgID int64, id string) error {
	if id == "" {
		return nil
	}
	var n int
	if err := x.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM controls WHERE org_id = ? AND id = ?`), orgID, id).Scan(&n); err != nil {
		return fmt.Errorf("find control: %w", err)
	}
	if n == 0 {
		return attest.FieldErrorf("control_id", "unknown control %q", id)
	}
	return nil
}
