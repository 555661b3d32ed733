package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

const runColumns = `id, integration_id, started_by, status, started_at, finished_at, resources, changes, error`

func scanRun(row rowScanner) (*attest.IntegrationRun, error) {
	r := &attest.IntegrationRun{}
	var fin sql.NullTime
	if err := row.Scan(&r.ID, &r.IntegrationID, &r.Trigger, &r.Status, &r.StartedAt, &fin, &r.Resources, &r.Changes, &r.Error); err != nil {
		return nil, err
	}
	if fin.Valid {
		t := fin.Time.UTC()
		r.FinishedAt = &t
	}
	r.StartedAt = r.StartedAt.UTC()
	return r, nil
}

// FindRuns returns an integration's latest runs, newest first.
func (s *DB) FindRuns(ctx context.Context, orgID, integrationID int64, limit int) ([]*attest.IntegrationRun, error) {
	if limit <= 0 || limit > 500 {
		limit = 20
	}
	return queryAll(ctx, s.db, "find runs", scanRun, s.q(`SELECT `+runColumns+` FROM integration_runs WHERE org_id = ? AND integration_id = ? ORDER BY id DESC LIMIT ?`), orgID, integrationID, limit)
}

// StartRun takes the integration's lease for owner until lease from now
// and records a run started by startedBy ("schedule", "user:12", "cli").
// Only one process holds a lease at a time, so two processes sharing a
// database never collect the same integration at once: ECONFLICT while
// another run holds it. A run left "running" by a process that died is
// marked interrupted here; its lease has run out by then.
func (s *DB) StartRun(ctx context.Context, orgID, integrationID int64, startedBy, owner string, lease time.Duration) (*attest.IntegrationRun, error) {
	now := s.now()
	run := &attest.IntegrationRun{IntegrationID: integrationID, Trigger: startedBy, Status: attest.RunRunning, StartedAt: now}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET lease_owner = ?, lease_until = ? WHERE org_id = ? AND id = ? AND (lease_until IS NULL OR lease_until < ?)`),
			owner, now.Add(lease), orgID, integrationID, now)
		if err != nil {
			return fmt.Errorf("take lease: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var x int64
			if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM integrations WHERE org_id = ? AND id = ?`), orgID, integrationID).Scan(&x); err != nil {
				return attest.Errorf(attest.ENOTFOUND, "no integration %d", integrationID)
			}
			return attest.Errorf(attest.ECONFLICT, "the integration is already running")
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE integration_runs SET status = ?, finished_at = ?, error = ? WHERE org_id = ? AND integration_id = ? AND status = ?`),
			attest.RunInterrupted, now, "the process running it stopped before it finished; the previous results were kept", orgID, integrationID, attest.RunRunning); err != nil {
			return fmt.Errorf("mark interrupted runs: %w", err)
		}
		run.ID, err = s.insertID(ctx, tx, `INSERT INTO integration_runs (org_id, integration_id, started_by, status, started_at) VALUES (?, ?, ?, ?, ?)`,
			orgID, integrationID, startedBy, attest.RunRunning, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("start run: %w", err)
	}
	return run, nil
}

// FinishRun records how a run ended (msg is the error of a failed run) and
// releases the lease. A failed run leaves the stored resources alone.
func (s *DB) FinishRun(ctx context.Context, orgID int64, run *attest.IntegrationRun, status, msg string) error {
	now := s.now()
	run.Status, run.Error, run.FinishedAt = status, msg, &now
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE integration_runs SET status = ?, finished_at = ?, resources = ?, changes = ?, error = ? WHERE org_id = ? AND id = ?`),
			status, now, run.Resources, run.Changes, msg, orgID, run.ID); err != nil {
			return fmt.Errorf("finish run: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET lease_owner = '', lease_until = NULL WHERE org_id = ? AND id = ?`), orgID, run.IntegrationID); err != nil {
			return fmt.Errorf("release lease: %w", err)
		}
		return nil
	})
}

// resourceBatch is how many resources one INSERT writes (8 parameters
// each, well within both databases' limits); resourceTx is how many one
// transaction writes or deletes.
const (
	resourceBatch = 500
	resourceTx    = 2000
)

// ReplaceResources makes rs the integration's stored resources, in place
// of the last good run's. They are written as generation gen (the run's
// ID) in short transactions, then made current in one statement, then the
// old generation is deleted: readers see the old set or the new one, never
// a mix; pages and other writers wait for one short transaction at most,
// not for the whole collection; and a process killed midway leaves the old
// set current (its partial generation is removed by the next run).
func (s *DB) ReplaceResources(ctx context.Context, orgID, integrationID, gen int64, rs []collect.Resource) error {
	if err := s.dropGenerations(ctx, orgID, integrationID); err != nil {
		return fmt.Errorf("store resources: %w", err)
	}
	seen := make(map[[2]string]bool, len(rs))
	rows := make([][]any, 0, len(rs))
	for _, r := range rs {
		k := [2]string{r.Type, r.ID}
		if seen[k] { // a collector that lists a resource twice: keep the first
			continue
		}
		seen[k] = true
		attrs, err := json.Marshal(r.Attributes)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "resource %s %s: attributes are not JSON: %v", r.Type, r.ID, err)
		}
		rows = append(rows, []any{orgID, integrationID, gen, r.Type, r.ID, r.Name, string(attrs), r.CollectedAt.UTC()})
	}
	for len(rows) > 0 {
		chunk := rows[:min(len(rows), resourceTx)]
		rows = rows[len(chunk):]
		t0 := time.Now()
		err := s.tx(ctx, func(tx *sql.Tx) error {
			for len(chunk) > 0 {
				part := chunk[:min(len(chunk), resourceBatch)]
				chunk = chunk[len(part):]
				args := make([]any, 0, len(part)*8)
				for _, r := range part {
					args = append(args, r...)
				}
				if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO resources (org_id, integration_id, gen, type, rid, name, attributes, collected_at) VALUES `+rowsOf(len(part), 8)), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("store resources: %w", err)
		}
		if err := s.pace(ctx, time.Since(t0)); err != nil {
			return fmt.Errorf("store resources: %w", err)
		}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET resources_gen = ? WHERE org_id = ? AND id = ?`), gen, orgID, integrationID)
		return err
	})
	if err != nil {
		return fmt.Errorf("make resources current: %w", err)
	}
	return s.dropGenerations(ctx, orgID, integrationID)
}

// dropGenerations deletes the integration's resources of generations that
// are not current (the last run's before the new one, or what a killed run
// left), a short transaction at a time.
func (s *DB) dropGenerations(ctx context.Context, orgID, integrationID int64) error {
	for {
		var n int64
		t0 := time.Now()
		err := s.tx(ctx, func(tx *sql.Tx) error {
			res, err := tx.ExecContext(ctx, s.q(`DELETE FROM resources WHERE org_id = ? AND integration_id = ? AND (gen, type, rid) IN (
				SELECT r.gen, r.type, r.rid FROM resources r JOIN integrations i ON i.id = r.integration_id
				WHERE r.org_id = ? AND r.integration_id = ? AND r.gen <> i.resources_gen LIMIT ?)`), orgID, integrationID, orgID, integrationID, resourceTx)
			if err != nil {
				return err
			}
			n, _ = res.RowsAffected()
			return nil
		})
		if err != nil {
			return fmt.Errorf("drop old resources: %w", err)
		}
		if n < resourceTx {
			return nil
		}
		if err := s.pace(ctx, time.Since(t0)); err != nil {
			return fmt.Errorf("drop old resources: %w", err)
		}
	}
}

// rowsOf returns n rows of m placeholders for a multi-row INSERT.
func rowsOf(n, m int) string {
	row := "(" + placeholders(m) + ")"
	b := make([]byte, 0, n*(len(row)+2))
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, row...)
	}
	return string(b)
}

// Resources calls fn with each stored resource of a type in the
// organization, across its integrations, with the integration it came
// from: the check engine's source.
func (s *DB) Resources(ctx context.Context, orgID int64, typ string, fn func(integrationID int64, r collect.Resource) error) error {
	return s.resources(ctx, orgID, typ, false, fn)
}

// BackgroundResources is Resources for background work, such as checks
// evaluated after a collection: reading and fn's work on what was read
// keep within DB.BackgroundShare of the time while pages are served,
// pausing every few hundred resources.
func (s *DB) BackgroundResources(ctx context.Context, orgID int64, typ string, fn func(integrationID int64, r collect.Resource) error) error {
	return s.resources(ctx, orgID, typ, true, fn)
}

// pacedRows is how many resources a paced read handles between pauses.
const pacedRows = 500

func (s *DB) resources(ctx context.Context, orgID int64, typ string, paced bool, fn func(integrationID int64, r collect.Resource) error) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT r.integration_id, r.rid, r.name, r.attributes, r.collected_at FROM resources r
		JOIN integrations i ON i.id = r.integration_id AND i.resources_gen = r.gen WHERE r.org_id = ? AND r.type = ? ORDER BY r.integration_id, r.rid`), orgID, typ)
	if err != nil {
		return fmt.Errorf("read resources: %w", err)
	}
	defer rows.Close()
	t0 := time.Now()
	for n := 1; rows.Next(); n++ {
		if paced && n%pacedRows == 0 {
			if err := s.pace(ctx, time.Since(t0)); err != nil {
				return err
			}
			t0 = time.Now()
		}
		var in int64
		var attrs string
		r := collect.Resource{Type: typ}
		if err := rows.Scan(&in, &r.ID, &r.Name, &attrs, &r.CollectedAt); err != nil {
			return fmt.Errorf("read resources: %w", err)
		}
		if err := json.Unmarshal([]byte(attrs), &r.Attributes); err != nil {
			return fmt.Errorf("read resource %s %s: %w", typ, r.ID, err)
		}
		if err := fn(in, r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ResourceTypes returns the types of the organization's stored resources
// with how many of each.
func (s *DB) ResourceTypes(ctx context.Context, orgID int64) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT r.type, count(*) FROM resources r JOIN integrations i ON i.id = r.integration_id AND i.resources_gen = r.gen
		WHERE r.org_id = ? GROUP BY r.type`), orgID)
	if err != nil {
		return nil, fmt.Errorf("count resources: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, rows.Err()
}
