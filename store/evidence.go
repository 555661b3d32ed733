package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Evidence is audited as evidence.create and evidence.not_applicable. Items
// are never updated but for superseded_by, set once when a newer version
// replaces them.

var (
	_ attest.EvidenceService = (*DB)(nil)
	_ attest.RequestService  = (*DB)(nil)
)

const evidenceColumns = `id, kind, title, sha256, size, content_type, file_name, url, statement, source, provided_by, collected_at,
	period_start, period_end, valid_until, supersedes, superseded_by, created_at`

func scanEvidence(row rowScanner) (*attest.Evidence, error) {
	e := &attest.Evidence{Links: []attest.EvidenceLinkRef{}}
	var sup, supBy sql.NullInt64
	if err := row.Scan(&e.ID, &e.Kind, &e.Title, &e.SHA256, &e.Size, &e.ContentType, &e.FileName, &e.URL, &e.Statement, &e.Source,
		&e.ProvidedBy, &e.CollectedAt, &e.PeriodStart, &e.PeriodEnd, &e.ValidUntil, &sup, &supBy, &e.CreatedAt); err != nil {
		return nil, err
	}
	e.Supersedes, e.SupersededBy = sup.Int64, supBy.Int64
	e.CollectedAt, e.CreatedAt = e.CollectedAt.UTC(), e.CreatedAt.UTC()
	return e, nil
}

// CreateEvidence stores a new item, and supersedes the one it replaces.
func (s *DB) CreateEvidence(ctx context.Context, orgID int64, e *attest.Evidence) error {
	if err := s.prepareEvidence(ctx, e); err != nil {
		return err
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error { return s.createEvidence(ctx, tx, orgID, e) })
	if err != nil {
		return fmt.Errorf("create evidence: %w", err)
	}
	return nil
}

// prepareEvidence checks a new item and fills what it may leave out: who
// provided it, when it was collected.
func (s *DB) prepareEvidence(ctx context.Context, e *attest.Evidence) error {
	if e.ProvidedBy == "" {
		e.ProvidedBy = attest.ActorFrom(ctx)
	}
	if err := e.Validate(); err != nil {
		return err
	}
	now := s.now()
	if e.CollectedAt.IsZero() {
		e.CollectedAt = now
	}
	e.CollectedAt = e.CollectedAt.UTC() // request lists read its day as stored
	e.CreatedAt, e.SupersededBy = now, 0
	return nil
}

// createEvidence stores a prepared item within tx, with its links and its
// audit entry.
func (s *DB) createEvidence(ctx context.Context, tx *sql.Tx, orgID int64, e *attest.Evidence) error {
	seen := map[attest.EvidenceLinkRef]bool{}
	var needs []attest.EvidenceNeed
	for _, l := range e.Links {
		c, err := s.findControl(ctx, tx, orgID, l.ControlID)
		if err != nil {
			return err
		}
		if l.Need < 0 || l.Need >= len(c.Evidence) {
			return attest.Errorf(attest.ENOTFOUND, "control %s has no evidence need %d", c.ID, l.Need)
		}
		if seen[l] {
			return attest.Errorf(attest.EINVALID, "the item names control %s need %d twice", l.ControlID, l.Need)
		}
		seen[l] = true
		needs = append(needs, c.Evidence[l.Need])
	}
	if e.ValidUntil.IsZero() {
		e.ValidUntil = attest.DefaultValidUntil(attest.DateOf(e.CollectedAt), needs)
	}
	var old *attest.Evidence
	if e.Supersedes != 0 {
		var err error
		if old, err = s.findEvidence(ctx, tx, orgID, e.Supersedes); err != nil {
			return err
		}
		if old.SupersededBy != 0 {
			return attest.Errorf(attest.ECONFLICT, "evidence %d was already replaced by %d", old.ID, old.SupersededBy)
		}
	}
	var sup any
	if e.Supersedes != 0 {
		sup = e.Supersedes
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO evidence (org_id, kind, title, sha256, size, content_type, file_name, url, statement, source, provided_by,
		collected_at, period_start, period_end, valid_until, supersedes, created_at) VALUES (`+placeholders(17)+`)`,
		orgID, e.Kind, e.Title, e.SHA256, e.Size, e.ContentType, e.FileName, e.URL, e.Statement, e.Source, e.ProvidedBy,
		e.CollectedAt, e.PeriodStart, e.PeriodEnd, e.ValidUntil, sup, e.CreatedAt)
	if err != nil {
		return err
	}
	e.ID = id
	for _, l := range e.Links {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO evidence_links (org_id, evidence_id, control_id, need, period_start, period_end, valid_until, provided_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), orgID, id, l.ControlID, l.Need, e.PeriodStart, e.PeriodEnd, e.ValidUntil, e.ProvidedOn()); err != nil {
			return fmt.Errorf("link evidence: %w", s.dialect.normalize(err))
		}
	}
	if old != nil {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE evidence SET superseded_by = ? WHERE org_id = ? AND id = ? AND superseded_by IS NULL`), id, orgID, old.ID)
		if err != nil {
			return fmt.Errorf("supersede evidence: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return attest.Errorf(attest.ECONFLICT, "evidence %d was replaced meanwhile", old.ID)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE evidence_links SET superseded = TRUE WHERE org_id = ? AND evidence_id = ?`), orgID, old.ID); err != nil {
			return fmt.Errorf("supersede evidence links: %w", err)
		}
	}
	return s.appendAudit(ctx, tx, orgID, "evidence.create", "evidence", strconv.FormatInt(id, 10), nil, e)
}

// FindEvidenceByID returns one item with its links.
func (s *DB) FindEvidenceByID(ctx context.Context, orgID, id int64) (*attest.Evidence, error) {
	return s.findEvidence(ctx, s.db, orgID, id)
}

func (s *DB) findEvidence(ctx context.Context, x queryer, orgID, id int64) (*attest.Evidence, error) {
	items, err := s.queryEvidence(ctx, x, orgID, `WHERE org_id = ? AND id = ?`, orgID, id)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, attest.Errorf(attest.ENOTFOUND, "no evidence %d", id)
	}
	return items[0], nil
}

// FindEvidence returns the items serving a control, or all items for "",
// newest first.
func (s *DB) FindEvidence(ctx context.Context, orgID int64, controlID string) ([]*attest.Evidence, error) {
	if controlID == "" {
		return s.queryEvidence(ctx, s.db, orgID, `WHERE org_id = ? ORDER BY id DESC`, orgID)
	}
	return s.queryEvidence(ctx, s.db, orgID, `WHERE org_id = ? AND id IN (SELECT evidence_id FROM evidence_links WHERE org_id = ? AND control_id = ?) ORDER BY id DESC`,
		orgID, orgID, controlID)
}

// RecentEvidence returns the newest limit items serving a control and how
// many serve it in all, for a control's page.
func (s *DB) RecentEvidence(ctx context.Context, orgID int64, controlID string, limit int) ([]*attest.Evidence, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(DISTINCT evidence_id) FROM evidence_links WHERE org_id = ? AND control_id = ?`), orgID, controlID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count evidence: %w", err)
	}
	items, err := s.queryEvidence(ctx, s.db, orgID, `WHERE org_id = ? AND id IN (SELECT evidence_id FROM evidence_links WHERE org_id = ? AND control_id = ?) ORDER BY id DESC LIMIT ?`,
		orgID, orgID, controlID, limit)
	return items, total, err
}

// queryEvidence runs a query on evidence and fills in each item's links.
func (s *DB) queryEvidence(ctx context.Context, x queryer, orgID int64, where string, args ...any) ([]*attest.Evidence, error) {
	items, err := queryAll(ctx, x, "find evidence", scanEvidence, s.q(`SELECT `+evidenceColumns+` FROM evidence `+where), args...)
	if err != nil || len(items) == 0 {
		return items, err
	}
	byID := make(map[int64]*attest.Evidence, len(items))
	ids := make([]any, 0, len(items)+1)
	ids = append(ids, orgID)
	for _, it := range items {
		byID[it.ID] = it
		ids = append(ids, it.ID)
	}
	// The links of up to 500 items at a time; the organization's whole
	// when the query read all its items.
	whole := strings.HasPrefix(where, `WHERE org_id = ? ORDER BY`)
	for from := 1; from < len(ids); from += 500 {
		query, args := `SELECT evidence_id, control_id, need FROM evidence_links WHERE org_id = ?`, ids[:1]
		if !whole {
			// By the items' IDs alone (they are this organization's): with
			// the organization's ID beside them, SQLite's planner reads all
			// of the organization's links through another index.
			to := min(from+500, len(ids))
			query, args = `SELECT evidence_id, control_id, need FROM evidence_links WHERE evidence_id IN (`+placeholders(to-from)+`)`, ids[from:to]
		}
		if err := s.readLinks(ctx, x, byID, query+` ORDER BY evidence_id, control_id, need`, args); err != nil {
			return nil, err
		}
		if whole {
			break
		}
	}
	return items, nil
}

// readLinks adds the links a query returns to the items they belong to.
func (s *DB) readLinks(ctx context.Context, x queryer, byID map[int64]*attest.Evidence, query string, args []any) error {
	rows, err := x.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("find evidence links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var l attest.EvidenceLinkRef
		if err := rows.Scan(&id, &l.ControlID, &l.Need); err != nil {
			return fmt.Errorf("find evidence links: %w", err)
		}
		if it := byID[id]; it != nil {
			it.Links = append(it.Links, l)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find evidence links: %w", err)
	}
	return nil
}

// EvidenceBlobs returns the SHA-256 of every stored file item, in every
// organization, for `attest verify`.
func (s *DB) EvidenceBlobs(ctx context.Context) ([]string, error) {
	return queryAll(ctx, s.db, "find evidence blobs", func(r rowScanner) (string, error) {
		var h string
		return h, r.Scan(&h)
	}, `SELECT DISTINCT sha256 FROM evidence WHERE kind = 'file' ORDER BY sha256`)
}

// FindSlotStatements returns the not-applicable statements of an engagement.
func (s *DB) FindSlotStatements(ctx context.Context, orgID, engagementID int64) ([]*attest.SlotStatement, error) {
	return queryAll(ctx, s.db, "find slot statements", func(r rowScanner) (*attest.SlotStatement, error) {
		st := &attest.SlotStatement{}
		return st, r.Scan(&st.EngagementID, &st.ControlID, &st.Need, &st.PeriodStart, &st.Statement, &st.By, &st.At)
	}, s.q(`SELECT engagement_id, control_id, need, period_start, statement, by_actor, at FROM evidence_slot_statements WHERE org_id = ? AND engagement_id = ? ORDER BY control_id, need, period_start`),
		orgID, engagementID)
}

// Requests derives the engagement's request list as of today.
func (s *DB) Requests(ctx context.Context, orgID, engagementID int64) ([]*attest.EvidenceRequest, error) {
	e, err := s.FindEngagementByID(ctx, orgID, engagementID)
	if err != nil {
		return nil, err
	}
	controls, err := s.FindControls(ctx, orgID, attest.ControlFilter{})
	if err != nil {
		return nil, err
	}
	return s.requestsFor(ctx, orgID, e, controls, nil, s.today())
}

// requestsOf builds the whole request list from the organization's
// controls for coverage: every slot's state, with one item named per
// covered slot (see RequestSummary), at a cost that follows the slots
// rather than the items. Requests names every item.
func (s *DB) requestsOf(ctx context.Context, orgID int64, e *attest.Engagement, controls []*attest.Control, today attest.Date) ([]*attest.EvidenceRequest, error) {
	return s.summaryOf(ctx, orgID, e, controls, today)
}

// MarkSlotNotApplicable records that a slot had nothing to prove.
func (s *DB) MarkSlotNotApplicable(ctx context.Context, orgID int64, st *attest.SlotStatement) error {
	st.Statement = strings.TrimSpace(st.Statement)
	if st.Statement == "" {
		return attest.FieldErrorf("statement", "say why nothing is needed for this period (for example: no new hires)")
	}
	reqs, err := s.Requests(ctx, orgID, st.EngagementID)
	if err != nil {
		return err
	}
	found := false
	for _, r := range reqs {
		if r.ControlID == st.ControlID && r.Need == st.Need {
			for _, sl := range r.Slots {
				found = found || sl.Start == st.PeriodStart
			}
		}
	}
	if !found {
		return attest.Errorf(attest.ENOTFOUND, "the request list has no period starting %s for control %s need %d", st.PeriodStart, st.ControlID, st.Need)
	}
	st.By, st.At = attest.ActorFrom(ctx), s.now()
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO evidence_slot_statements (org_id, engagement_id, control_id, need, period_start, statement, by_actor, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (engagement_id, control_id, need, period_start) DO UPDATE SET statement = excluded.statement, by_actor = excluded.by_actor, at = excluded.at`),
			orgID, st.EngagementID, st.ControlID, st.Need, st.PeriodStart, st.Statement, st.By, st.At)
		if err != nil {
			return fmt.Errorf("mark slot not applicable: %w", s.dialect.normalize(err))
		}
		return s.appendAudit(ctx, tx, orgID, "evidence.not_applicable", "control", st.ControlID, nil, st)
	})
}

// SigningKey returns the organization's package signing key: the public
// key and the sealed private key, or ENOTFOUND before the first.
func (s *DB) SigningKey(ctx context.Context, orgID int64) (public, sealedPrivate string, err error) {
	err = s.db.QueryRowContext(ctx, s.q(`SELECT public_key, private_key FROM org_signing_keys WHERE org_id = ?`), orgID).Scan(&public, &sealedPrivate)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", attest.Errorf(attest.ENOTFOUND, "the organization has no signing key yet")
	}
	return public, sealedPrivate, err
}

// SaveSigningKey stores the organization's first signing key. When another
// process saved one meanwhile, that one is kept and returned.
func (s *DB) SaveSigningKey(ctx context.Context, orgID int64, public, sealedPrivate string) (string, string, error) {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO org_signing_keys (org_id, public_key, private_key, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (org_id) DO NOTHING`),
			orgID, public, sealedPrivate, s.now())
		if err != nil {
			return fmt.Errorf("save signing key: %w", s.dialect.normalize(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.appendAudit(ctx, tx, orgID, "signing_key.create", "organization", strconv.FormatInt(orgID, 10), nil, map[string]string{"public_key": public})
	})
	if err != nil {
		return "", "", err
	}
	return s.SigningKey(ctx, orgID)
}
