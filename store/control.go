package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/attest-dev/attest"
)

const controlColumns = `id, name, description, owner_role, frequency, automatable, evidence, custom, status, owner_user_id, owner_note, due_date, notes, justification, updated_at`

func scanControl(row interface{ Scan(...any) error }) (*attest.Control, error) {
	return scanControlWith(row)
}

// scanControlWith scans a control and then the extra columns into more.
func scanControlWith(row interface{ Scan(...any) error }, more ...any) (*attest.Control, error) {
	c := &attest.Control{}
	var evidence string
	var owner sql.NullInt64
	if err := row.Scan(append([]any{&c.ID, &c.Name, &c.Description, &c.OwnerRole, &c.Frequency, &c.Automatable, &evidence,
		&c.Custom, &c.Status, &owner, &c.OwnerNote, &c.DueDate, &c.Notes, &c.Justification, &c.UpdatedAt}, more...)...); err != nil {
		return nil, err
	}
	c.OwnerID = owner.Int64
	c.Criteria = []string{}
	c.Evidence = []attest.EvidenceNeed{}
	return c, fromJSON(evidence, &c.Evidence)
}

func (s *DB) insertControl(ctx context.Context, x queryer, orgID int64, c *attest.Control) error {
	if c.Evidence == nil {
		c.Evidence = []attest.EvidenceNeed{}
	}
	var criteria []string // each once, as the mapping table keeps them
	for _, crit := range c.Criteria {
		if !slices.Contains(criteria, crit) {
			criteria = append(criteria, crit)
		}
	}
	_, err := x.ExecContext(ctx, s.q(`INSERT INTO controls (org_id, `+controlColumns+`, criteria) VALUES (?, `+placeholders(16)+`)`),
		orgID, c.ID, c.Name, c.Description, c.OwnerRole, c.Frequency, c.Automatable, jsonText(c.Evidence), c.Custom,
		c.Status, nullInt(c.OwnerID), c.OwnerNote, c.DueDate, c.Notes, c.Justification, c.UpdatedAt, strings.Join(criteria, ","))
	if err != nil {
		return s.dialect.normalize(err)
	}
	for _, crit := range c.Criteria {
		if _, err := x.ExecContext(ctx, s.q(`INSERT INTO control_criteria (org_id, control_id, criterion_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
			orgID, c.ID, crit); err != nil {
			return s.dialect.normalize(err)
		}
	}
	return nil
}

// FindControlByID returns the organization's control, or ENOTFOUND.
func (s *DB) FindControlByID(ctx context.Context, orgID int64, id string) (*attest.Control, error) {
	return s.findControl(ctx, s.db, orgID, id)
}

func (s *DB) findControl(ctx context.Context, x queryer, orgID int64, id string) (*attest.Control, error) {
	// One round trip: the control with its criteria joined by commas
	// (criterion IDs have none).
	var criteria sql.NullString
	c, err := scanControlWith(x.QueryRowContext(ctx, s.q(`SELECT `+controlColumns+`, (SELECT `+s.dialect.joinText("criterion_id")+` FROM control_criteria
		WHERE control_criteria.org_id = controls.org_id AND control_criteria.control_id = controls.id) FROM controls WHERE org_id = ? AND id = ?`), orgID, id), &criteria)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no control %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find control: %w", err)
	}
	if c.Owner, err = s.person(ctx, x, orgID, c.OwnerID); err != nil {
		return nil, err
	}
	if criteria.String != "" {
		c.Criteria = strings.Split(criteria.String, ",")
	}
	s.sortCriteria(c.Criteria)
	return c, nil
}

// FindControls returns the organization's controls that match f, by ID.
// The organization's controls are kept in memory until a control or
// mapping changes (every such change is audited as a "control" or
// "control_library" entity, see controlEntities) and shared between callers:
// they must not be modified (FindControlByID returns a control of one's own).
func (s *DB) FindControls(ctx context.Context, orgID int64, f attest.ControlFilter) ([]*attest.Control, error) {
	all, err := s.allControls(ctx, orgID)
	if err != nil {
		return nil, err
	}
	// Owners' names are read now, not cached with the controls: renaming
	// a member is not a change to a control.
	people, err := s.people(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	out := make([]*attest.Control, 0, len(all))
	for _, c := range all {
		if !f.Matches(c, s.fw) {
			continue
		}
		if c.OwnerID != 0 {
			cp := *c
			cp.Owner = people.Get(c.OwnerID)
			c = &cp
		}
		out = append(out, c)
	}
	return out, nil
}

// controlEntities are the audit log's entities whose changes change the
// controls table or their mappings. A new kind of change to controls must
// be audited under one of them, or cached controls would go stale.
var controlEntities = []string{"control", "control_library"}

// controlsCache keeps each organization's controls with the sequence
// number of the latest change to a control when they were read.
type controlsCache struct {
	mu sync.Mutex
	m  map[int64]controlsEntry
}

type controlsEntry struct {
	seq      int64
	controls []*attest.Control
}

// allControls returns the organization's controls, from the cache when no
// change to a control was audited since they were read. The sequence
// number is read first, so cached controls are never older than their key.
func (s *DB) allControls(ctx context.Context, orgID int64) ([]*attest.Control, error) {
	seq, err := s.latestChangeTo(ctx, orgID, controlEntities...)
	if err != nil {
		return nil, err
	}
	s.controls.mu.Lock()
	e, ok := s.controls.m[orgID]
	s.controls.mu.Unlock()
	if ok && e.seq == seq {
		return e.controls, nil
	}
	var all []*attest.Control
	if ok && e.seq < seq {
		if all, err = s.patchControls(ctx, orgID, e, seq); err != nil {
			return nil, err
		}
	}
	if all == nil {
		if all, err = s.readControls(ctx, orgID); err != nil {
			return nil, err
		}
	}
	s.controls.mu.Lock()
	if s.controls.m == nil {
		s.controls.m = map[int64]controlsEntry{}
	}
	s.controls.m[orgID] = controlsEntry{seq, all}
	s.controls.mu.Unlock()
	return all, nil
}

// maxPatched is how many changed controls are read one by one into kept
// controls before reading them all is cheaper.
const maxPatched = 50

// patchControls returns the kept controls with those changed after e was
// read (up to seq) read again, so that a change to one control costs one
// control's read, not the organization's. The kept slice is shared with
// other readers: the result is a copy. It returns nil when the changes
// are not ones it can patch (new controls, a library update, many
// changes): then everything is read again.
func (s *DB) patchControls(ctx context.Context, orgID int64, e controlsEntry, seq int64) ([]*attest.Control, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT entity, entity_id FROM audit_log
		WHERE org_id = ? AND entity IN (?, ?) AND seq > ? AND seq <= ?`), orgID, controlEntities[0], controlEntities[1], e.seq, seq)
	if err != nil {
		return nil, fmt.Errorf("find changed controls: %w", err)
	}
	var ids []string
	for rows.Next() {
		var entity, id string
		if err := rows.Scan(&entity, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("find changed controls: %w", err)
		}
		if entity != "control" || len(ids) == maxPatched {
			rows.Close()
			return nil, nil
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find changed controls: %w", err)
	}
	out := append([]*attest.Control(nil), e.controls...)
	at := make(map[string]int, len(out))
	for i, c := range out {
		at[c.ID] = i
	}
	for _, id := range ids {
		i, found := at[id]
		if !found {
			return nil, nil // a new control
		}
		c, err := s.findControl(ctx, s.db, orgID, id)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

func (s *DB) readControls(ctx context.Context, orgID int64) ([]*attest.Control, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+controlColumns+` FROM controls WHERE org_id = ? ORDER BY id`), orgID)
	if err != nil {
		return nil, fmt.Errorf("find controls: %w", err)
	}
	defer rows.Close()
	out := []*attest.Control{}
	byID := map[string]*attest.Control{}
	for rows.Next() {
		c, err := scanControl(rows)
		if err != nil {
			return nil, fmt.Errorf("find controls: %w", err)
		}
		out = append(out, c)
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find controls: %w", err)
	}
	if err := s.loadMappings(ctx, orgID, byID); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *DB) loadMappings(ctx context.Context, orgID int64, byID map[string]*attest.Control) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT control_id, criterion_id FROM control_criteria WHERE org_id = ?`), orgID)
	if err != nil {
		return fmt.Errorf("find control mappings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ctl, crit string
		if err := rows.Scan(&ctl, &crit); err != nil {
			return fmt.Errorf("find control mappings: %w", err)
		}
		if c := byID[ctl]; c != nil {
			c.Criteria = append(c.Criteria, crit)
		}
	}
	for _, c := range byID {
		s.sortCriteria(c.Criteria)
	}
	return rows.Err()
}

// sortCriteria orders criterion IDs as the framework lists them.
func (s *DB) sortCriteria(ids []string) {
	sort.SliceStable(ids, func(i, j int) bool { return s.fw.Position(ids[i]) < s.fw.Position(ids[j]) })
}

// CreateControl adds a custom control to the organization.
func (s *DB) CreateControl(ctx context.Context, orgID int64, c *attest.Control) error {
	c.Custom = true
	if err := c.Validate(s.fw); err != nil {
		return err
	}
	if len(c.Criteria) == 0 {
		return attest.Errorf(attest.EINVALID, "control %s must map to at least one criterion", c.ID)
	}
	c.UpdatedAt = s.now()
	s.sortCriteria(c.Criteria)
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if c.Owner, err = s.checkOwner(ctx, tx, orgID, c.OwnerID); err != nil {
			return err
		}
		if err := s.insertControl(ctx, tx, orgID, c); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "control.create", "control", c.ID, nil, c)
	})
	if attest.ErrorCode(err) == attest.ECONFLICT {
		return attest.Errorf(attest.ECONFLICT, "control %s already exists", c.ID)
	}
	if err != nil {
		return fmt.Errorf("create control: %w", err)
	}
	return nil
}

// UpdateControl changes a control's state.
func (s *DB) UpdateControl(ctx context.Context, orgID int64, id string, u attest.ControlUpdate) (*attest.Control, error) {
	var c *attest.Control
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		c, err = s.updateControl(ctx, tx, orgID, id, u)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// UpdateControls applies one change to several controls in one
// transaction, one audit entry each. The
// first control the change does not fit names itself in the error and
// nothing is changed.
func (s *DB) UpdateControls(ctx context.Context, orgID int64, ids []string, u attest.ControlUpdate) ([]*attest.Control, error) {
	if len(ids) == 0 {
		return nil, attest.Errorf(attest.EINVALID, "select at least one control")
	}
	out := make([]*attest.Control, 0, len(ids))
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			c, err := s.updateControl(ctx, tx, orgID, id, u)
			if attest.ErrorCode(err) == attest.EINVALID && !strings.Contains(attest.ErrorMessage(err), id) {
				return attest.Errorf(attest.EINVALID, "%s: %s", id, attest.ErrorMessage(err))
			}
			if err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateControl changes one control inside tx and audits the change.
func (s *DB) updateControl(ctx context.Context, tx *sql.Tx, orgID int64, id string, u attest.ControlUpdate) (*attest.Control, error) {
	if s.dialect == postgresDialect {
		return s.updateControlReturning(ctx, tx, orgID, id, u)
	}
	before, err := s.findControl(ctx, tx, orgID, id)
	if err != nil {
		return nil, err
	}
	cp := *before
	c := &cp
	if err := u.Apply(c); err != nil {
		return nil, err
	}
	if c.OwnerID != before.OwnerID {
		if c.Owner, err = s.checkOwner(ctx, tx, orgID, c.OwnerID); err != nil {
			return nil, err
		}
	}
	c.UpdatedAt = s.now()
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE controls SET status = ?, owner_user_id = ?, owner_note = ?, due_date = ?, notes = ?, justification = ?, updated_at = ? WHERE org_id = ? AND id = ?`),
		c.Status, nullInt(c.OwnerID), c.OwnerNote, c.DueDate, c.Notes, c.Justification, c.UpdatedAt, orgID, id); err != nil {
		return nil, s.dialect.normalize(err)
	}
	return c, s.appendAudit(ctx, tx, orgID, "control.update", "control", id, before, c)
}

// criteriaChange is what the audit log records of a mapping change: the
// criterion, and the control's criteria before or after.
type criteriaChange struct {
	Criterion string   `json:"criterion,omitempty"`
	Criteria  []string `json:"criteria"`
}

// keepCriteriaList writes the control's list of criteria (controls.criteria)
// from its mappings, in the transaction that changed them.
func (s *DB) keepCriteriaList(ctx context.Context, tx *sql.Tx, orgID int64, controlID string) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE controls SET criteria = COALESCE((SELECT `+s.dialect.joinText("m.criterion_id")+` FROM control_criteria m
		WHERE m.org_id = controls.org_id AND m.control_id = controls.id), '') WHERE org_id = ? AND id = ?`), orgID, controlID)
	if err != nil {
		return fmt.Errorf("list the criteria of control %s: %w", controlID, err)
	}
	return nil
}

// MapControl maps a control to a criterion; mapping twice is harmless and
// changes nothing, so it is not audited.
func (s *DB) MapControl(ctx context.Context, orgID int64, controlID, criterionID string) error {
	if err := s.fw.CheckCriteria([]string{criterionID}); err != nil {
		return err
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		c, err := s.findControl(ctx, tx, orgID, controlID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO control_criteria (org_id, control_id, criterion_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`),
			orgID, controlID, criterionID)
		if err != nil {
			return fmt.Errorf("map control: %w", s.dialect.normalize(err))
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if err := s.keepCriteriaList(ctx, tx, orgID, controlID); err != nil {
			return err
		}
		after := append(append([]string{}, c.Criteria...), criterionID)
		s.sortCriteria(after)
		return s.appendAudit(ctx, tx, orgID, "control.map", "control", controlID,
			criteriaChange{Criteria: c.Criteria}, criteriaChange{Criterion: criterionID, Criteria: after})
	})
}

// UnmapControl removes a mapping, or returns ENOTFOUND.
func (s *DB) UnmapControl(ctx context.Context, orgID int64, controlID, criterionID string) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		c, err := s.findControl(ctx, tx, orgID, controlID)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			return attest.Errorf(attest.ENOTFOUND, "control %s is not mapped to %s", controlID, criterionID)
		}
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM control_criteria WHERE org_id = ? AND control_id = ? AND criterion_id = ?`), orgID, controlID, criterionID)
		if err != nil {
			return fmt.Errorf("unmap control: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return attest.Errorf(attest.ENOTFOUND, "control %s is not mapped to %s", controlID, criterionID)
		}
		if err := s.keepCriteriaList(ctx, tx, orgID, controlID); err != nil {
			return err
		}
		after := []string{}
		for _, id := range c.Criteria {
			if id != criterionID {
				after = append(after, id)
			}
		}
		return s.appendAudit(ctx, tx, orgID, "control.unmap", "control", controlID,
			criteriaChange{Criterion: criterionID, Criteria: c.Criteria}, criteriaChange{Criteria: after})
	})
	if err != nil {
		return err
	}
	return nil
}

// updateControlReturning is updateControl in one round trip, for
// PostgreSQL, where the round trips of a write are most of its cost and an
// organization's writes queue behind each other's. The UPDATE merges u
// into the row as ControlUpdate.Apply does and returns the row as it was,
// with its criteria and owner; Apply then runs on that in Go, to validate
// the change and to check that both merges agree. A refused change returns
// its error, which rolls the UPDATE back with the rest of the change.
func (s *DB) updateControlReturning(ctx context.Context, tx *sql.Tx, orgID int64, id string, u attest.ControlUpdate) (*attest.Control, error) {
	var status, note, due, notes, justification sql.NullString
	var owner sql.NullInt64
	if u.Status != nil {
		status = sql.NullString{String: string(*u.Status), Valid: true}
	}
	if u.OwnerID != nil {
		owner = sql.NullInt64{Int64: *u.OwnerID, Valid: true}
	}
	if u.OwnerNote != nil {
		note = sql.NullString{String: strings.TrimSpace(*u.OwnerNote), Valid: true}
	}
	if u.DueDate != nil {
		d, err := attest.ParseDate(string(*u.DueDate))
		if err != nil {
			return nil, err
		}
		due = sql.NullString{String: string(d), Valid: true}
	}
	if u.Notes != nil {
		notes = sql.NullString{String: *u.Notes, Valid: true}
	}
	if u.Justification != nil {
		justification = sql.NullString{String: strings.TrimSpace(*u.Justification), Valid: true}
	}
	now := s.now()
	old := strings.ReplaceAll("o."+controlColumns, ", ", ", o.")
	// The update happens only when the merged row keeps the table's rules
	// (a known status; a justification when not applicable): otherwise
	// nothing is written, the old row still comes back, and Apply below
	// gives the refusal its words.
	row := tx.QueryRowContext(ctx, `WITH o AS (SELECT `+controlColumns+`, org_id,
				(SELECT string_agg(m.criterion_id, ',') FROM control_criteria m WHERE m.org_id = controls.org_id AND m.control_id = controls.id) AS criteria,
				(SELECT u.name FROM users u WHERE u.org_id = controls.org_id AND u.id = controls.owner_user_id) AS owner_name,
				(SELECT u.email FROM users u WHERE u.org_id = controls.org_id AND u.id = controls.owner_user_id) AS owner_email
			FROM controls WHERE org_id = $8 AND id = $9 FOR UPDATE),
		n AS (UPDATE controls c SET
			status = COALESCE($1, o.status),
			owner_user_id = CASE WHEN $2::bigint IS NULL THEN o.owner_user_id ELSE NULLIF($2, 0) END,
			owner_note = CASE WHEN $3::text IS NOT NULL THEN $3 WHEN COALESCE($2, 0) <> 0 THEN '' ELSE o.owner_note END,
			due_date = COALESCE($4, o.due_date),
			notes = COALESCE($5, o.notes),
			justification = CASE WHEN COALESCE($1, o.status) <> 'not_applicable' THEN '' ELSE COALESCE($6, o.justification) END,
			updated_at = $7
		FROM o WHERE c.org_id = o.org_id AND c.id = o.id
			AND COALESCE($1, o.status) IN ('not_started', 'in_progress', 'implemented', 'not_applicable')
			AND (COALESCE($1, o.status) <> 'not_applicable' OR COALESCE($6, o.justification) <> '')
		RETURNING c.status, c.owner_user_id, c.owner_note, c.due_date, c.notes, c.justification)
		SELECT `+old+`, o.criteria, o.owner_name, o.owner_email,
			n.status, n.owner_user_id, n.owner_note, n.due_date, n.notes, n.justification FROM o LEFT JOIN n ON true`,
		status, owner, note, due, notes, justification, now, orgID, id)
	var criteria, ownerName, ownerEmail sql.NullString
	var gotStatus, gotNote, gotDue, gotNotes, gotJust sql.NullString
	var gotOwner sql.NullInt64
	before, err := scanControlWith(row, &criteria, &ownerName, &ownerEmail,
		&gotStatus, &gotOwner, &gotNote, &gotDue, &gotNotes, &gotJust)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no control %q", id)
	}
	if err != nil {
		return nil, fmt.Errorf("update control: %w", s.dialect.normalize(err))
	}
	if criteria.String != "" {
		before.Criteria = strings.Split(criteria.String, ",")
	}
	s.sortCriteria(before.Criteria)
	if ownerName.Valid {
		before.Owner = &attest.Person{ID: before.OwnerID, Name: ownerName.String, Email: ownerEmail.String}
	}
	cp := *before
	c := &cp
	if err := u.Apply(c); err != nil {
		return nil, err
	}
	if c.OwnerID != before.OwnerID {
		if c.Owner, err = s.checkOwner(ctx, tx, orgID, c.OwnerID); err != nil {
			return nil, err
		}
	}
	c.UpdatedAt = now
	if !gotStatus.Valid || gotStatus.String != string(c.Status) || gotOwner.Int64 != c.OwnerID || gotNote.String != c.OwnerNote ||
		gotDue.String != string(c.DueDate) || gotNotes.String != c.Notes || gotJust.String != c.Justification {
		return nil, fmt.Errorf("update control %s: the database merged the change (%v %v %q %v %q %q) otherwise than the domain (%+v)",
			id, gotStatus, gotOwner, gotNote.String, gotDue, gotNotes.String, gotJust.String, *c)
	}
	return c, s.appendAudit(ctx, tx, orgID, "control.update", "control", id, before, c)
}
