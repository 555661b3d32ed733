package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/attest-dev/attest"
)

// Bulk inserts on PostgreSQL use COPY: rows stream to the server in its
// binary format while they are still being encoded (pgx encodes in a
// goroutine of its own), with no statement to parse, bind or plan, so the
// client's work overlaps the server's. SQLite, in process, keeps the
// multi-row VALUES.

// copyFrom copies rows into table within tx, on tx's own connection.
func (s *DB) copyFrom(ctx context.Context, tx *sql.Tx, table string, columns []string, rows pgx.CopyFromSource) (int64, error) {
	v, ok := s.conns.Load(tx)
	if !ok {
		return 0, errors.New("copy: not a transaction of this database")
	}
	var n int64
	err := v.(*sql.Conn).Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("copy: unexpected driver connection %T", dc)
		}
		var err error
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, columns, rows)
		return err
	})
	return n, err
}

// taskCopyColumns are the columns an import copies into tasks.
var taskCopyColumns = []string{"id", "org_id", "title", "description", "owner_user_id", "owner_note", "due_date", "status", "control_id", "engagement_id", "notes", "created_at", "closed_at"}

// insertTasksPG is insertTasks on PostgreSQL. COPY returns no IDs, so the
// IDs are drawn from the table's sequence first, in one statement, in
// the order the tasks are listed. The sequence is looked up once (the
// materialized CTE): looked up per row, it took longer than the numbers.
func (s *DB) insertTasksPG(ctx context.Context, tx *sql.Tx, orgID int64, tasks []*attest.Task) error {
	n := len(tasks)
	ids, err := queryAll(ctx, tx, "import tasks: number them", func(row rowScanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('tasks', 'id')::regclass AS seq)
		SELECT nextval(seq) FROM s, generate_series(1, $1)`, n)
	if err != nil {
		return err
	}
	if len(ids) != n {
		return fmt.Errorf("import tasks: %d numbers drawn for %d tasks", len(ids), n)
	}
	slices.Sort(ids)
	copied, err := s.copyFrom(ctx, tx, "tasks", taskCopyColumns, pgx.CopyFromSlice(n, func(i int) ([]any, error) {
		t := tasks[i]
		return []any{ids[i], orgID, t.Title, t.Description, nullInt(t.OwnerID), t.OwnerNote, string(t.DueDate), string(t.Status),
			nullString(t.ControlID), nullInt(t.EngagementID), t.Notes, t.CreatedAt, nullTime(t.ClosedAt)}, nil
	}))
	if err != nil {
		return s.dialect.normalize(fmt.Errorf("import tasks: %w", err))
	}
	if copied != int64(n) {
		return fmt.Errorf("import tasks: %d rows copied of %d", copied, n)
	}
	for i, t := range tasks {
		t.ID = ids[i]
	}
	return nil
}

// auditCopyColumns are auditInsertColumns, one by one.
var auditCopyColumns = []string{"org_id", "seq", "at", "actor", "action", "entity", "entity_id", "before", "after", "prev_hash", "hash", "engagement_id"}

// copyAudits appends entries for records after h's head with one COPY.
// Each entry is made (encoded and hashed) as the copy asks for its row,
// so making them overlaps the server storing those before. h moves only
// once all are stored.
func (s *DB) copyAudits(ctx context.Context, tx *sql.Tx, h *txHead, records []auditRecord) error {
	seq, hash := h.seq, h.hash
	copied, err := s.copyFrom(ctx, tx, "audit_log", auditCopyColumns, pgx.CopyFromFunc(func() ([]any, error) {
		if seq-h.seq == int64(len(records)) {
			return nil, nil // done
		}
		r := records[seq-h.seq]
		b, err := auditJSON(r.before)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", r.action, err)
		}
		a, err := auditJSON(r.after)
		if err != nil {
			return nil, fmt.Errorf("audit %s: %w", r.action, err)
		}
		e := s.auditEntry(ctx, h.org, seq, hash, r.action, r.entity, r.entityID, b, a)
		seq, hash = e.Seq, e.Hash
		return auditInsertArgs(e), nil
	}))
	if err != nil {
		return fmt.Errorf("append audit entries %d to %d (run 'attest verify'): %w", h.seq+1, h.seq+int64(len(records)), err)
	}
	if copied != int64(len(records)) {
		return fmt.Errorf("append audit entries: %d copied of %d", copied, len(records))
	}
	h.seq, h.hash = seq, hash
	return nil
}
