package store

import (
	"context"

	"github.com/attest-dev/attest"
)

// RiskHeat counts the matching risks in each cell of the likelihood ×
// impact matrix, before (inherent) and after (residual) treatment, with
// two grouped queries rather than reading every risk.
func (s *DB) RiskHeat(ctx context.Context, orgID int64, f attest.RegisterFilter) (inherent, residual map[[2]int]int, err error) {
	if err := f.Validate(); err != nil {
		return nil, nil, err
	}
	where, args := registerWhere(orgID, f, "t.title", "t.description", "t.category")
	where, args, err = s.scopeWhere(ctx, orgID, string(attest.RecordRisk), "t", f.Scope, where, args)
	if err != nil {
		return nil, nil, err
	}
	if f.Category != "" {
		where += ` AND t.category = ?`
		args = append(args, f.Category)
	}
	type cell struct{ l, i, n int }
	scan := func(r rowScanner) (cell, error) {
		var c cell
		return c, r.Scan(&c.l, &c.i, &c.n)
	}
	count := func(l, i string) (map[[2]int]int, error) {
		cells, err := queryAll(ctx, s.db, "count risks by cell", scan, s.q(`SELECT `+l+`, `+i+`, COUNT(*) FROM risks t WHERE `+where+` GROUP BY `+l+`, `+i), args...)
		if err != nil {
			return nil, err
		}
		out := map[[2]int]int{}
		for _, c := range cells {
			out[[2]int{c.l, c.i}] += c.n
		}
		return out, nil
	}
	if inherent, err = count("t.likelihood", "t.impact"); err != nil {
		return nil, nil, err
	}
	residual, err = count("CASE WHEN t.residual_likelihood = 0 THEN t.likelihood ELSE t.residual_likelihood END", "CASE WHEN t.residual_impact = 0 THEN t.impact ELSE t.residual_impact END")
	return inherent, residual, err
}
