package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

const engagementColumns = `id, name, report_type, drivers, customers, notes, target_date, as_of_date, window_start, window_end, categories, created_at`

func scanEngagement(row interface{ Scan(...any) error }) (*attest.Engagement, error) {
	e := &attest.Engagement{}
	var drivers, customers, categories string
	if err := row.Scan(&e.ID, &e.Name, &e.ReportType, &drivers, &customers, &e.Notes, &e.TargetDate, &e.AsOfDate,
		&e.WindowStart, &e.WindowEnd, &categories, &e.CreatedAt); err != nil {
		return nil, err
	}
	e.Systems = []*attest.System{}
	return e, errors.Join(fromJSON(drivers, &e.Drivers), fromJSON(customers, &e.Customers), fromJSON(categories, &e.Categories))
}

// FindEngagementByID returns the organization's engagement with its
// systems, or ENOTFOUND.
func (s *DB) FindEngagementByID(ctx context.Context, orgID, id int64) (*attest.Engagement, error) {
	return s.findEngagement(ctx, s.db, orgID, id)
}

// findEngagement loads an engagement with its systems.
func (s *DB) findEngagement(ctx context.Context, x queryer, orgID, id int64) (*attest.Engagement, error) {
	e, err := scanEngagement(x.QueryRowContext(ctx, s.q(`SELECT `+engagementColumns+` FROM engagements WHERE org_id = ? AND id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no engagement %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find engagement: %w", err)
	}
	e.Systems, err = queryAll(ctx, x, "find systems", func(row rowScanner) (*attest.System, error) {
		sys := &attest.System{}
		return sys, row.Scan(&sys.ID, &sys.Name, &sys.Kind, &sys.Owner, &sys.Description)
	}, s.q(`SELECT id, name, kind, owner, description FROM systems WHERE org_id = ? AND engagement_id = ? ORDER BY id`), orgID, id)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// FindEngagements returns the organization's engagements, newest first,
// without their systems.
func (s *DB) FindEngagements(ctx context.Context, orgID int64) ([]*attest.Engagement, error) {
	return queryAll(ctx, s.db, "find engagements", scanEngagement, s.q(`SELECT `+engagementColumns+` FROM engagements WHERE org_id = ? ORDER BY id DESC`), orgID)
}

// CurrentEngagement returns the organization's newest engagement without
// its systems (FindEngagementByID has them), or ENOTFOUND when it has none.
// Dashboards ask for it on every view, so it is one query.
func (s *DB) CurrentEngagement(ctx context.Context, orgID int64) (*attest.Engagement, error) {
	e, err := scanEngagement(s.db.QueryRowContext(ctx, s.q(`SELECT `+engagementColumns+` FROM engagements WHERE org_id = ? ORDER BY id DESC LIMIT 1`), orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "the organization has no engagement yet: create one first")
	}
	if err != nil {
		return nil, fmt.Errorf("current engagement: %w", err)
	}
	return e, nil
}

// CreateEngagement validates and stores e with its systems.
func (s *DB) CreateEngagement(ctx context.Context, orgID int64, e *attest.Engagement) error {
	if err := e.Validate(s.fw); err != nil {
		return err
	}
	e.CreatedAt = s.now()
	if e.Systems == nil {
		e.Systems = []*attest.System{}
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO engagements (org_id, name, report_type, drivers, customers, notes, target_date, as_of_date, window_start, window_end, categories, created_at) VALUES (`+placeholders(12)+`)`,
			orgID, e.Name, e.ReportType, jsonText(e.Drivers), jsonText(e.Customers), e.Notes, e.TargetDate, e.AsOfDate, e.WindowStart, e.WindowEnd, jsonText(e.Categories), e.CreatedAt)
		if err != nil {
			return err
		}
		e.ID = id
		for _, sys := range e.Systems {
			if err := s.insertSystem(ctx, tx, orgID, id, sys); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, orgID, "engagement.create", "engagement", strconv.FormatInt(id, 10), nil, e)
	})
	if err != nil {
		return fmt.Errorf("create engagement: %w", err)
	}
	return nil
}

func (s *DB) insertSystem(ctx context.Context, x queryer, orgID, engagementID int64, sys *attest.System) error {
	id, err := s.insertID(ctx, x, `INSERT INTO systems (org_id, engagement_id, name, kind, owner, description) VALUES (?, ?, ?, ?, ?, ?)`,
		orgID, engagementID, sys.Name, sys.Kind, sys.Owner, sys.Description)
	sys.ID = id
	return err
}

// UpdateEngagement changes an engagement; an invalid change leaves it as it was.
func (s *DB) UpdateEngagement(ctx context.Context, orgID, id int64, u attest.EngagementUpdate) (*attest.Engagement, error) {
	var e *attest.Engagement
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findEngagement(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		cp := *before
		e = &cp
		if err := u.Apply(e, s.fw); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE engagements SET name = ?, report_type = ?, drivers = ?, customers = ?, notes = ?, target_date = ?, as_of_date = ?, window_start = ?, window_end = ?, categories = ? WHERE org_id = ? AND id = ?`),
			e.Name, e.ReportType, jsonText(e.Drivers), jsonText(e.Customers), e.Notes, e.TargetDate, e.AsOfDate, e.WindowStart, e.WindowEnd, jsonText(e.Categories), orgID, id); err != nil {
			return s.dialect.normalize(err)
		}
		return s.appendAudit(ctx, tx, orgID, "engagement.update", "engagement", strconv.FormatInt(id, 10), before, e)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// systemInScope is what the audit log records of a system: the system and
// the engagement whose scope it is in.
type systemInScope struct {
	EngagementID int64 `json:"engagement_id"`
	*attest.System
}

// AddSystem adds a system to an engagement's scope.
func (s *DB) AddSystem(ctx context.Context, orgID, engagementID int64, sys *attest.System) error {
	if err := sys.Validate(); err != nil {
		return err
	}
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, err := s.findEngagement(ctx, tx, orgID, engagementID); err != nil {
			return err
		}
		if err := s.insertSystem(ctx, tx, orgID, engagementID, sys); err != nil {
			return fmt.Errorf("add system: %w", err)
		}
		return s.appendAudit(ctx, tx, orgID, "system.add", "system", strconv.FormatInt(sys.ID, 10), nil, systemInScope{engagementID, sys})
	})
}

// RemoveSystem removes a system from an engagement's scope.
func (s *DB) RemoveSystem(ctx context.Context, orgID, engagementID, systemID int64) error {
	return s.change(ctx, orgID, func(tx *sql.Tx) error {
		sys := &attest.System{}
		err := tx.QueryRowContext(ctx, s.q(`SELECT id, name, kind, owner, description FROM systems WHERE org_id = ? AND engagement_id = ? AND id = ?`), orgID, engagementID, systemID).
			Scan(&sys.ID, &sys.Name, &sys.Kind, &sys.Owner, &sys.Description)
		if errors.Is(err, sql.ErrNoRows) {
			return attest.Errorf(attest.ENOTFOUND, "engagement %d has no system %d", engagementID, systemID)
		}
		if err != nil {
			return fmt.Errorf("remove system: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM systems WHERE org_id = ? AND engagement_id = ? AND id = ?`), orgID, engagementID, systemID); err != nil {
			return fmt.Errorf("remove system: %w", err)
		}
		return s.appendAudit(ctx, tx, orgID, "system.remove", "system", strconv.FormatInt(systemID, 10), systemInScope{engagementID, sys}, nil)
	})
}

// Scope returns what the engagement's categories bring into scope.
func (s *DB) Scope(ctx context.Context, orgID, engagementID int64) (*attest.Scope, error) {
	e, err := s.FindEngagementByID(ctx, orgID, engagementID)
	if err != nil {
		return nil, err
	}
	controls, err := s.FindControls(ctx, orgID, attest.ControlFilter{})
	if err != nil {
		return nil, err
	}
	sc := attest.DeriveScope(s.fw, e.Categories, controls)
	sc.Systems = e.Systems
	return sc, nil
}
