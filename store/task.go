package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

const taskColumns = `id, title, description, owner_user_id, owner_note, due_date, status, control_id, engagement_id, notes, created_at, closed_at`

func scanTask(row interface{ Scan(...any) error }) (*attest.Task, error) {
	t := &attest.Task{}
	var control sql.NullString
	var engagement, owner sql.NullInt64
	var closed sql.NullTime
	if err := row.Scan(&t.ID, &t.Title, &t.Description, &owner, &t.OwnerNote, &t.DueDate, &t.Status, &control, &engagement, &t.Notes, &t.CreatedAt, &closed); err != nil {
		return nil, err
	}
	t.OwnerID = owner.Int64
	t.ControlID = control.String
	t.EngagementID = engagement.Int64
	if closed.Valid {
		t.ClosedAt = &closed.Time
	}
	return t, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
func nullInt(n int64) sql.NullInt64      { return sql.NullInt64{Int64: n, Valid: n != 0} }

func nullTime(t *time.Time) sql.NullTime {
	if t == nil {
		return sql.NullTime{}
	}
	return sql.NullTime{Time: *t, Valid: true}
}

// FindTaskByID returns the organization's task, or ENOTFOUND.
func (s *DB) FindTaskByID(ctx context.Context, orgID, id int64) (*attest.Task, error) {
	return s.findTask(ctx, s.db, orgID, id)
}

func (s *DB) findTask(ctx context.Context, x queryer, orgID, id int64) (*attest.Task, error) {
	t, err := scanTask(x.QueryRowContext(ctx, s.q(`SELECT `+taskColumns+` FROM tasks WHERE org_id = ? AND id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no task %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find task: %w", err)
	}
	if t.Owner, err = s.person(ctx, x, orgID, t.OwnerID); err != nil {
		return nil, err
	}
	return t, nil
}

// FindTasks returns the matching tasks, soonest due first (undated last).
func (s *DB) FindTasks(ctx context.Context, orgID int64, f attest.TaskFilter) ([]*attest.Task, error) {
	query := `SELECT ` + taskColumns + ` FROM tasks WHERE org_id = ?`
	args := []any{orgID}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.Open {
		query += ` AND status <> 'done'`
	}
	if f.OwnerID != 0 {
		query += ` AND owner_user_id = ?`
		args = append(args, f.OwnerID)
	}
	if f.ControlID != "" {
		query += ` AND control_id = ?`
		args = append(args, f.ControlID)
	}
	if f.EngagementID != 0 {
		query += ` AND engagement_id = ?`
		args = append(args, f.EngagementID)
	}
	if f.Scoped {
		if len(f.Engagements) == 0 {
			return nil, nil
		}
		query += ` AND engagement_id IN (` + placeholders(len(f.Engagements)) + `)`
		for _, e := range f.Engagements {
			args = append(args, e)
		}
	}
	if f.Limit <= 0 {
		return s.queryTasks(ctx, orgID, query+` ORDER BY CASE WHEN due_date = '' THEN 1 ELSE 0 END, due_date, id`, args...)
	}
	// With a limit, dated tasks come first in due-date order, which an index
	// serves without sorting every match; undated ones fill what is left.
	out, err := s.queryTasks(ctx, orgID, query+fmt.Sprintf(` AND due_date <> '' ORDER BY due_date, id LIMIT %d`, f.Limit), args...)
	if err != nil || len(out) == f.Limit {
		return out, err
	}
	rest, err := s.queryTasks(ctx, orgID, query+fmt.Sprintf(` AND due_date = '' ORDER BY id LIMIT %d`, f.Limit-len(out)), args...)
	return append(out, rest...), err
}

// FindOpenTasksOf returns up to limit open tasks the member owns, soonest
// due first. Tasks and members (their names) decide it.
func (s *DB) FindOpenTasksOf(ctx context.Context, orgID, ownerID int64, limit int) ([]*attest.Task, error) {
	return cachedRead(ctx, &s.reads.ownTasks, orgID, ownerID, func(v *attest.Versions) readKey { return readKey{v.Task, v.User, int64(limit)} }, func() ([]*attest.Task, error) {
		return s.FindTasks(ctx, orgID, attest.TaskFilter{OwnerID: ownerID, Open: true, Limit: limit})
	})
}

func (s *DB) queryTasks(ctx context.Context, orgID int64, query string, args ...any) ([]*attest.Task, error) {
	tasks, err := queryAll(ctx, s.db, "find tasks", scanTask, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	return tasks, s.fillTaskOwners(ctx, orgID, tasks)
}

// fillTaskOwners sets the Owner of tasks that have one.
func (s *DB) fillTaskOwners(ctx context.Context, orgID int64, tasks []*attest.Task) error {
	var people attest.People
	for _, t := range tasks {
		if t.OwnerID == 0 {
			continue
		}
		if people == nil {
			var err error
			if people, err = s.people(ctx, s.db, orgID); err != nil {
				return err
			}
		}
		t.Owner = people.Get(t.OwnerID)
	}
	return nil
}

// CreateTask validates and stores a task; the control and engagement it
// names must be the organization's.
func (s *DB) CreateTask(ctx context.Context, orgID int64, t *attest.Task) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if t.Status == attest.TaskDone {
		return attest.Errorf(attest.EINVALID, "a new task cannot already be done")
	}
	if err := s.checkTaskRefs(ctx, orgID, t); err != nil {
		return err
	}
	t.CreatedAt = s.now()
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if t.Owner, err = s.checkOwner(ctx, tx, orgID, t.OwnerID); err != nil {
			return err
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO tasks (org_id, title, description, owner_user_id, owner_note, due_date, status, control_id, engagement_id, notes, created_at) VALUES (`+placeholders(11)+`)`,
			orgID, t.Title, t.Description, nullInt(t.OwnerID), t.OwnerNote, t.DueDate, t.Status, nullString(t.ControlID), nullInt(t.EngagementID), t.Notes, t.CreatedAt)
		if err != nil {
			return err
		}
		t.ID = id
		return s.appendAudit(ctx, tx, orgID, "task.create", "task", strconv.FormatInt(id, 10), nil, t)
	})
	if err != nil {
		return fmt.Errorf("create task: %w", err)
	}
	return nil
}

func (s *DB) checkTaskRefs(ctx context.Context, orgID int64, t *attest.Task) error {
	if t.ControlID != "" {
		if _, err := s.FindControlByID(ctx, orgID, t.ControlID); attest.ErrorCode(err) == attest.ENOTFOUND {
			return attest.Errorf(attest.EINVALID, "unknown control %q", t.ControlID)
		} else if err != nil {
			return err
		}
	}
	if t.EngagementID != 0 {
		if _, err := s.FindEngagementByID(ctx, orgID, t.EngagementID); attest.ErrorCode(err) == attest.ENOTFOUND {
			return attest.Errorf(attest.EINVALID, "unknown engagement %d", t.EngagementID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// UpdateTask changes a task; closing it is an update to status done.
func (s *DB) UpdateTask(ctx context.Context, orgID, id int64, u attest.TaskUpdate) (*attest.Task, error) {
	var t *attest.Task
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findTask(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		cp := *before
		t = &cp
		if err := u.Apply(t, s.now()); err != nil {
			return err
		}
		if t.OwnerID != before.OwnerID {
			if t.Owner, err = s.checkOwner(ctx, tx, orgID, t.OwnerID); err != nil {
				return err
			}
		}
		if t.ControlID != before.ControlID {
			if err := s.checkTaskRefs(ctx, orgID, &attest.Task{ControlID: t.ControlID}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE tasks SET title = ?, description = ?, owner_user_id = ?, owner_note = ?, due_date = ?, status = ?, control_id = ?, notes = ?, closed_at = ? WHERE org_id = ? AND id = ?`),
			t.Title, t.Description, nullInt(t.OwnerID), t.OwnerNote, t.DueDate, t.Status, nullString(t.ControlID), t.Notes, nullTime(t.ClosedAt), orgID, id); err != nil {
			return fmt.Errorf("update task: %w", s.dialect.normalize(err))
		}
		return s.appendAudit(ctx, tx, orgID, "task.update", "task", strconv.FormatInt(id, 10), before, t)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// ImportTasks adds many tasks at once, as from a spreadsheet: every task is
// checked first, then all are stored in one transaction (all or none), each
// with its audit entry, hundreds of rows per statement.
func (s *DB) ImportTasks(ctx context.Context, orgID int64, tasks []*attest.Task) error {
	controls, err := s.FindControls(ctx, orgID, attest.ControlFilter{})
	if err != nil {
		return err
	}
	engagements, err := s.FindEngagements(ctx, orgID)
	if err != nil {
		return err
	}
	knownControl := make(map[string]bool, len(controls))
	for _, c := range controls {
		knownControl[c.ID] = true
	}
	knownEngagement := make(map[int64]bool, len(engagements))
	for _, e := range engagements {
		knownEngagement[e.ID] = true
	}
	users, err := s.FindUsers(ctx, orgID)
	if err != nil {
		return err
	}
	owners := map[int64]*attest.User{}
	for _, u := range users {
		owners[u.ID] = u
	}
	for i, t := range tasks {
		if err := t.Validate(); err != nil {
			return attest.Errorf(attest.EINVALID, "task %d: %s", i+1, attest.ErrorMessage(err))
		}
		if t.ControlID != "" && !knownControl[t.ControlID] {
			return attest.Errorf(attest.EINVALID, "task %d: unknown control %q", i+1, t.ControlID)
		}
		if t.EngagementID != 0 && !knownEngagement[t.EngagementID] {
			return attest.Errorf(attest.EINVALID, "task %d: unknown engagement %d", i+1, t.EngagementID)
		}
		if t.OwnerID != 0 {
			u := owners[t.OwnerID]
			if !attest.MayOwn(u) {
				return attest.Errorf(attest.EINVALID, "task %d: user %d may not own tasks", i+1, t.OwnerID)
			}
			t.Owner = attest.PersonOf(u)
		}
	}
	now := s.now()
	err = s.change(ctx, orgID, func(tx *sql.Tx) error {
		for _, t := range tasks {
			t.CreatedAt = now
			if t.Status == attest.TaskDone {
				t.ClosedAt = &now
			}
		}
		// Many rows per statement: a round trip per row is what makes a
		// large import slow on PostgreSQL, where COPY takes them all.
		size := importBatch
		if s.dialect == postgresDialect {
			size = max(len(tasks), 1)
		}
		for start := 0; start < len(tasks); start += size {
			batch := tasks[start:min(start+size, len(tasks))]
			if err := s.insertTasks(ctx, tx, orgID, batch); err != nil {
				return err
			}
			entries := make([]auditRecord, len(batch))
			for i, t := range batch {
				entries[i] = auditRecord{action: "task.import", entity: "task", entityID: strconv.FormatInt(t.ID, 10), after: t}
			}
			if err := s.appendAudits(ctx, tx, orgID, entries); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import tasks: %w", err)
	}
	return nil
}

// importBatch is how many rows one INSERT of an import writes on SQLite:
// within its limit of 32,766 parameters.
const importBatch = 2000

// insertTasks inserts tasks in one statement and sets their IDs. Both
// databases number the rows of one INSERT in the order they are listed.
func (s *DB) insertTasks(ctx context.Context, tx *sql.Tx, orgID int64, tasks []*attest.Task) error {
	if s.dialect == postgresDialect {
		return s.insertTasksPG(ctx, tx, orgID, tasks)
	}
	const cols = 12
	args := make([]any, 0, cols*len(tasks))
	rows := make([]string, len(tasks))
	for i, t := range tasks {
		rows[i] = "(" + placeholders(cols) + ")"
		args = append(args, orgID, t.Title, t.Description, nullInt(t.OwnerID), t.OwnerNote, t.DueDate, t.Status, nullString(t.ControlID), nullInt(t.EngagementID), t.Notes, t.CreatedAt, nullTime(t.ClosedAt))
	}
	ids, err := queryAll(ctx, tx, "import tasks", func(row rowScanner) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, s.q(`INSERT INTO tasks (org_id, title, description, owner_user_id, owner_note, due_date, status, control_id, engagement_id, notes, created_at, closed_at) VALUES `+
		strings.Join(rows, ", ")+` RETURNING id`), args...)
	if err != nil {
		return s.dialect.normalize(err)
	}
	if len(ids) != len(tasks) {
		return fmt.Errorf("import tasks: %d rows inserted, %d returned", len(tasks), len(ids))
	}
	slices.Sort(ids)
	for i, t := range tasks {
		t.ID = ids[i]
	}
	return nil
}
