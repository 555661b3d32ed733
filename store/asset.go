package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

const assetColumns = `t.id, t.name, t.type, t.description, t.owner_user_id, t.environment, t.classification, t.integrations, t.status, t.reviewed_on, t.created_at, t.updated_at, t.closed_at`

func scanAsset(row rowScanner) (*attest.Asset, error) {
	a := &attest.Asset{Controls: []string{}, Engagements: []int64{}}
	var owner sql.NullInt64
	var closed sql.NullTime
	if err := row.Scan(&a.ID, &a.Name, &a.Type, &a.Description, &owner, &a.Environment, &a.Classification, &a.Integrations, &a.Status, &a.ReviewedOn, &a.CreatedAt, &a.UpdatedAt, &closed); err != nil {
		return nil, err
	}
	a.OwnerID = owner.Int64
	if closed.Valid {
		a.ClosedAt = &closed.Time
	}
	return a, nil
}

var assetOrder = map[string]string{"name": "LOWER(t.name)", "type": "t.type", "environment": "t.environment",
	"classification": "CASE t.classification WHEN 'restricted' THEN 0 WHEN 'confidential' THEN 1 WHEN 'internal' THEN 2 ELSE 3 END",
	"owner":          ownerOrder("t"), "status": "t.status"}

// FindAssets returns one page of the matching assets and how many match.
func (s *DB) FindAssets(ctx context.Context, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Asset, int, error) {
	p, err := p.Check(attest.AssetSorts)
	if err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	where, args := registerWhere(orgID, f, "t.name", "t.description", "t.integrations")
	where, args, err = s.scopeWhere(ctx, orgID, string(attest.RecordAsset), "t", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	if f.Category != "" {
		where += ` AND t.type = ?`
		args = append(args, f.Category)
	}
	if p.Sort == "" {
		p.Sort = "name"
	}
	assets, total, err := registerPage(ctx, s, "assets", "assets", assetColumns, where, args, assetOrder[p.Sort], p, scanAsset)
	if err != nil {
		return nil, 0, err
	}
	return assets, total, s.fillAssets(ctx, s.db, orgID, assets)
}

func (s *DB) fillAssets(ctx context.Context, x queryer, orgID int64, assets []*attest.Asset) error {
	ids := make([]int64, len(assets))
	byID := map[int64]*attest.Asset{}
	for i, a := range assets {
		ids[i] = a.ID
		byID[a.ID] = a
	}
	controls, err := s.recordTargets(ctx, x, orgID, attest.RecordAsset, "control", ids)
	if err != nil {
		return err
	}
	for _, a := range assets {
		if c := controls[a.ID]; c != nil {
			a.Controls = c
		}
	}
	if len(ids) > 0 {
		args := []any{orgID}
		for _, id := range ids {
			args = append(args, id)
		}
		type pair struct{ asset, eng int64 }
		rows, err := queryAll(ctx, x, "find asset scope", func(r rowScanner) (pair, error) {
			var p pair
			return p, r.Scan(&p.asset, &p.eng)
		}, s.q(`SELECT asset_id, engagement_id FROM systems WHERE org_id = ? AND asset_id IN (`+placeholders(len(ids))+`) ORDER BY engagement_id`), args...)
		if err != nil {
			return err
		}
		for _, p := range rows {
			byID[p.asset].Engagements = append(byID[p.asset].Engagements, p.eng)
		}
	}
	return s.fillPeople(ctx, orgID, len(assets), func(i int) []int64 { return []int64{assets[i].OwnerID} }, func(i int, people attest.People) {
		assets[i].Owner = people.Get(assets[i].OwnerID)
	})
}

// FindAssetByID returns the organization's asset, or ENOTFOUND.
func (s *DB) FindAssetByID(ctx context.Context, orgID, id int64) (*attest.Asset, error) {
	return s.findAsset(ctx, s.db, orgID, id)
}

func (s *DB) findAsset(ctx context.Context, x queryer, orgID, id int64) (*attest.Asset, error) {
	a, err := scanAsset(x.QueryRowContext(ctx, s.q(`SELECT `+assetColumns+` FROM assets t WHERE t.org_id = ? AND t.id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no asset %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find asset: %w", err)
	}
	return a, s.fillAssets(ctx, x, orgID, []*attest.Asset{a})
}

func (s *DB) checkAsset(ctx context.Context, x queryer, orgID int64, a *attest.Asset) error {
	if err := a.Validate(); err != nil {
		return err
	}
	var err error
	if a.Owner, err = s.checkOwner(ctx, x, orgID, a.OwnerID); err != nil {
		return attest.FieldErrorf("owner", "%s", attest.ErrorMessage(err))
	}
	return nil
}

// CreateAsset validates and stores an asset.
func (s *DB) CreateAsset(ctx context.Context, orgID int64, a *attest.Asset) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if err := s.checkAsset(ctx, tx, orgID, a); err != nil {
			return err
		}
		return s.insertAsset(ctx, tx, orgID, a, "asset.create")
	})
	if err != nil {
		return fmt.Errorf("create asset: %w", err)
	}
	return nil
}

func (s *DB) insertAsset(ctx context.Context, tx *sql.Tx, orgID int64, a *attest.Asset, action string) error {
	a.CreatedAt = s.now()
	a.UpdatedAt = a.CreatedAt
	if a.Controls == nil {
		a.Controls = []string{}
	}
	if a.Engagements == nil {
		a.Engagements = []int64{}
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO assets (org_id, name, type, description, owner_user_id, environment, classification, integrations, status, reviewed_on, created_at, updated_at) VALUES (`+placeholders(12)+`)`,
		orgID, a.Name, a.Type, a.Description, nullInt(a.OwnerID), a.Environment, a.Classification, a.Integrations, a.Status, a.ReviewedOn, a.CreatedAt, a.UpdatedAt)
	if err != nil {
		return err
	}
	a.ID = id
	return s.appendAudit(ctx, tx, orgID, action, "asset", strconv.FormatInt(id, 10), nil, a)
}

// UpdateAsset stores an asset's editable fields; the engagement systems
// taken from it follow its name, kind and owner (by ID).
func (s *DB) UpdateAsset(ctx context.Context, orgID int64, a *attest.Asset) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findAsset(ctx, tx, orgID, a.ID)
		if err != nil {
			return err
		}
		a.CreatedAt, a.Controls, a.Engagements = before.CreatedAt, before.Controls, before.Engagements
		if err := s.checkAsset(ctx, tx, orgID, a); err != nil {
			return err
		}
		a.UpdatedAt, a.ClosedAt = s.now(), nil
		if a.Status == "retired" {
			a.ClosedAt = before.ClosedAt
			if a.ClosedAt == nil {
				a.ClosedAt = &a.UpdatedAt
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE assets SET name = ?, type = ?, description = ?, owner_user_id = ?, environment = ?, classification = ?, integrations = ?, status = ?,
			reviewed_on = ?, updated_at = ?, closed_at = ? WHERE org_id = ? AND id = ?`),
			a.Name, a.Type, a.Description, nullInt(a.OwnerID), a.Environment, a.Classification, a.Integrations, a.Status, a.ReviewedOn, a.UpdatedAt, nullTime(a.ClosedAt), orgID, a.ID); err != nil {
			return fmt.Errorf("write asset: %w", s.dialect.normalize(err))
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE systems SET name = ?, kind = ?, owner_user_id = ?, owner_note = '' WHERE org_id = ? AND asset_id = ?`), a.Name, a.SystemKind(), nullInt(a.OwnerID), orgID, a.ID); err != nil {
			return fmt.Errorf("update scoped systems: %w", err)
		}
		return s.appendAudit(ctx, tx, orgID, "asset.update", "asset", strconv.FormatInt(a.ID, 10), before, a)
	})
	if err != nil {
		return fmt.Errorf("update asset: %w", err)
	}
	return nil
}

// ImportAssets stores many assets in one transaction: all or none.
func (s *DB) ImportAssets(ctx context.Context, orgID int64, assets []*attest.Asset) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		for i, a := range assets {
			if err := s.checkAsset(ctx, tx, orgID, a); err != nil {
				return importError(i, err)
			}
			if err := s.insertAsset(ctx, tx, orgID, a, "asset.import"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import assets: %w", err)
	}
	return nil
}

// ScopeAsset adds an asset of the inventory to an engagement's systems in
// scope, as a system that names the asset; if it is there already,
// that system is returned and nothing changes.
func (s *DB) ScopeAsset(ctx context.Context, orgID, engagementID, assetID int64) (*attest.System, error) {
	var sys *attest.System
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		a, err := s.findAsset(ctx, tx, orgID, assetID)
		if err != nil {
			return err
		}
		if _, err := s.findEngagement(ctx, tx, orgID, engagementID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM systems WHERE org_id = ? AND engagement_id = ? AND asset_id = ?`), orgID, engagementID, assetID).Scan(&n); err != nil {
			return fmt.Errorf("find scoped asset: %w", err)
		}
		if n > 0 {
			// Already in scope: asking again changes nothing.
			if sys, err = scanSystem(tx.QueryRowContext(ctx, s.q(`SELECT `+systemColumns+` FROM systems WHERE org_id = ? AND engagement_id = ? AND asset_id = ?`), orgID, engagementID, assetID)); err != nil {
				return fmt.Errorf("find scoped asset: %w", err)
			}
			return s.fillSystemOwners(ctx, tx, orgID, []*attest.System{sys})
		}
		// The system follows the asset's owner by ID, as UpdateAsset keeps it.
		sys = &attest.System{Name: a.Name, Kind: a.SystemKind(), OwnerID: a.OwnerID, Owner: a.Owner, Description: a.Description}
		if len(sys.Description) > 1000 {
			sys.Description = sys.Description[:1000]
		}
		if err := sys.Validate(); err != nil {
			return err
		}
		id, err := s.insertID(ctx, tx, `INSERT INTO systems (org_id, engagement_id, name, kind, owner_user_id, description, asset_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			orgID, engagementID, sys.Name, sys.Kind, nullInt(sys.OwnerID), sys.Description, assetID)
		if err != nil {
			return err
		}
		sys.ID = id
		return s.appendAudit(ctx, tx, orgID, "engagement.add_system", "engagement", strconv.FormatInt(engagementID, 10), nil, map[string]any{"system": sys, "asset_id": assetID})
	})
	if err != nil {
		return nil, fmt.Errorf("scope asset: %w", err)
	}
	return sys, nil
}
