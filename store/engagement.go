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

const engagementColumns = `id, name, report_type, drivers, customers, notes, target_date, as_of_date, window_start, window_end, categories, created_at, archived_at`

func scanEngagement(row interface{ Scan(...any) error }) (*attest.Engagement, error) {
	return scanEngagementWith(row)
}

// scanEngagementWith scans an engagement and then the extra columns into
// more.
func scanEngagementWith(row interface{ Scan(...any) error }, more ...any) (*attest.Engagement, error) {
	e := &attest.Engagement{}
	var drivers, customers, categories string
	var archived sql.NullTime
	if err := row.Scan(append([]any{&e.ID, &e.Name, &e.ReportType, &drivers, &customers, &e.Notes, &e.TargetDate, &e.AsOfDate,
		&e.WindowStart, &e.WindowEnd, &categories, &e.CreatedAt, &archived}, more...)...); err != nil {
		return nil, err
	}
	if archived.Valid {
		e.ArchivedAt = &archived.Time
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
	cur, err := s.currentID(ctx, x, orgID)
	if err != nil {
		return nil, err
	}
	e.Current = cur == e.ID
	e.Systems, err = queryAll(ctx, x, "find systems", func(row rowScanner) (*attest.System, error) {
		var asset sql.NullInt64
		sys, err := scanSystem(row, &asset)
		if sys != nil {
			sys.AssetID = asset.Int64
		}
		return sys, err
	}, s.q(`SELECT `+systemColumns+`, asset_id FROM systems WHERE org_id = ? AND engagement_id = ? ORDER BY id`), orgID, id)
	if err != nil {
		return nil, err
	}
	if err := s.fillSystemOwners(ctx, x, orgID, e.Systems); err != nil {
		return nil, err
	}
	return e, nil
}

const systemColumns = `id, name, kind, owner_user_id, owner_note, description`

// scanSystem scans a system's columns, then the extra ones into more.
func scanSystem(row rowScanner, more ...any) (*attest.System, error) {
	sys := &attest.System{}
	var owner sql.NullInt64
	err := row.Scan(append([]any{&sys.ID, &sys.Name, &sys.Kind, &owner, &sys.OwnerNote, &sys.Description}, more...)...)
	sys.OwnerID = owner.Int64
	return sys, err
}

// fillSystemOwners sets the Owner of systems that have one, from the
// members' names as they are now.
func (s *DB) fillSystemOwners(ctx context.Context, x queryer, orgID int64, systems []*attest.System) error {
	var people attest.People
	for _, sys := range systems {
		if sys.OwnerID == 0 {
			continue
		}
		if people == nil {
			var err error
			if people, err = s.people(ctx, x, orgID); err != nil {
				return err
			}
		}
		sys.Owner = people.Get(sys.OwnerID)
	}
	return nil
}

// FindEngagements returns the organization's engagements, newest first,
// without their systems, archived ones included (see Engagement.Archived).
func (s *DB) FindEngagements(ctx context.Context, orgID int64) ([]*attest.Engagement, error) {
	es, err := cachedRead(ctx, &s.reads.engagements, orgID, 0, func(v *attest.Versions) readKey { return readKey{v.Engagement, v.CurrentEngagement} }, func() ([]*attest.Engagement, error) {
		return s.findEngagements(ctx, orgID)
	})
	if err != nil {
		return nil, err
	}
	// Callers filter and change what they get: each has its own.
	out := make([]*attest.Engagement, len(es))
	for i, e := range es {
		c := *e
		out[i] = &c
	}
	return out, nil
}

func (s *DB) findEngagements(ctx context.Context, orgID int64) ([]*attest.Engagement, error) {
	// One query: each engagement says whether it is the current one.
	return queryAll(ctx, s.db, "find engagements", func(row rowScanner) (*attest.Engagement, error) {
		var current int
		e, err := scanEngagementWith(row, &current)
		if e != nil {
			e.Current = current == 1
		}
		return e, err
	}, s.q(`SELECT `+engagementColumns+`, CASE WHEN id = (SELECT current_engagement_id FROM organizations o WHERE o.id = engagements.org_id) THEN 1 ELSE 0 END
		FROM engagements WHERE org_id = ? ORDER BY id DESC`), orgID)
}

// currentID is the organization's current engagement, 0 when none.
func (s *DB) currentID(ctx context.Context, x queryer, orgID int64) (int64, error) {
	var id sql.NullInt64
	err := x.QueryRowContext(ctx, s.q(`SELECT current_engagement_id FROM organizations WHERE id = ?`), orgID).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("current engagement: %w", err)
	}
	return id.Int64, nil
}

// CurrentEngagement returns the engagement the organization chose as
// current, without its systems (FindEngagementByID has them), or ENOTFOUND
// when it has no engagement that is not archived. Dashboards ask for it on
// every view, so it is one query.
func (s *DB) CurrentEngagement(ctx context.Context, orgID int64) (*attest.Engagement, error) {
	cols := strings.ReplaceAll("e."+engagementColumns, ", ", ", e.")
	e, err := scanEngagement(s.db.QueryRowContext(ctx, s.q(`SELECT `+cols+` FROM organizations o JOIN engagements e ON e.org_id = o.id AND e.id = o.current_engagement_id WHERE o.id = ?`), orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "the organization has no current engagement: create one first, or restore an archived one")
	}
	if err != nil {
		return nil, fmt.Errorf("current engagement: %w", err)
	}
	e.Current = true
	return e, nil
}

// setCurrent makes id (0: none) the organization's current engagement.
func (s *DB) setCurrent(ctx context.Context, tx *sql.Tx, orgID, id int64) error {
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE organizations SET current_engagement_id = ? WHERE id = ?`), nullInt(id), orgID); err != nil {
		return fmt.Errorf("set current engagement: %w", s.dialect.normalize(err))
	}
	return nil
}

// successor is the engagement that becomes current when the current one,
// except, is archived: the newest engagement that is not archived, or 0.
func (s *DB) successor(ctx context.Context, tx *sql.Tx, orgID, except int64) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM engagements WHERE org_id = ? AND id <> ? AND archived_at IS NULL ORDER BY id DESC LIMIT 1`), orgID, except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find the next current engagement: %w", err)
	}
	return id, nil
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
		// A new engagement becomes current when asked to, or when the
		// organization has none: never silently in place of another.
		cur, err := s.currentID(ctx, tx, orgID)
		if err != nil {
			return err
		}
		if e.Current || cur == 0 {
			e.Current = true
			if err := s.setCurrent(ctx, tx, orgID, id); err != nil {
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

// insertSystem stores a system whose owner, if any, must be a member who
// may own things (EINVALID on the "owner" field otherwise).
func (s *DB) insertSystem(ctx context.Context, x queryer, orgID, engagementID int64, sys *attest.System) error {
	owner, err := s.checkOwner(ctx, x, orgID, sys.OwnerID)
	if err != nil {
		return attest.FieldErrorf("owner", "%s", attest.ErrorMessage(err))
	}
	sys.Owner = owner
	if sys.OwnerID != 0 {
		sys.OwnerNote = "" // a member owns it: a free-text owner is moot
	}
	id, err := s.insertID(ctx, x, `INSERT INTO systems (org_id, engagement_id, name, kind, owner_user_id, owner_note, description) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		orgID, engagementID, sys.Name, sys.Kind, nullInt(sys.OwnerID), sys.OwnerNote, sys.Description)
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
		if err := s.applyStanding(ctx, tx, orgID, e, u); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE engagements SET name = ?, report_type = ?, drivers = ?, customers = ?, notes = ?, target_date = ?, as_of_date = ?, window_start = ?, window_end = ?, categories = ?, archived_at = ? WHERE org_id = ? AND id = ?`),
			e.Name, e.ReportType, jsonText(e.Drivers), jsonText(e.Customers), e.Notes, e.TargetDate, e.AsOfDate, e.WindowStart, e.WindowEnd, jsonText(e.Categories), nullTime(e.ArchivedAt), orgID, id); err != nil {
			return s.dialect.normalize(err)
		}
		return s.appendAudit(ctx, tx, orgID, "engagement.update", "engagement", strconv.FormatInt(id, 10), before, e)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// applyStanding applies an update's Archived and Current to e and to the
// organization's choice of current engagement.
func (s *DB) applyStanding(ctx context.Context, tx *sql.Tx, orgID int64, e *attest.Engagement, u attest.EngagementUpdate) error {
	if u.Current != nil && !*u.Current {
		return attest.FieldErrorf("current", "an engagement stops being current when another one is made current")
	}
	makeCurrent := u.Current != nil
	if u.Archived != nil {
		switch {
		case *u.Archived && makeCurrent:
			return attest.FieldErrorf("current", "an archived engagement cannot be the current one")
		case *u.Archived && e.ArchivedAt == nil:
			now := s.now()
			e.ArchivedAt = &now
			if e.Current { // the newest engagement left takes over, if any
				next, err := s.successor(ctx, tx, orgID, e.ID)
				if err != nil {
					return err
				}
				e.Current = false
				return s.setCurrent(ctx, tx, orgID, next)
			}
		case !*u.Archived && e.ArchivedAt != nil:
			e.ArchivedAt = nil
			cur, err := s.currentID(ctx, tx, orgID)
			if err != nil {
				return err
			}
			makeCurrent = makeCurrent || cur == 0 // the organization had none left
		}
	}
	if !makeCurrent {
		return nil
	}
	if e.ArchivedAt != nil {
		return attest.FieldErrorf("current", "engagement %d is archived: restore it before making it current", e.ID)
	}
	e.Current = true
	return s.setCurrent(ctx, tx, orgID, e.ID)
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
		sys, err := scanSystem(tx.QueryRowContext(ctx, s.q(`SELECT `+systemColumns+` FROM systems WHERE org_id = ? AND engagement_id = ? AND id = ?`), orgID, engagementID, systemID))
		if err == nil {
			err = s.fillSystemOwners(ctx, tx, orgID, []*attest.System{sys})
		}
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

// SetSystemOwner hands a system to a member who may own things (0:
// nobody); the free-text note goes. A system taken from the asset
// inventory follows its asset's owner and is refused here.
func (s *DB) SetSystemOwner(ctx context.Context, orgID, engagementID, systemID, ownerID int64) (*attest.System, error) {
	var after *attest.System
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var asset sql.NullInt64
		before, err := scanSystem(tx.QueryRowContext(ctx, s.q(`SELECT `+systemColumns+`, asset_id FROM systems WHERE org_id = ? AND engagement_id = ? AND id = ?`), orgID, engagementID, systemID), &asset)
		if errors.Is(err, sql.ErrNoRows) {
			return attest.Errorf(attest.ENOTFOUND, "engagement %d has no system %d", engagementID, systemID)
		}
		if err != nil {
			return fmt.Errorf("find system: %w", err)
		}
		if asset.Valid {
			return attest.FieldErrorf("owner", "system %q is asset %d of the inventory and follows its owner: change the asset's owner instead", before.Name, asset.Int64)
		}
		if err := s.fillSystemOwners(ctx, tx, orgID, []*attest.System{before}); err != nil {
			return err
		}
		owner, err := s.checkOwner(ctx, tx, orgID, ownerID)
		if err != nil {
			return attest.FieldErrorf("owner", "%s", attest.ErrorMessage(err))
		}
		cp := *before
		after = &cp
		after.OwnerID, after.Owner, after.OwnerNote = ownerID, owner, ""
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE systems SET owner_user_id = ?, owner_note = '' WHERE org_id = ? AND id = ?`), nullInt(ownerID), orgID, systemID); err != nil {
			return fmt.Errorf("set system owner: %w", err)
		}
		return s.appendAudit(ctx, tx, orgID, "system.update", "system", strconv.FormatInt(systemID, 10), systemInScope{engagementID, before}, systemInScope{engagementID, after})
	})
	if err != nil {
		return nil, err
	}
	return after, nil
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
