package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

// Records become evidence at their event, never by recomputation: when a
// change is independently approved, an internal test is found effective,
// or a training campaign or a checklist is completed, the transaction that
// records the event also stores a statement describing the record as an
// ordinary evidence item of its control (audited as evidence.create), and
// the record keeps that item's ID. The same event again (a checklist
// reopened and completed anew, a campaign whose new assignments are all
// done) stores a new statement that supersedes the record's earlier one,
// so the control's page and the auditor see what changed.

// recordItem is the statement a record's event makes.
type recordItem struct {
	// table and id are the record's; its evidence_id column gets the item.
	table string
	id    int64
	// controlID is the control the record is attached to; population is
	// the record's population kind, which picks the control's need (see
	// attest.NeedFor).
	controlID, population string
	// prev is the record's current item, superseded by the new one.
	prev             int64
	title, statement string
	source           string
	from, to         attest.Date
}

// recordEvidence stores ri's statement as evidence in tx and points the
// record at it. A control that is unknown or has no evidence need stores
// nothing (0): the record stands on its own.
func (s *DB) recordEvidence(ctx context.Context, tx *sql.Tx, orgID int64, ri recordItem) (int64, error) {
	if ri.controlID == "" {
		return 0, nil
	}
	c, err := s.findControl(ctx, tx, orgID, ri.controlID)
	if attest.ErrorCode(err) == attest.ENOTFOUND {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	c = attest.WithPopulations(s.fw, []*attest.Control{c})[0]
	need := attest.NeedFor(c, ri.population)
	if need < 0 {
		return 0, nil
	}
	now := s.now()
	today := attest.DateOf(now)
	// Evidence proves what has happened: a period is never later than
	// the day it is given.
	from, to := min(ri.from, today), min(ri.to, today)
	if from.IsZero() {
		from = today
	}
	if to.IsZero() || to.Before(from) {
		to = from
	}
	statement := ri.statement
	if len(statement) > 9900 {
		statement = statement[:9900] + " … (the full record is in Attest)"
	}
	e := &attest.Evidence{Kind: attest.EvidenceStatement, Title: ri.title, Statement: statement, Source: ri.source,
		ProvidedBy: attest.ActorFrom(ctx), CollectedAt: now, CreatedAt: now, PeriodStart: from, PeriodEnd: to,
		Supersedes: ri.prev, Links: []attest.EvidenceLinkRef{{ControlID: c.ID, Need: need}}}
	if len(e.Title) > 300 {
		e.Title = e.Title[:300]
	}
	e.ValidUntil = attest.DefaultValidUntil(today, []attest.EvidenceNeed{c.Evidence[need]})
	if err := e.Validate(); err != nil {
		return 0, err
	}
	var sup any
	if ri.prev != 0 {
		sup = ri.prev
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO evidence (org_id, kind, title, sha256, size, content_type, file_name, url, statement, source, provided_by,
		collected_at, period_start, period_end, valid_until, supersedes, created_at) VALUES (`+placeholders(17)+`)`,
		orgID, e.Kind, e.Title, "", 0, "", "", "", e.Statement, e.Source, e.ProvidedBy, e.CollectedAt, e.PeriodStart, e.PeriodEnd, e.ValidUntil, sup, e.CreatedAt)
	if err != nil {
		return 0, fmt.Errorf("store record evidence: %w", err)
	}
	e.ID = id
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO evidence_links (org_id, evidence_id, control_id, need, period_start, period_end, valid_until, provided_on)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), orgID, id, c.ID, need, e.PeriodStart, e.PeriodEnd, e.ValidUntil, e.ProvidedOn()); err != nil {
		return 0, fmt.Errorf("link record evidence: %w", s.dialect.normalize(err))
	}
	if ri.prev != 0 {
		// The earlier item may have been replaced by hand meanwhile; then
		// it stays as it is and the new item stands beside it.
		res, err := tx.ExecContext(ctx, s.q(`UPDATE evidence SET superseded_by = ? WHERE org_id = ? AND id = ? AND superseded_by IS NULL`), id, orgID, ri.prev)
		if err != nil {
			return 0, fmt.Errorf("supersede record evidence: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE evidence_links SET superseded = TRUE WHERE org_id = ? AND evidence_id = ?`), orgID, ri.prev); err != nil {
				return 0, fmt.Errorf("supersede record evidence links: %w", err)
			}
		} else {
			e.Supersedes = 0
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE evidence SET supersedes = NULL WHERE org_id = ? AND id = ?`), orgID, id); err != nil {
				return 0, fmt.Errorf("store record evidence: %w", err)
			}
		}
	}
	if err := s.appendAudit(ctx, tx, orgID, "evidence.create", "evidence", strconv.FormatInt(id, 10), nil, e); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE `+ri.table+` SET evidence_id = ? WHERE org_id = ? AND id = ?`), id, orgID, ri.id); err != nil {
		return 0, fmt.Errorf("keep record evidence: %w", err)
	}
	return id, nil
}
