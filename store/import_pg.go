package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/attest-dev/attest"
)

// Bulk inserts on PostgreSQL send one array per column and let the server
// unnest them: a statement of twelve parameters however many rows it
// writes, so neither side parses, binds or plans thousands of
// placeholders. SQLite, in process, keeps the multi-row VALUES.

// insertTasksPG is insertTasks on PostgreSQL.
func (s *DB) insertTasksPG(ctx context.Context, tx *sql.Tx, orgID int64, tasks []*attest.Task) error {
	n := len(tasks)
	var (
		orgs        = make([]int64, n)
		titles      = make([]string, n)
		descs       = make([]string, n)
		owners      = make([]*int64, n)
		ownerNotes  = make([]string, n)
		dues        = make([]string, n)
		statuses    = make([]string, n)
		controls    = make([]*string, n)
		engagements = make([]*int64, n)
		notes       = make([]string, n)
		created     = make([]time.Time, n)
		closed      = make([]*time.Time, n)
	)
	for i, t := range tasks {
		orgs[i], titles[i], descs[i], ownerNotes[i] = orgID, t.Title, t.Description, t.OwnerNote
		dues[i], statuses[i], notes[i], created[i], closed[i] = string(t.DueDate), string(t.Status), t.Notes, t.CreatedAt, t.ClosedAt
		if t.OwnerID != 0 {
			owners[i] = &t.OwnerID
		}
		if t.ControlID != "" {
			controls[i] = &t.ControlID
		}
		if t.EngagementID != 0 {
			engagements[i] = &t.EngagementID
		}
	}
	ids, err := queryAll(ctx, tx, "import tasks", func(row rowScanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `INSERT INTO tasks (org_id, title, description, owner_user_id, owner_note, due_date, status, control_id, engagement_id, notes, created_at, closed_at)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[], $11::timestamptz[], $12::timestamptz[])
RETURNING id`, orgs, titles, descs, owners, ownerNotes, dues, statuses, controls, engagements, notes, created, closed)
	if err != nil {
		return s.dialect.normalize(err)
	}
	if len(ids) != n {
		return fmt.Errorf("import tasks: %d rows inserted, %d returned", n, len(ids))
	}
	slices.Sort(ids)
	for i, t := range tasks {
		t.ID = ids[i]
	}
	return nil
}

// insertAuditsPG inserts audit entries on PostgreSQL.
func insertAuditsPG(ctx context.Context, tx *sql.Tx, entries []*attest.AuditEntry) error {
	n := len(entries)
	var (
		orgs        = make([]int64, n)
		seqs        = make([]int64, n)
		ats         = make([]time.Time, n)
		actors      = make([]string, n)
		actions     = make([]string, n)
		entities    = make([]string, n)
		entityIDs   = make([]string, n)
		befores     = make([]string, n)
		afters      = make([]string, n)
		prevs       = make([]string, n)
		hashes      = make([]string, n)
		engagements = make([]*int64, n)
	)
	for i, e := range entries {
		orgs[i], seqs[i], ats[i], actors[i], actions[i], entities[i] = e.OrgID, e.Seq, e.At, e.Actor, e.Action, e.Entity
		entityIDs[i], befores[i], afters[i], prevs[i], hashes[i] = e.EntityID, string(e.Before), string(e.After), e.PrevHash, e.Hash
		engagements[i] = auditEngagement(e)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (`+auditInsertColumns+`)
SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[])`,
		orgs, seqs, ats, actors, actions, entities, entityIDs, befores, afters, prevs, hashes, engagements)
	return err
}
