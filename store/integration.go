package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/attest-dev/attest"
)

var _ attest.IntegrationService = (*DB)(nil)

const integrationColumns = `id, kind, name, settings, secrets, every_seconds, created_at, updated_at`

func scanIntegration(row rowScanner) (*attest.Integration, error) {
	in := &attest.Integration{}
	var settings, secrets string
	var every int64
	if err := row.Scan(&in.ID, &in.Kind, &in.Name, &settings, &secrets, &every, &in.CreatedAt, &in.UpdatedAt); err != nil {
		return nil, err
	}
	in.Every = time.Duration(every) * time.Second
	in.Settings, in.Secrets = map[string]string{}, map[string]string{}
	if err := fromJSON(settings, &in.Settings); err != nil {
		return nil, err
	}
	if err := fromJSON(secrets, &in.Secrets); err != nil {
		return nil, err
	}
	in.SecretNames = sortedKeys(in.Secrets)
	return in, nil
}

// sortedKeys returns a map's keys in order: the names of the secrets set,
// the integrations a check read.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// CreateIntegration stores a new integration; its secrets must already be
// sealed. The audit entry names the secrets set, never their values.
func (s *DB) CreateIntegration(ctx context.Context, orgID int64, in *attest.Integration) error {
	if err := in.Validate(nil); err != nil {
		return err
	}
	if in.Settings == nil {
		in.Settings = map[string]string{}
	}
	if in.Secrets == nil {
		in.Secrets = map[string]string{}
	}
	in.SecretNames = sortedKeys(in.Secrets)
	in.CreatedAt, in.UpdatedAt = s.now(), s.now()
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO integrations (org_id, kind, name, settings, secrets, every_seconds, created_at, updated_at) VALUES (`+placeholders(8)+`)`,
			orgID, in.Kind, in.Name, jsonText(in.Settings), jsonText(in.Secrets), int64(in.Every/time.Second), in.CreatedAt, in.UpdatedAt)
		if err != nil {
			if attest.ErrorCode(err) == attest.ECONFLICT {
				return attest.FieldErrorf("name", "an integration named %q already exists", in.Name)
			}
			return err
		}
		in.ID = id
		return s.appendAudit(ctx, tx, orgID, "integration.create", "integration", strconv.FormatInt(id, 10), nil, in)
	})
	if err != nil {
		return fmt.Errorf("create integration: %w", err)
	}
	return nil
}

// FindIntegrations returns the organization's integrations by name, each
// with its last run.
func (s *DB) FindIntegrations(ctx context.Context, orgID int64) ([]*attest.Integration, error) {
	ins, err := queryAll(ctx, s.db, "find integrations", scanIntegration, s.q(`SELECT `+integrationColumns+` FROM integrations WHERE org_id = ? ORDER BY name`), orgID)
	if err != nil {
		return nil, err
	}
	runs, err := queryAll(ctx, s.db, "find last runs", scanRun, s.q(`SELECT `+runColumns+` FROM integration_runs r WHERE org_id = ? AND id = (SELECT max(id) FROM integration_runs x WHERE x.org_id = r.org_id AND x.integration_id = r.integration_id)`), orgID)
	if err != nil {
		return nil, err
	}
	last := map[int64]*attest.IntegrationRun{}
	for _, r := range runs {
		last[r.IntegrationID] = r
	}
	for _, in := range ins {
		in.LastRun = last[in.ID]
	}
	return ins, nil
}

// FindIntegration returns one integration by ID or by name, with its last
// run, or ENOTFOUND.
func (s *DB) FindIntegration(ctx context.Context, orgID int64, idOrName string) (*attest.Integration, error) {
	id, _ := strconv.ParseInt(idOrName, 10, 64)
	ins, err := queryAll(ctx, s.db, "find integration", scanIntegration, s.q(`SELECT `+integrationColumns+` FROM integrations WHERE org_id = ? AND (id = ? OR name = ?)`), orgID, id, idOrName)
	if err != nil {
		return nil, err
	}
	if len(ins) == 0 {
		return nil, attest.Errorf(attest.ENOTFOUND, "no integration %q", idOrName)
	}
	runs, err := s.FindRuns(ctx, orgID, ins[0].ID, 1)
	if err != nil {
		return nil, err
	}
	if len(runs) > 0 {
		ins[0].LastRun = runs[0]
	}
	return ins[0], nil
}

// UpdateIntegration changes an integration's settings, secrets (already
// sealed; "" removes one) or schedule.
func (s *DB) UpdateIntegration(ctx context.Context, orgID, id int64, u attest.IntegrationUpdate) (*attest.Integration, error) {
	var out *attest.Integration
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		ins, err := queryAll(ctx, tx, "find integration", scanIntegration, s.q(`SELECT `+integrationColumns+` FROM integrations WHERE org_id = ? AND id = ?`), orgID, id)
		if err != nil {
			return err
		}
		if len(ins) == 0 {
			return attest.Errorf(attest.ENOTFOUND, "no integration %d", id)
		}
		before := *ins[0]
		in := ins[0]
		if u.Settings != nil {
			in.Settings = u.Settings
		}
		for k, v := range u.Secrets {
			if v == "" {
				delete(in.Secrets, k)
			} else {
				in.Secrets[k] = v
			}
		}
		if u.Every != nil {
			in.Every = *u.Every
		}
		if err := in.Validate(nil); err != nil {
			return err
		}
		in.SecretNames = sortedKeys(in.Secrets)
		in.UpdatedAt = s.now()
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE integrations SET settings = ?, secrets = ?, every_seconds = ?, updated_at = ? WHERE org_id = ? AND id = ?`),
			jsonText(in.Settings), jsonText(in.Secrets), int64(in.Every/time.Second), in.UpdatedAt, orgID, id); err != nil {
			return fmt.Errorf("update integration: %w", err)
		}
		out = in
		return s.appendAudit(ctx, tx, orgID, "integration.update", "integration", strconv.FormatInt(id, 10), &before, in)
	})
	return out, err
}

// DeleteIntegration removes an integration with its runs and resources;
// the history of check results stays (it is evidence).
func (s *DB) DeleteIntegration(ctx context.Context, orgID, id int64) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM integrations WHERE org_id = ? AND id = ?`), orgID, id)
		if err != nil {
			return fmt.Errorf("delete integration: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return attest.Errorf(attest.ENOTFOUND, "no integration %d", id)
		}
		return s.appendAudit(ctx, tx, orgID, "integration.delete", "integration", strconv.FormatInt(id, 10), nil, nil)
	})
}

// DueIntegrations returns the integrations of every organization whose
// schedule says they should run at now: never run, or last started a
// period ago or more.
func (s *DB) DueIntegrations(ctx context.Context, now time.Time) ([]DueIntegration, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT i.org_id, i.id, i.every_seconds, r.started_at FROM integrations i LEFT JOIN integration_runs r ON r.id = (SELECT max(x.id) FROM integration_runs x WHERE x.org_id = i.org_id AND x.integration_id = i.id) WHERE i.every_seconds > 0 ORDER BY i.org_id, i.id`)
	if err != nil {
		return nil, fmt.Errorf("find due integrations: %w", err)
	}
	defer rows.Close()
	var out []DueIntegration
	for rows.Next() {
		var d DueIntegration
		var every int64
		var last sql.NullTime
		if err := rows.Scan(&d.OrgID, &d.ID, &every, &last); err != nil {
			return nil, fmt.Errorf("find due integrations: %w", err)
		}
		// A run a little early within its period counts (runs start on
		// the hour, not to the second).
		if !last.Valid || !now.Before(last.Time.Add(time.Duration(every)*time.Second-time.Minute)) {
			out = append(out, d)
		}
	}
	return out, rows.Err()
}

// DueIntegration names an integration that should run.
type DueIntegration struct{ OrgID, ID int64 }

// errLeased says another process holds the integration's lease.
var errLeased = errors.New("leased")
