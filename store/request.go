package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
)

// The request list reads evidence the way slots need it, from the links
// alone: each link carries its item's period, validity, the day it was
// provided and whether it was replaced (migration 00070), under the index
// evidence_links_slots (org_id, control_id, need, period_end, ...), which
// holds every column these reads need. A page reads its own controls'
// links only; RequestSummary reads one index entry per slot.

// ControlRequests derives the requests of the given controls in the
// engagement (those of them in its scope and applicable), reading only
// the evidence linked to those controls.
func (s *DB) ControlRequests(ctx context.Context, orgID int64, e *attest.Engagement, controls []*attest.Control) ([]*attest.EvidenceRequest, error) {
	if len(controls) == 0 {
		return []*attest.EvidenceRequest{}, nil
	}
	ids := make([]string, len(controls))
	for i, c := range controls {
		ids[i] = c.ID
	}
	return s.requestsFor(ctx, orgID, e, controls, ids, s.today())
}

// requestsFor builds the requests of controls from the slot evidence of
// controlIDs (nil: every control of the organization).
func (s *DB) requestsFor(ctx context.Context, orgID int64, e *attest.Engagement, controls []*attest.Control, controlIDs []string, today attest.Date) ([]*attest.EvidenceRequest, error) {
	items, err := s.slotEvidence(ctx, orgID, e, controlIDs)
	if err != nil {
		return nil, err
	}
	statements, err := s.FindSlotStatements(ctx, orgID, e.ID)
	if err != nil {
		return nil, err
	}
	scope := attest.DeriveScope(s.fw, e.Categories, controls)
	inScope := attest.WithPopulations(s.fw, scope.Controls)
	reqs := attest.BuildRequests(e, inScope, items, statements, today)
	return reqs, s.applyCheckCoverage(ctx, orgID, e, inScope, reqs, today)
}

// slotEvidence returns the current (not superseded) items linked to the
// controls named (nil: all) whose period meets the engagement's, with
// only what BuildRequests reads: ID, links, period, validity and the day
// they were provided.
func (s *DB) slotEvidence(ctx context.Context, orgID int64, e *attest.Engagement, controlIDs []string) ([]*attest.Evidence, error) {
	start, end := attest.EngagementPeriod(e)
	if start.IsZero() || end.IsZero() || (controlIDs != nil && len(controlIDs) == 0) {
		return nil, nil
	}
	query := `SELECT evidence_id, control_id, need, period_start, period_end, valid_until, provided_on
		FROM evidence_links WHERE org_id = ? AND NOT superseded AND period_end >= ? AND period_start <= ?`
	args := []any{orgID, start, end}
	if controlIDs != nil {
		query += ` AND control_id IN (` + placeholders(len(controlIDs)) + `)`
		for _, id := range controlIDs {
			args = append(args, id)
		}
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("find slot evidence: %w", err)
	}
	defer rows.Close()
	byID := map[int64]*attest.Evidence{}
	var out []*attest.Evidence
	for rows.Next() {
		var id int64
		var l attest.EvidenceLinkRef
		var ps, pe, vu, provided attest.Date
		if err := rows.Scan(&id, &l.ControlID, &l.Need, &ps, &pe, &vu, &provided); err != nil {
			return nil, fmt.Errorf("find slot evidence: %w", err)
		}
		it := byID[id]
		if it == nil {
			// Only the day an item was provided matters to its slots.
			at := provided.Time()
			it = &attest.Evidence{ID: id, PeriodStart: ps, PeriodEnd: pe, ValidUntil: vu, CollectedAt: at, CreatedAt: at}
			byID[id] = it
			out = append(out, it)
		}
		it.Links = append(it.Links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find slot evidence: %w", err)
	}
	return out, nil
}

// slotsPerQuery bounds the slots one summary statement asks about (six
// parameters each, well under both databases' limits).
const slotsPerQuery = 1000

// RequestSummary derives the requests of the given controls like
// ControlRequests, except that a covered slot names only one item that
// covers it (the one whose period ends first): the database answers each
// slot from the first qualifying entry of the slots index, so the cost
// follows the number of slots, not of items. For lists; a control's page
// and exports use ControlRequests, which names every item.
func (s *DB) RequestSummary(ctx context.Context, orgID int64, e *attest.Engagement, controls []*attest.Control) ([]*attest.EvidenceRequest, error) {
	if len(controls) == 0 {
		return []*attest.EvidenceRequest{}, nil
	}
	return s.summaryOf(ctx, orgID, e, controls, s.today())
}

// summaryOf is RequestSummary as of today.
func (s *DB) summaryOf(ctx context.Context, orgID int64, e *attest.Engagement, controls []*attest.Control, today attest.Date) ([]*attest.EvidenceRequest, error) {
	statements, err := s.FindSlotStatements(ctx, orgID, e.ID)
	if err != nil {
		return nil, err
	}
	inScope := attest.WithPopulations(s.fw, attest.DeriveScope(s.fw, e.Categories, controls).Controls)
	reqs := attest.BuildRequests(e, inScope, nil, statements, today)
	type ref struct{ r, s int }
	var slots []ref
	for i, r := range reqs {
		for j := range r.Slots {
			slots = append(slots, ref{i, j})
		}
	}
	typeI := e.ReportType == attest.TypeI
	for from := 0; from < len(slots); from += slotsPerQuery {
		part := slots[from:min(from+slotsPerQuery, len(slots))]
		values := make([]string, len(part))
		args := make([]any, 0, 6*len(part)+1)
		for k, sr := range part {
			r, sl := reqs[sr.r], &reqs[sr.r].Slots[sr.s]
			validAt := sl.End
			if today.Before(validAt) {
				validAt = today
			}
			// An item counts for a slot begun by the day it was provided;
			// a Type I report's single day is exempt (see Evidence.Covers).
			providedBy := sl.Start
			if typeI {
				providedBy = "0000-00-00"
			}
			values[k] = "(CAST(? AS INTEGER), ?, CAST(? AS INTEGER), ?, ?, ?, ?)"
			args = append(args, k, r.ControlID, r.Need, sl.Start, sl.End, validAt, providedBy)
		}
		args = append(args, orgID) // the subquery's, after the slots in the text
		query := `WITH slots (k, control_id, need, s, e, valid_at, provided_by) AS (VALUES ` + strings.Join(values, ", ") + `)
			SELECT k, (SELECT l.evidence_id FROM evidence_links l
				WHERE l.org_id = ? AND l.control_id = slots.control_id AND l.need = slots.need AND l.period_end >= slots.s
				AND l.period_start <= slots.e AND NOT l.superseded AND (l.valid_until = '' OR l.valid_until >= slots.valid_at)
				AND l.provided_on <> '' AND l.provided_on >= slots.provided_by
				ORDER BY l.period_end LIMIT 1) FROM slots`
		if err := s.readSummary(ctx, query, args, func(k int, item int64) {
			sr := part[k]
			reqs[sr.r].Slots[sr.s].Provide(item)
		}); err != nil {
			return nil, err
		}
	}
	return reqs, s.applyCheckCoverage(ctx, orgID, e, inScope, reqs, today)
}

// readSummary runs a summary statement and hands each covered slot's key
// and item to fn.
func (s *DB) readSummary(ctx context.Context, query string, args []any, fn func(k int, item int64)) error {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("summarize slots: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k int
		var item sql.NullInt64
		if err := rows.Scan(&k, &item); err != nil {
			return fmt.Errorf("summarize slots: %w", err)
		}
		if item.Valid {
			fn(k, item.Int64)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("summarize slots: %w", err)
	}
	return nil
}

// EvidenceTitles returns the titles of the items named, for the slots a
// page shows; unknown IDs are left out.
func (s *DB) EvidenceTitles(ctx context.Context, orgID int64, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := []any{orgID}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, title FROM evidence WHERE org_id = ? AND id IN (`+placeholders(n)+`)`), args...)
		if err != nil {
			return nil, fmt.Errorf("find evidence titles: %w", err)
		}
		for rows.Next() {
			var id int64
			var title string
			if err := rows.Scan(&id, &title); err != nil {
				rows.Close()
				return nil, fmt.Errorf("find evidence titles: %w", err)
			}
			out[id] = title
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("find evidence titles: %w", err)
		}
		ids = ids[n:]
	}
	return out, nil
}
