package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/attest-dev/attest"
)

// ObserveAssets brings collected resources into the inventory, in one
// transaction: a resource of a type the inventory knows
// (attest.InventoryTypes) becomes a new asset unless one of that type and
// name exists, which then lists the integration among those observing
// it. Other resources are left out. It returns how many assets it added
// and how many it marked observed.
func (s *DB) ObserveAssets(ctx context.Context, orgID int64, observed []attest.ObservedAsset) (added, marked int, err error) {
	err = s.change(ctx, orgID, func(tx *sql.Tx) error {
		for _, o := range observed {
			kind, ok := attest.InventoryTypes[o.ResourceType]
			name := strings.TrimSpace(o.Name)
			if !ok || name == "" {
				continue
			}
			var id int64
			err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM assets WHERE org_id = ? AND type = ? AND LOWER(name) = LOWER(?) ORDER BY id LIMIT 1`), orgID, kind[0], name).Scan(&id)
			if err == sql.ErrNoRows {
				a := &attest.Asset{Name: name, Type: kind[0], Environment: kind[1], Classification: "internal", Integrations: o.Integration,
					Description: fmt.Sprintf("Found by the %s integration (%s %s).", o.Integration, o.ResourceType, o.ResourceID)}
				if err := a.Validate(); err != nil {
					return err
				}
				if err := s.insertAsset(ctx, tx, orgID, a, "asset.observe"); err != nil {
					return err
				}
				added++
				continue
			}
			if err != nil {
				return fmt.Errorf("find observed asset: %w", err)
			}
			a, err := s.findAsset(ctx, tx, orgID, id)
			if err != nil {
				return err
			}
			names := strings.FieldsFunc(a.Integrations, func(r rune) bool { return r == ',' || r == ' ' })
			if slices.Contains(names, o.Integration) {
				continue
			}
			before := *a
			a.Integrations = strings.Join(append(names, o.Integration), ", ")
			a.UpdatedAt = s.now()
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE assets SET integrations = ?, updated_at = ? WHERE org_id = ? AND id = ?`), a.Integrations, a.UpdatedAt, orgID, id); err != nil {
				return fmt.Errorf("mark asset observed: %w", err)
			}
			if err := s.appendAudit(ctx, tx, orgID, "asset.observe", "asset", fmt.Sprint(id), &before, a); err != nil {
				return err
			}
			marked++
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("observe assets: %w", err)
	}
	return added, marked, nil
}
