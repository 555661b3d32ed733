package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// An auditor sees the registers and records that concern the engagements
// granted to them (attest.RecordScope states the rule). The rule becomes
// a condition of the list's WHERE, so the database cuts a page of what
// the auditor may see and the count is theirs: filtering in Go after
// LIMIT would show short or empty pages.

// scopeGrants is what the granted engagements bring: their observation
// windows, the criteria of their categories and their IDs.
type scopeGrants struct {
	windows     [][2]attest.Date
	criteria    []string
	engagements []int64
}

// grants reads the organization's granted engagements; an ID of another
// organization brings nothing.
func (s *DB) grants(ctx context.Context, orgID int64, ids []int64) (scopeGrants, error) {
	var g scopeGrants
	if len(ids) == 0 {
		return g, nil
	}
	args := []any{orgID}
	for _, id := range ids {
		args = append(args, id)
	}
	es, err := queryAll(ctx, s.db, "find granted engagements", scanEngagement,
		s.q(`SELECT `+engagementColumns+` FROM engagements WHERE org_id = ? AND id IN (`+placeholders(len(ids))+`) ORDER BY id`), args...)
	if err != nil {
		return g, err
	}
	seen := map[string]bool{}
	for _, e := range es {
		g.engagements = append(g.engagements, e.ID)
		if from, to, ok := attest.ScopeWindow(e); ok {
			g.windows = append(g.windows, [2]attest.Date{from, to})
		}
		for _, c := range s.fw.CriteriaIn(e.Categories) {
			if !seen[c.ID] {
				seen[c.ID] = true
				g.criteria = append(g.criteria, c.ID)
			}
		}
	}
	return g, nil
}

// scopeTables names each kind's table for CheckRecordScope.
var scopeTables = map[string]string{
	string(attest.RecordRisk): "risks", string(attest.RecordVendor): "vendors", string(attest.RecordAsset): "assets", string(attest.RecordIncident): "incidents",
	attest.ScopePerson: "roster_people", attest.ScopeTraining: "training_campaigns", attest.ScopeAccessReview: "access_reviews",
	attest.ScopeChange: "change_records", attest.ScopeControlTest: "control_tests",
	attest.ScopeRiskAssessment: "record_events", attest.ScopeTabletop: "record_events",
}

// scopeWhere appends the scope's condition for records of kind in the
// table aliased a to where. An unscoped principal is not limited; an
// auditor granted nothing sees nothing.
func (s *DB) scopeWhere(ctx context.Context, orgID int64, kind, a string, sc attest.RecordScope, where string, args []any) (string, []any, error) {
	if !sc.Scoped {
		return where, args, nil
	}
	g, err := s.grants(ctx, orgID, sc.Engagements)
	if err != nil {
		return "", nil, err
	}
	var conds []string
	// within adds "the day in col falls in a window" for every window.
	within := func(col string) {
		for _, w := range g.windows {
			conds = append(conds, `(`+col+` <> '' AND `+col+` >= ? AND `+col+` <= ?)`)
			args = append(args, w[0], w[1])
		}
	}
	switch kind {
	case string(attest.RecordIncident):
		for _, w := range g.windows {
			conds = append(conds, `(`+a+`.reported_at >= ? AND `+a+`.reported_at < ?)`)
			args = append(args, w[0].Time(), w[1].Time().Add(24*time.Hour))
		}
	case attest.ScopeRiskAssessment, attest.ScopeTabletop:
		for _, w := range g.windows {
			conds = append(conds, `(`+a+`.occurred_at >= ? AND `+a+`.occurred_at < ?)`)
			args = append(args, w[0].Time(), w[1].Time().Add(24*time.Hour))
		}
	case attest.ScopeChange:
		within(a + `.implemented_on`)
	case attest.ScopeControlTest:
		within(`COALESCE(NULLIF(` + a + `.tested_on, ''), ` + a + `.due_date)`)
	case attest.ScopeAccessReview, attest.ScopeTraining:
		within(a + `.due_date`)
	case attest.ScopePerson:
		within(a + `.start_date`)
		within(a + `.end_date`)
	case string(attest.RecordRisk), string(attest.RecordVendor), string(attest.RecordAsset):
		if len(g.engagements) > 0 {
			// A record attached to no control (and, for an asset, no
			// engagement's system) concerns the whole organization: an
			// accepted risk, a vendor not yet mapped. Only what concerns
			// other engagements alone stays hidden.
			org := `NOT EXISTS (SELECT 1 FROM record_links l WHERE l.org_id = ` + a + `.org_id AND l.kind = ? AND l.record_id = ` + a + `.id AND l.rel = 'control')`
			if kind == string(attest.RecordAsset) {
				org += ` AND NOT EXISTS (SELECT 1 FROM systems y WHERE y.asset_id = ` + a + `.id AND y.org_id = ` + a + `.org_id)`
			}
			conds = append(conds, `(`+org+`)`)
			args = append(args, kind)
		}
		if len(g.criteria) > 0 {
			conds = append(conds, `EXISTS (SELECT 1 FROM record_links l JOIN control_criteria cc ON cc.org_id = l.org_id AND cc.control_id = l.target
				WHERE l.org_id = `+a+`.org_id AND l.kind = ? AND l.record_id = `+a+`.id AND l.rel = 'control' AND cc.criterion_id IN (`+placeholders(len(g.criteria))+`))`)
			args = append(args, kind)
			for _, c := range g.criteria {
				args = append(args, c)
			}
		}
		if kind == string(attest.RecordAsset) && len(g.engagements) > 0 {
			conds = append(conds, `EXISTS (SELECT 1 FROM systems y WHERE y.asset_id = `+a+`.id AND y.org_id = `+a+`.org_id AND y.engagement_id IN (`+placeholders(len(g.engagements))+`))`)
			for _, e := range g.engagements {
				args = append(args, e)
			}
		}
	default:
		return "", nil, attest.Errorf(attest.EINTERNAL, "no auditor scope for %q", kind)
	}
	if len(conds) == 0 {
		return where + ` AND 1 = 0`, args, nil
	}
	return where + ` AND (` + strings.Join(conds, ` OR `) + `)`, args, nil
}

// CheckRecordScope returns ENOTFOUND unless the record of kind (a
// register's kind or one of attest's Scope kinds) exists and the scope
// lets its principal see it.
func (s *DB) CheckRecordScope(ctx context.Context, orgID int64, kind string, id int64, sc attest.RecordScope) error {
	table, ok := scopeTables[kind]
	if !ok {
		return attest.Errorf(attest.EINTERNAL, "no auditor scope for %q", kind)
	}
	where, args := `a.org_id = ? AND a.id = ?`, []any{orgID, id}
	if table == "record_events" {
		where += ` AND a.kind = ?`
		args = append(args, kind)
	}
	where, args, err := s.scopeWhere(ctx, orgID, kind, "a", sc, where, args)
	if err != nil {
		return err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+table+` a WHERE `+where), args...).Scan(&n); err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("check %s scope: %w", kind, err)
	}
	if n == 0 {
		return attest.Errorf(attest.ENOTFOUND, "no %s %d", strings.ReplaceAll(kind, "_", " "), id)
	}
	return nil
}
