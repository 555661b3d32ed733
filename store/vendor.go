package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

const vendorColumns = `t.id, t.name, t.service, t.data_shared, t.tier, t.owner_user_id, t.contract_start, t.contract_end, t.subservice, t.complementary_controls,
	t.status, t.last_review, t.next_review, t.report_expires, t.created_at, t.updated_at, t.closed_at`

func scanVendor(row rowScanner) (*attest.Vendor, error) {
	v := &attest.Vendor{Controls: []string{}}
	var owner sql.NullInt64
	var closed sql.NullTime
	if err := row.Scan(&v.ID, &v.Name, &v.Service, &v.DataShared, &v.Tier, &owner, &v.ContractStart, &v.ContractEnd, &v.Subservice, &v.ComplementaryControls,
		&v.Status, &v.LastReview, &v.NextReview, &v.ReportExpires, &v.CreatedAt, &v.UpdatedAt, &closed); err != nil {
		return nil, err
	}
	v.OwnerID = owner.Int64
	if closed.Valid {
		v.ClosedAt = &closed.Time
	}
	return v, nil
}

var vendorOrder = map[string]string{"name": "LOWER(t.name)", "tier": "CASE t.tier WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END",
	"status": "t.status", "owner": ownerOrder("t"), "next_review": "t.next_review", "contract_end": "t.contract_end"}

// FindVendors returns one page of the matching vendors and how many match.
func (s *DB) FindVendors(ctx context.Context, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Vendor, int, error) {
	p, err := p.Check(attest.VendorSorts)
	if err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	where, args := registerWhere(orgID, f, "t.name", "t.service", "t.data_shared")
	where, args, err = s.scopeWhere(ctx, orgID, string(attest.RecordVendor), "t", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	if f.Category != "" {
		where += ` AND t.tier = ?`
		args = append(args, f.Category)
	}
	if f.Gap {
		where += ` AND t.status = 'active' AND t.tier IN ('critical', 'high') AND (t.report_expires = '' OR t.report_expires < ?)`
		args = append(args, s.today())
	}
	if p.Sort == "" {
		p.Sort = "name"
	}
	vendors, total, err := registerPage(ctx, s, "vendors", "vendors", vendorColumns, where, args, vendorOrder[p.Sort], p, scanVendor)
	if err != nil {
		return nil, 0, err
	}
	return vendors, total, s.fillVendors(ctx, s.db, orgID, vendors)
}

func (s *DB) fillVendors(ctx context.Context, x queryer, orgID int64, vendors []*attest.Vendor) error {
	ids := make([]int64, len(vendors))
	for i, v := range vendors {
		ids[i] = v.ID
	}
	controls, err := s.recordTargets(ctx, x, orgID, attest.RecordVendor, "control", ids)
	if err != nil {
		return err
	}
	for _, v := range vendors {
		if c := controls[v.ID]; c != nil {
			v.Controls = c
		}
	}
	return s.fillPeople(ctx, orgID, len(vendors), func(i int) []int64 { return []int64{vendors[i].OwnerID} }, func(i int, people attest.People) {
		vendors[i].Owner = people.Get(vendors[i].OwnerID)
	})
}

// FindVendorByID returns the organization's vendor, or ENOTFOUND.
func (s *DB) FindVendorByID(ctx context.Context, orgID, id int64) (*attest.Vendor, error) {
	return s.findVendor(ctx, s.db, orgID, id)
}

func (s *DB) findVendor(ctx context.Context, x queryer, orgID, id int64) (*attest.Vendor, error) {
	v, err := scanVendor(x.QueryRowContext(ctx, s.q(`SELECT `+vendorColumns+` FROM vendors t WHERE t.org_id = ? AND t.id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no vendor %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find vendor: %w", err)
	}
	return v, s.fillVendors(ctx, x, orgID, []*attest.Vendor{v})
}

func (s *DB) checkVendor(ctx context.Context, x queryer, orgID int64, v *attest.Vendor) error {
	if err := v.Validate(); err != nil {
		return err
	}
	var err error
	if v.Owner, err = s.checkOwner(ctx, x, orgID, v.OwnerID); err != nil {
		return attest.FieldErrorf("owner", "%s", attest.ErrorMessage(err))
	}
	return nil
}

// CreateVendor validates and stores a vendor; its first review is due at
// once.
func (s *DB) CreateVendor(ctx context.Context, orgID int64, v *attest.Vendor) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if err := s.checkVendor(ctx, tx, orgID, v); err != nil {
			return err
		}
		return s.insertVendor(ctx, tx, orgID, v, "vendor.create")
	})
	if err != nil {
		return fmt.Errorf("create vendor: %w", err)
	}
	return nil
}

func (s *DB) insertVendor(ctx context.Context, tx *sql.Tx, orgID int64, v *attest.Vendor, action string) error {
	v.CreatedAt = s.now()
	v.UpdatedAt = v.CreatedAt
	if v.NextReview.IsZero() {
		v.NextReview = attest.DateOf(v.CreatedAt)
	}
	if v.Controls == nil {
		v.Controls = []string{}
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO vendors (org_id, name, service, data_shared, tier, owner_user_id, contract_start, contract_end, subservice, complementary_controls,
		status, last_review, next_review, report_expires, created_at, updated_at) VALUES (`+placeholders(16)+`)`,
		orgID, v.Name, v.Service, v.DataShared, v.Tier, nullInt(v.OwnerID), v.ContractStart, v.ContractEnd, v.Subservice, v.ComplementaryControls,
		v.Status, v.LastReview, v.NextReview, v.ReportExpires, v.CreatedAt, v.UpdatedAt)
	if err != nil {
		return err
	}
	v.ID = id
	return s.appendAudit(ctx, tx, orgID, action, "vendor", strconv.FormatInt(id, 10), nil, v)
}

// UpdateVendor stores a vendor's editable fields; the review dates and
// report expiry come from its reviews and reports and are kept.
func (s *DB) UpdateVendor(ctx context.Context, orgID int64, v *attest.Vendor) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findVendor(ctx, tx, orgID, v.ID)
		if err != nil {
			return err
		}
		v.LastReview, v.NextReview, v.ReportExpires, v.CreatedAt, v.Controls = before.LastReview, before.NextReview, before.ReportExpires, before.CreatedAt, before.Controls
		if err := s.checkVendor(ctx, tx, orgID, v); err != nil {
			return err
		}
		v.UpdatedAt, v.ClosedAt = s.now(), nil
		if v.Status == "offboarded" {
			v.ClosedAt = before.ClosedAt
			if v.ClosedAt == nil {
				v.ClosedAt = &v.UpdatedAt
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE vendors SET name = ?, service = ?, data_shared = ?, tier = ?, owner_user_id = ?, contract_start = ?, contract_end = ?, subservice = ?,
			complementary_controls = ?, status = ?, updated_at = ?, closed_at = ? WHERE org_id = ? AND id = ?`),
			v.Name, v.Service, v.DataShared, v.Tier, nullInt(v.OwnerID), v.ContractStart, v.ContractEnd, v.Subservice, v.ComplementaryControls, v.Status, v.UpdatedAt, nullTime(v.ClosedAt), orgID, v.ID); err != nil {
			return fmt.Errorf("write vendor: %w", s.dialect.normalize(err))
		}
		return s.appendAudit(ctx, tx, orgID, "vendor.update", "vendor", strconv.FormatInt(v.ID, 10), before, v)
	})
	if err != nil {
		return fmt.Errorf("update vendor: %w", err)
	}
	return nil
}

// ImportVendors stores many vendors in one transaction: all or none.
func (s *DB) ImportVendors(ctx context.Context, orgID int64, vendors []*attest.Vendor) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		for i, v := range vendors {
			if err := s.checkVendor(ctx, tx, orgID, v); err != nil {
				return importError(i, err)
			}
			if err := s.insertVendor(ctx, tx, orgID, v, "vendor.import"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import vendors: %w", err)
	}
	return nil
}

// AddVendorReport records a vendor's assurance report held as an evidence
// item of the organization; the period is the item's. The vendor's
// report expiry becomes the latest of its reports'.
func (s *DB) AddVendorReport(ctx context.Context, orgID int64, r *attest.VendorReport) error {
	if err := r.Validate(); err != nil {
		return err
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		v, err := s.findVendor(ctx, tx, orgID, r.VendorID)
		if err != nil {
			return err
		}
		ev, err := s.findEvidence(ctx, tx, orgID, r.EvidenceID)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			return attest.FieldErrorf("evidence_id", "no evidence item %d", r.EvidenceID)
		}
		if err != nil {
			return err
		}
		r.Title, r.PeriodStart, r.PeriodEnd, r.CreatedAt = ev.Title, ev.PeriodStart, ev.PeriodEnd, s.now()
		id, err := s.insertID(ctx, tx, `INSERT INTO vendor_reports (org_id, vendor_id, kind, evidence_id, title, period_start, period_end, expires, created_at) VALUES (`+placeholders(9)+`)`,
			orgID, r.VendorID, r.Kind, r.EvidenceID, r.Title, r.PeriodStart, r.PeriodEnd, r.Expires, r.CreatedAt)
		if err != nil {
			return err
		}
		r.ID = id
		if v.ReportExpires.Before(r.Expires) {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE vendors SET report_expires = ?, updated_at = ? WHERE org_id = ? AND id = ?`), r.Expires, s.now(), orgID, v.ID); err != nil {
				return fmt.Errorf("record report expiry: %w", err)
			}
		}
		return s.appendAudit(ctx, tx, orgID, "vendor.report", "vendor", strconv.FormatInt(v.ID, 10), nil, r)
	})
	if err != nil {
		return fmt.Errorf("add vendor report: %w", err)
	}
	return nil
}

// FindVendorReports returns a vendor's assurance reports, latest expiry
// first.
func (s *DB) FindVendorReports(ctx context.Context, orgID, vendorID int64) ([]*attest.VendorReport, error) {
	return queryAll(ctx, s.db, "find vendor reports", func(row rowScanner) (*attest.VendorReport, error) {
		r := &attest.VendorReport{}
		return r, row.Scan(&r.ID, &r.VendorID, &r.Kind, &r.EvidenceID, &r.Title, &r.PeriodStart, &r.PeriodEnd, &r.Expires, &r.CreatedAt)
	}, s.q(`SELECT id, vendor_id, kind, evidence_id, title, period_start, period_end, expires, created_at FROM vendor_reports WHERE org_id = ? AND vendor_id = ? ORDER BY expires DESC, id DESC`), orgID, vendorID)
}
