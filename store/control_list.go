package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
)

// controlOrder maps each sort column of the controls list to its SQL;
// nothing else reaches ORDER BY.
var controlOrder = map[string]string{
	"": "c.id", "id": "c.id", "name": "c.name", "status": "CASE c.status WHEN 'not_started' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'implemented' THEN 2 ELSE 3 END", "owner": ownerOrder("c"),
	"frequency": "c.frequency", "due_date": "c.due_date", "updated_at": "c.updated_at",
}

// likePattern makes a LIKE pattern that finds text anywhere, in any case,
// with the text's own % and _ taken literally (escaped with \).
func likePattern(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(text)) + "%"
}

// controlWhere is the WHERE clause of a controls list and its arguments.
func (s *DB) controlWhere(orgID int64, f attest.ControlFilter) (string, []any) {
	where := `c.org_id = ?`
	args := []any{orgID}
	if f.Status != "" {
		where += ` AND c.status = ?`
		args = append(args, f.Status)
	}
	if f.OwnerID != 0 {
		where += ` AND c.owner_user_id = ?`
		args = append(args, f.OwnerID)
	}
	if f.Unowned {
		where += ` AND c.owner_user_id IS NULL`
	}
	var crit []string
	if f.Criterion != "" {
		crit = []string{f.Criterion}
	}
	if f.Category != "" {
		in := map[string]bool{}
		for _, c := range s.fw.CriteriaIn([]string{f.Category}) {
			in[c.ID] = true
		}
		if f.Criterion == "" {
			for id := range in {
				crit = append(crit, id)
			}
		} else if !in[f.Criterion] {
			crit = []string{""} // a criterion outside the category: nothing matches
		}
		if len(crit) == 0 {
			crit = []string{""}
		}
	}
	if len(crit) > 0 {
		where += ` AND EXISTS (SELECT 1 FROM control_criteria m WHERE m.org_id = c.org_id AND m.control_id = c.id AND m.criterion_id IN (` + placeholders(len(crit)) + `))`
		for _, id := range crit {
			args = append(args, id)
		}
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		where += ` AND (LOWER(c.id) LIKE ? ESCAPE '\' OR LOWER(c.name) LIKE ? ESCAPE '\')`
		args = append(args, likePattern(q), likePattern(q))
	}
	return where, args
}

// FindControlPage returns one page of the matching controls, sorted, with
// their criteria, and the number that match: the database sorts, counts
// and cuts, so a page costs the same at 50 controls as at 5,000.
func (s *DB) FindControlPage(ctx context.Context, orgID int64, f attest.ControlFilter, p attest.Page) ([]*attest.Control, int, error) {
	return s.findControlPage(ctx, orgID, f, p, false)
}

// FindControlRows is FindControlPage with only the columns a list shows,
// each control's criteria read in the same query.
func (s *DB) FindControlRows(ctx context.Context, orgID int64, f attest.ControlFilter, p attest.Page) ([]*attest.Control, int, error) {
	return s.findControlPage(ctx, orgID, f, p, true)
}

func (s *DB) findControlPage(ctx context.Context, orgID int64, f attest.ControlFilter, p attest.Page, brief bool) ([]*attest.Control, int, error) {
	p, err := p.Check(attest.ControlSorts)
	if err != nil {
		return nil, 0, err
	}
	where, args := s.controlWhere(orgID, f)
	count := func() (int, error) {
		var total int
		if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM controls c WHERE `+where), args...).Scan(&total); err != nil {
			return 0, fmt.Errorf("count controls: %w", err)
		}
		return total, nil
	}
	dir := ""
	if p.Desc {
		dir = " DESC"
	}
	order := ` ORDER BY ` + controlOrder[p.Sort] + dir + `, c.id` + dir + fmt.Sprintf(` LIMIT %d OFFSET %d`, p.Limit, p.Offset)
	if brief {
		const columns = `c.id, c.name, c.status, c.owner_user_id, c.owner_note, c.frequency`
		// The criteria come with each row (controls.criteria, kept with the
		// mappings). On PostgreSQL the count comes with the page's rows: one
		// round trip, unless the page is past the end; SQLite answers
		// in-process, where a second query costs less.
		query := `SELECT ` + columns + `, c.criteria FROM controls c WHERE ` + where + order
		total, counted, qargs := 0, false, args
		if s.dialect == sqliteDialect {
			if total, err = count(); err != nil {
				return nil, 0, err
			}
		} else {
			counted = true
			query = `SELECT ` + columns + `, c.criteria, (SELECT COUNT(*) FROM controls c WHERE ` + where + `) FROM controls c WHERE ` + where + order
			qargs = append(append(make([]any, 0, 2*len(args)), args...), args...)
		}
		out, err := queryAll(ctx, s.db, "find controls", func(row rowScanner) (*attest.Control, error) {
			if !counted {
				return scanControlRow(row)
			}
			return scanControlRow(row, &total)
		}, s.q(query), qargs...)
		if err == nil && len(out) == 0 && counted {
			total, err = count()
		}
		if err == nil {
			err = s.fillControlOwners(ctx, orgID, out)
		}
		if err != nil {
			return nil, 0, err
		}
		for _, c := range out {
			s.sortCriteria(c.Criteria)
		}
		return out, total, nil
	}
	total, err := count()
	if err != nil {
		return nil, 0, err
	}
	cols := strings.ReplaceAll("c."+controlColumns, ", ", ", c.")
	out, err := queryAll(ctx, s.db, "find controls", scanControl, s.q(`SELECT `+cols+` FROM controls c WHERE `+where+order), args...)
	if err != nil || len(out) == 0 {
		return out, total, err
	}
	if err := s.fillControlOwners(ctx, orgID, out); err != nil {
		return nil, 0, err
	}
	byID := make(map[string]*attest.Control, len(out))
	ids := make([]any, 0, len(out)+1)
	ids = append(ids, orgID)
	for _, c := range out {
		byID[c.ID] = c
		ids = append(ids, c.ID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT control_id, criterion_id FROM control_criteria WHERE org_id = ? AND control_id IN (`+placeholders(len(out))+`)`), ids...)
	if err != nil {
		return nil, 0, fmt.Errorf("find control mappings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ctl, crit string
		if err := rows.Scan(&ctl, &crit); err != nil {
			return nil, 0, fmt.Errorf("find control mappings: %w", err)
		}
		byID[ctl].Criteria = append(byID[ctl].Criteria, crit)
	}
	for _, c := range out {
		s.sortCriteria(c.Criteria)
	}
	return out, total, rows.Err()
}

// scanControlRow scans the columns of a brief control row.
// and then the extra columns into more (the number of matches).
func scanControlRow(row interface{ Scan(...any) error }, more ...any) (*attest.Control, error) {
	c := &attest.Control{}
	var owner sql.NullInt64
	var criteria sql.NullString
	if err := row.Scan(append([]any{&c.ID, &c.Name, &c.Status, &owner, &c.OwnerNote, &c.Frequency, &criteria}, more...)...); err != nil {
		return nil, err
	}
	c.OwnerID = owner.Int64
	c.Criteria = []string{}
	if criteria.String != "" {
		c.Criteria = strings.Split(criteria.String, ",")
	}
	return c, nil
}

// ownerOrder sorts rows of table alias t by their owner's name (or email
// when the name is empty), in any case; unowned rows first.
func ownerOrder(t string) string {
	return `COALESCE((SELECT LOWER(CASE WHEN u.name = '' THEN u.email ELSE u.name END) FROM users u WHERE u.id = ` + t + `.owner_user_id), '')`
}

// fillControlOwners sets the Owner of controls that have one, from the
// members' names as they are now.
func (s *DB) fillControlOwners(ctx context.Context, orgID int64, controls []*attest.Control) error {
	var people attest.People
	for _, c := range controls {
		if c.OwnerID == 0 {
			continue
		}
		if people == nil {
			var err error
			if people, err = s.people(ctx, s.db, orgID); err != nil {
				return err
			}
		}
		c.Owner = people.Get(c.OwnerID)
	}
	return nil
}
