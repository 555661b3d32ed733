package store

import (
	"context"
	"fmt"

	"github.com/attest-dev/attest"
)

// The request list reads evidence the way slots need it: the dates of the
// current items linked to the controls asked for, through the index on
// evidence_links (org_id, control_id), with no titles, hashes or
// statements. A page reads its own controls' items only, so its cost does
// not grow with the evidence of controls it does not show.

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
	return attest.BuildRequests(e, scope.Controls, items, statements, today), nil
}

// slotEvidence returns the current (not superseded) items linked to the
// controls named (nil: all) whose period meets the engagement's, with
// only what BuildRequests reads: ID, links, period, validity and when they
// were provided.
func (s *DB) slotEvidence(ctx context.Context, orgID int64, e *attest.Engagement, controlIDs []string) ([]*attest.Evidence, error) {
	start, end := attest.EngagementPeriod(e)
	if start.IsZero() || end.IsZero() || (controlIDs != nil && len(controlIDs) == 0) {
		return nil, nil
	}
	query := `SELECT l.evidence_id, l.control_id, l.need, v.period_start, v.period_end, v.valid_until, ` + s.dialect.earlierDay("v.collected_at", "v.created_at") + `
		FROM evidence_links l JOIN evidence v ON v.id = l.evidence_id
		WHERE l.org_id = ? AND v.org_id = ? AND v.superseded_by IS NULL AND v.period_start <= ? AND v.period_end >= ?`
	args := []any{orgID, orgID, end, start}
	if controlIDs != nil {
		query += ` AND l.control_id IN (` + placeholders(len(controlIDs)) + `)`
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
	return out, rows.Err()
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
