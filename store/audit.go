package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// The audit log. Every change to an organization's data appends one entry
// in the change's own transaction, so the change and its entry commit or
// roll back together. Actions are "<entity>.<verb>": organization.create,
// control_library.sync, user.create, token.create, token.revoke,
// control.create, control.update, control.map, control.unmap,
// engagement.create, engagement.update, system.add, system.update, system.remove,
// task.create and task.update. Readiness snapshots are derived data and are
// not audited. Nothing in Attest updates or deletes an entry.

// Paging limits of FindAuditLog.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

const auditColumns = `org_id, seq, at, actor, action, entity, entity_id, before, after, prev_hash, hash`

// auditInsertColumns adds what is stored beside an entry but not part of
// its hash: the engagement it is about, which scopes an auditor's view.
const auditInsertColumns = auditColumns + `, engagement_id`

// auditInsertArgs are the values of auditInsertColumns for e.
func auditInsertArgs(e *attest.AuditEntry) []any {
	return []any{e.OrgID, e.Seq, e.At, e.Actor, e.Action, e.Entity, e.EntityID, string(e.Before), string(e.After), e.PrevHash, e.Hash, auditEngagement(e)}
}

// auditEngagement is the engagement an entry is about: the engagement
// itself, or the engagement_id its new (else its old) value names; nil
// for entries about the whole organization (controls, policies, users).
func auditEngagement(e *attest.AuditEntry) *int64 {
	if e.Entity == "engagement" {
		if id, err := strconv.ParseInt(e.EntityID, 10, 64); err == nil {
			return &id
		}
		return nil
	}
	for _, raw := range []json.RawMessage{e.After, e.Before} {
		if !bytes.Contains(raw, []byte(`"engagement_id"`)) {
			continue // most entries: no decoding
		}
		var v struct {
			EngagementID *int64 `json:"engagement_id"`
		}
		if json.Unmarshal(raw, &v) == nil && v.EngagementID != nil {
			return v.EngagementID
		}
	}
	return nil
}

// change runs fn in a transaction that first locks the organization's audit
// head. Every audited change goes through it: on PostgreSQL the lock queues
// an organization's writers, so the "before" a change reads is what the
// change before it left, and the chain's order is the order of the changes.
// (SQLite transactions are IMMEDIATE: one writer at a time already.) The
// lock is always the first one a change takes, so writers cannot deadlock
// on it.
//
// On PostgreSQL, changes of one organization that queue behind each other
// are committed together (group_commit.go).
func (s *DB) change(ctx context.Context, orgID int64, fn func(tx *sql.Tx) error) error {
	if s.dialect == postgresDialect {
		return s.groupChange(ctx, orgID, fn)
	}
	return s.changeAlone(ctx, orgID, fn)
}

// changeAlone runs one change in a transaction of its own.
func (s *DB) changeAlone(ctx context.Context, orgID int64, fn func(tx *sql.Tx) error) error {
	var appended bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		seq, hash, err := s.lockAuditHead(ctx, tx, orgID)
		if err != nil {
			return err
		}
		// The head stays in memory while fn appends entries and is written
		// once at the end: one statement per entry, not three.
		h := &txHead{org: orgID, seq: seq, hash: hash}
		s.heads.Store(tx, h)
		defer s.heads.Delete(tx)
		if err := fn(tx); err != nil {
			return err
		}
		if appended = h.seq != seq; !appended {
			return nil
		}
		return s.flushAudit(ctx, tx, h, true)
	})
	if err == nil && appended {
		s.changed(orgID) // the derived figures are stale now
	}
	return err
}

// txHead is an organization's audit head as a change's transaction
// advances it, with the entries appended since the last flush.
type txHead struct {
	org     int64
	seq     int64
	hash    string
	pending []*attest.AuditEntry
}

// maxPendingAudit is how many entries a change holds before writing them.
const maxPendingAudit = 1000

// flushAudit inserts the pending entries in one statement and, with
// advance, moves the stored head to the last: on PostgreSQL both in one
// statement, as every round trip here is spent holding the organization's
// audit head.
func (s *DB) flushAudit(ctx context.Context, tx *sql.Tx, h *txHead, advance bool) error {
	var insert string
	var args []any
	if len(h.pending) > 0 {
		rows := make([]string, len(h.pending))
		for i, e := range h.pending {
			rows[i] = "(" + placeholders(12) + ")"
			args = append(args, auditInsertArgs(e)...)
		}
		insert = `INSERT INTO audit_log (` + auditInsertColumns + `) VALUES ` + strings.Join(rows, ", ")
	}
	first := h.seq - int64(len(h.pending)) + 1
	h.pending = h.pending[:0]
	update := `UPDATE audit_heads SET seq = ?, hash = ? WHERE org_id = ?`
	switch {
	case insert != "" && advance && s.dialect == postgresDialect:
		_, err := tx.ExecContext(ctx, s.q(`WITH appended AS (`+insert+`) `+update), append(args, h.seq, h.hash, h.org)...)
		if err != nil {
			return fmt.Errorf("append audit entries %d to %d (run 'attest verify'): %w", first, h.seq, err)
		}
		return nil
	case insert != "":
		// Not normalized: a conflict here means the head is behind the
		// stored entries, which is damage, not a user's mistake.
		if _, err := tx.ExecContext(ctx, s.q(insert), args...); err != nil {
			return fmt.Errorf("append audit entries %d to %d (run 'attest verify'): %w", first, h.seq, err)
		}
	}
	if advance {
		if _, err := tx.ExecContext(ctx, s.q(update), h.seq, h.hash, h.org); err != nil {
			return fmt.Errorf("advance audit head: %w", err)
		}
	}
	return nil
}

// lockAuditHead returns the sequence number and hash of the organization's
// last entry (0 and "" before the first), locking its head row until tx
// ends.
func (s *DB) lockAuditHead(ctx context.Context, tx *sql.Tx, orgID int64) (int64, string, error) {
	query := s.q(`SELECT seq, hash FROM audit_heads WHERE org_id = ?` + s.dialect.forUpdate)
	var seq int64
	var hash string
	err := tx.QueryRowContext(ctx, query, orgID).Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		// A writer that races us here waits on the conflict until we commit,
		// then reads the head we left.
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_heads (org_id, seq, hash) VALUES (?, 0, '') ON CONFLICT DO NOTHING`), orgID); err != nil {
			return 0, "", fmt.Errorf("create audit head: %w", s.dialect.normalize(err))
		}
		err = tx.QueryRowContext(ctx, query, orgID).Scan(&seq, &hash)
	}
	if err != nil {
		return 0, "", fmt.Errorf("lock audit log: %w", err)
	}
	return seq, hash, nil
}

// appendAudit appends an entry for a change to the organization's log,
// inside the change's transaction tx. The actor comes from ctx; before and
// after are encoded as JSON (nil for none). Callers must not pass secrets:
// password hashes, token secrets or their hashes.
func (s *DB) appendAudit(ctx context.Context, tx *sql.Tx, orgID int64, action, entity, entityID string, before, after any) error {
	b, err := auditJSON(before)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	a, err := auditJSON(after)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	if v, ok := s.heads.Load(tx); ok && v.(*txHead).org == orgID {
		// Written with the head when the change ends (see flushAudit).
		h := v.(*txHead)
		e := s.auditEntry(ctx, orgID, h.seq, h.hash, action, entity, entityID, b, a)
		h.pending = append(h.pending, e)
		h.seq, h.hash = e.Seq, e.Hash
		if len(h.pending) >= maxPendingAudit { // within the databases' parameter limits
			return s.flushAudit(ctx, tx, h, false)
		}
		return nil
	}
	seq, prev, err := s.lockAuditHead(ctx, tx, orgID)
	if err != nil {
		return err
	}
	e := s.auditEntry(ctx, orgID, seq, prev, action, entity, entityID, b, a)
	if err := s.insertAudit(ctx, tx, e); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE audit_heads SET seq = ?, hash = ? WHERE org_id = ?`), e.Seq, e.Hash, orgID); err != nil {
		return fmt.Errorf("advance audit head: %w", err)
	}
	return nil
}

// auditEntry makes the entry that follows seq and prev, with its hash.
func (s *DB) auditEntry(ctx context.Context, orgID, seq int64, prev, action, entity, entityID string, before, after json.RawMessage) *attest.AuditEntry {
	e := &attest.AuditEntry{
		Seq: seq + 1, OrgID: orgID,
		// PostgreSQL keeps microseconds: the time is cut to them on both
		// databases, so the hash covers exactly what is stored.
		At:    s.now().Truncate(time.Microsecond),
		Actor: attest.ActorFrom(ctx), Action: action, Entity: entity, EntityID: entityID,
		Before: before, After: after, PrevHash: prev,
	}
	e.Hash = e.ComputeHash()
	return e
}

func (s *DB) insertAudit(ctx context.Context, tx *sql.Tx, e *attest.AuditEntry) error {
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (`+auditInsertColumns+`) VALUES (`+placeholders(12)+`)`), auditInsertArgs(e)...); err != nil {
		// Not normalized: a conflict here means the head is behind the
		// stored entries, which is damage, not a user's mistake.
		return fmt.Errorf("append audit entry %d (run 'attest verify'): %w", e.Seq, err)
	}
	return nil
}

// auditRecord is one entry for appendAudits.
type auditRecord struct {
	action, entity, entityID string
	before, after            any
}

// appendAudits appends several entries in as few statements as the
// databases' parameter limits allow (one COPY on PostgreSQL), inside a
// change's transaction (see change): what bulk changes such as an import
// use.
func (s *DB) appendAudits(ctx context.Context, tx *sql.Tx, orgID int64, records []auditRecord) error {
	v, ok := s.heads.Load(tx)
	if !ok || v.(*txHead).org != orgID {
		for _, r := range records {
			if err := s.appendAudit(ctx, tx, orgID, r.action, r.entity, r.entityID, r.before, r.after); err != nil {
				return err
			}
		}
		return nil
	}
	h := v.(*txHead)
	if err := s.flushAudit(ctx, tx, h, false); err != nil {
		return err
	}
	if s.dialect == postgresDialect {
		return s.copyAudits(ctx, tx, h, records)
	}
	const cols, batch = 12, 2000
	for start := 0; start < len(records); start += batch {
		part := records[start:min(start+batch, len(records))]
		rows := make([]string, len(part))
		args := make([]any, 0, cols*len(part))
		entries := make([]*attest.AuditEntry, len(part))
		seq, hash := h.seq, h.hash
		for i, r := range part {
			b, err := auditJSON(r.before)
			if err != nil {
				return fmt.Errorf("audit %s: %w", r.action, err)
			}
			a, err := auditJSON(r.after)
			if err != nil {
				return fmt.Errorf("audit %s: %w", r.action, err)
			}
			e := s.auditEntry(ctx, orgID, seq, hash, r.action, r.entity, r.entityID, b, a)
			seq, hash = e.Seq, e.Hash
			entries[i] = e
		}
		for i, e := range entries {
			rows[i] = "(" + placeholders(cols) + ")"
			args = append(args, auditInsertArgs(e)...)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_log (`+auditInsertColumns+`) VALUES `+strings.Join(rows, ", ")), args...); err != nil {
			return fmt.Errorf("append audit entries %d to %d (run 'attest verify'): %w", h.seq+1, seq, err)
		}
		h.seq, h.hash = seq, hash
	}
	return nil
}

func auditJSON(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}

func scanAudit(row interface{ Scan(...any) error }) (*attest.AuditEntry, error) {
	e := &attest.AuditEntry{}
	var before, after string
	if err := row.Scan(&e.OrgID, &e.Seq, &e.At, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &before, &after, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At = e.At.UTC()
	if before != "" {
		e.Before = json.RawMessage(before)
	}
	if after != "" {
		e.After = json.RawMessage(after)
	}
	return e, nil
}

// FindAuditLog returns the organization's entries that match f, newest
// first: at most f.Limit (100 when 0, never more than 1000). Since is
// inclusive, Until exclusive. A negative limit is EINVALID.
func (s *DB) FindAuditLog(ctx context.Context, orgID int64, f attest.AuditFilter) ([]*attest.AuditEntry, error) {
	limit := f.Limit
	switch {
	case limit < 0:
		return nil, attest.Errorf(attest.EINVALID, "the limit must not be negative")
	case limit == 0:
		limit = defaultAuditLimit
	case limit > maxAuditLimit:
		limit = maxAuditLimit
	}
	query := `SELECT ` + auditColumns + ` FROM audit_log WHERE org_id = ?`
	args := []any{orgID}
	for _, c := range []struct {
		column, value string
	}{{"actor", f.Actor}, {"action", f.Action}, {"entity", f.Entity}, {"entity_id", f.EntityID}} {
		if c.value != "" {
			query += ` AND ` + c.column + ` = ?`
			args = append(args, c.value)
		}
	}
	// Times are stored to the microsecond; bounds are compared likewise.
	if !f.Since.IsZero() {
		query += ` AND at >= ?`
		args = append(args, f.Since.UTC().Truncate(time.Microsecond))
	}
	if !f.Until.IsZero() {
		query += ` AND at < ?`
		args = append(args, f.Until.UTC().Truncate(time.Microsecond))
	}
	if f.BeforeSeq > 0 {
		query += ` AND seq < ?`
		args = append(args, f.BeforeSeq)
	}
	if f.Scoped {
		// Entries about an engagement not in the list are left out in the
		// query, so a page of the scoped log is a full page.
		if len(f.Engagements) == 0 {
			query += ` AND engagement_id IS NULL`
		} else {
			query += ` AND (engagement_id IS NULL OR engagement_id IN (` + placeholders(len(f.Engagements)) + `))`
			for _, id := range f.Engagements {
				args = append(args, id)
			}
		}
	}
	query += fmt.Sprintf(` ORDER BY seq DESC LIMIT %d`, limit)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("find audit log: %w", err)
	}
	defer rows.Close()
	out := []*attest.AuditEntry{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("find audit log: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AuditHead is the last entry of an organization's chain. Recorded outside
// the database, it lets a later check prove that no entries were cut from
// the end, even by someone who rewrote the head.
type AuditHead struct {
	OrgID int64  `json:"org_id"`
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"`
}

// AuditCheck is the result of checking every organization's audit chain.
type AuditCheck struct {
	// Entries counts the entries read, Organizations the chains checked.
	Entries       int64                 `json:"entries"`
	Organizations int64                 `json:"organizations"`
	Heads         []AuditHead           `json:"heads"`
	Problems      []attest.AuditProblem `json:"problems"`
}

// VerifyAuditLog checks every organization's audit chain and returns what
// is wrong with it: none when every chain is intact.
func (s *DB) VerifyAuditLog(ctx context.Context) ([]attest.AuditProblem, error) {
	c, err := s.CheckAuditLog(ctx)
	if err != nil {
		return nil, err
	}
	return c.Problems, nil
}

// CheckAuditLog checks every organization's audit chain in seq order: each
// entry's hash must match its content (else "altered"), link to the entry
// before it ("broken_link"), follow it without a gap ("missing"), and the
// last entry must be the one the head records (entries cut from the end
// are "missing"). The whole check reads one snapshot of the database, so
// changes made meanwhile do not show as damage.
func (s *DB) CheckAuditLog(ctx context.Context) (*AuditCheck, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	defer tx.Rollback()
	var orgs []int64
	rows, err := tx.QueryContext(ctx, `SELECT id FROM organizations UNION SELECT org_id FROM audit_heads UNION SELECT org_id FROM audit_log ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("verify audit log: %w", err)
		}
		orgs = append(orgs, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	c := &AuditCheck{Heads: []AuditHead{}, Problems: []attest.AuditProblem{}}
	for _, id := range orgs {
		if err := s.checkChain(ctx, tx, id, c); err != nil {
			return nil, fmt.Errorf("verify the audit log of organization %d: %w", id, err)
		}
		c.Organizations++
	}
	return c, nil
}

// checkChain checks one organization's chain, adding to c.
func (s *DB) checkChain(ctx context.Context, tx *sql.Tx, orgID int64, c *AuditCheck) error {
	problem := func(seq int64, kind, format string, args ...any) {
		c.Problems = append(c.Problems, attest.AuditProblem{OrgID: orgID, Seq: seq, Kind: kind,
			Message: fmt.Sprintf("organization %d: ", orgID) + fmt.Sprintf(format, args...)})
	}
	head := AuditHead{OrgID: orgID}
	err := tx.QueryRowContext(ctx, s.q(`SELECT seq, hash FROM audit_heads WHERE org_id = ?`), orgID).Scan(&head.Seq, &head.Hash)
	hasHead := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT `+auditColumns+` FROM audit_log WHERE org_id = ? ORDER BY seq`), orgID)
	if err != nil {
		return err
	}
	defer rows.Close()
	var prevHash string
	var lastSeq int64
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		c.Entries++
		if want := lastSeq + 1; e.Seq > want {
			where := fmt.Sprintf("the log goes from entry %d to entry %d", lastSeq, e.Seq)
			if lastSeq == 0 {
				where = fmt.Sprintf("the log starts at entry %d", e.Seq)
			}
			problem(want, "missing", "%s missing: %s", entryRange(want, e.Seq-1), where)
		}
		if e.PrevHash != prevHash {
			problem(e.Seq, "broken_link", "entry %d does not link to the entry before it (its prev_hash is %s, the entry before has %s): entries were removed, inserted or reordered",
				e.Seq, short(e.PrevHash), short(prevHash))
		}
		if e.ComputeHash() != e.Hash {
			problem(e.Seq, "altered", "entry %d (%s of %s %s at %s by %s) does not match its hash: it was changed after it was written",
				e.Seq, e.Action, e.Entity, e.EntityID, e.At.Format(time.RFC3339), e.Actor)
		}
		// Going on from the stored hash reports one altered entry once,
		// not again as a broken link in the entry after it.
		lastSeq, prevHash = e.Seq, e.Hash
	}
	if err := rows.Err(); err != nil {
		return err
	}
	switch {
	case !hasHead && lastSeq > 0:
		problem(lastSeq, "missing", "the head record is missing (the log ends at entry %d): without it, entries cut from the end of the log go unnoticed", lastSeq)
	case !hasHead:
		problem(1, "missing", "the organization has no audit head: its audit log was removed")
	case head.Seq > lastSeq:
		problem(lastSeq+1, "missing", "%s cut from the end of the log: the head records %d entries, the log ends at entry %d",
			entryRange(lastSeq+1, head.Seq), head.Seq, lastSeq)
	case head.Seq < lastSeq:
		problem(head.Seq+1, "broken_link", "the head records entry %d as the last, but the log goes on to entry %d: entries were added outside Attest",
			head.Seq, lastSeq)
	case head.Hash != prevHash:
		problem(lastSeq, "altered", "the head records hash %s for entry %d, which has %s: the last entry was replaced",
			short(head.Hash), lastSeq, short(prevHash))
	}
	if hasHead {
		c.Heads = append(c.Heads, head)
	}
	return nil
}

// entryRange names entries from to to: "entry 4" or "entries 4 to 6".
func entryRange(from, to int64) string {
	if from == to {
		return fmt.Sprintf("entry %d", from)
	}
	return fmt.Sprintf("entries %d to %d", from, to)
}

// short abbreviates a hash for messages.
func short(hash string) string {
	switch {
	case hash == "":
		return "none"
	case len(hash) > 12:
		return hash[:12] + "…"
	}
	return hash
}
