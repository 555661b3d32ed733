package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

const incidentColumns = `t.id, t.title, t.severity, t.status, t.reported_at, t.owner_user_id, t.summary, t.affected_data, t.personal_data, t.customers, t.notified_on,
	t.root_cause, t.review, t.reviewed_on, t.signed_off_by_id, t.signed_off_at, t.created_at, t.updated_at, t.closed_at`

func scanIncident(row rowScanner) (*attest.Incident, error) {
	i := &attest.Incident{Controls: []string{}, AssetIDs: []int64{}}
	var owner, signer sql.NullInt64
	var signed, closed sql.NullTime
	if err := row.Scan(&i.ID, &i.Title, &i.Severity, &i.Status, &i.ReportedAt, &owner, &i.Summary, &i.AffectedData, &i.PersonalData, &i.Customers, &i.NotifiedOn,
		&i.RootCause, &i.Review, &i.ReviewedOn, &signer, &signed, &i.CreatedAt, &i.UpdatedAt, &closed); err != nil {
		return nil, err
	}
	i.OwnerID, i.SignedOffByID = owner.Int64, signer.Int64
	if signed.Valid {
		i.SignedOffAt = &signed.Time
	}
	if closed.Valid {
		i.ClosedAt = &closed.Time
	}
	return i, nil
}

var incidentOrder = map[string]string{"reported_at": "t.reported_at", "severity": "t.severity", "title": "LOWER(t.title)",
	"status": "CASE t.status WHEN 'open' THEN 0 WHEN 'contained' THEN 1 WHEN 'resolved' THEN 2 ELSE 3 END", "owner": ownerOrder("t")}

// FindIncidents returns one page of the matching incidents, newest first
// by default, and how many match. From and To select the incidents
// reported within an observation window: the population an auditor
// samples.
func (s *DB) FindIncidents(ctx context.Context, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Incident, int, error) {
	p, err := p.Check(attest.IncidentSorts)
	if err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	where, args := registerWhere(orgID, f, "t.title", "t.summary", "t.root_cause")
	where, args, err = s.scopeWhere(ctx, orgID, string(attest.RecordIncident), "t", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	if f.Category != "" {
		where += ` AND t.severity = ?`
		args = append(args, f.Category)
	}
	if f.Gap {
		where += ` AND t.status IN ('resolved', 'closed') AND t.signed_off_at IS NULL`
	}
	if !f.From.IsZero() {
		where += ` AND t.reported_at >= ?`
		args = append(args, f.From.Time())
	}
	if !f.To.IsZero() {
		where += ` AND t.reported_at < ?`
		args = append(args, f.To.AddDays(1).Time())
	}
	if p.Sort == "" {
		p.Sort, p.Desc = "reported_at", true // the list's own order: the newest first
	}
	incidents, total, err := registerPage(ctx, s, "incidents", "incidents", incidentColumns, where, args, incidentOrder[p.Sort], p, scanIncident)
	if err != nil {
		return nil, 0, err
	}
	return incidents, total, s.fillIncidents(ctx, s.db, orgID, incidents)
}

func (s *DB) fillIncidents(ctx context.Context, x queryer, orgID int64, incidents []*attest.Incident) error {
	ids := make([]int64, len(incidents))
	for i, in := range incidents {
		ids[i] = in.ID
	}
	controls, err := s.recordTargets(ctx, x, orgID, attest.RecordIncident, "control", ids)
	if err != nil {
		return err
	}
	assets, err := s.recordTargets(ctx, x, orgID, attest.RecordIncident, "asset", ids)
	if err != nil {
		return err
	}
	for _, in := range incidents {
		if c := controls[in.ID]; c != nil {
			in.Controls = c
		}
		for _, a := range assets[in.ID] {
			n, _ := strconv.ParseInt(a, 10, 64)
			in.AssetIDs = append(in.AssetIDs, n)
		}
	}
	return s.fillPeople(ctx, orgID, len(incidents), func(i int) []int64 { return []int64{incidents[i].OwnerID, incidents[i].SignedOffByID} }, func(i int, people attest.People) {
		incidents[i].Owner, incidents[i].SignedOffBy = people.Get(incidents[i].OwnerID), people.Get(incidents[i].SignedOffByID)
	})
}

// FindIncidentByID returns the organization's incident, or ENOTFOUND.
func (s *DB) FindIncidentByID(ctx context.Context, orgID, id int64) (*attest.Incident, error) {
	return s.findIncident(ctx, s.db, orgID, id)
}

func (s *DB) findIncident(ctx context.Context, x queryer, orgID, id int64) (*attest.Incident, error) {
	in, err := scanIncident(x.QueryRowContext(ctx, s.q(`SELECT `+incidentColumns+` FROM incidents t WHERE t.org_id = ? AND t.id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no incident %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find incident: %w", err)
	}
	return in, s.fillIncidents(ctx, x, orgID, []*attest.Incident{in})
}

func (s *DB) checkIncident(ctx context.Context, x queryer, orgID int64, in *attest.Incident) error {
	if err := in.Validate(); err != nil {
		return err
	}
	var err error
	if in.Owner, err = s.checkOwner(ctx, x, orgID, in.OwnerID); err != nil {
		return attest.FieldErrorf("owner", "%s", attest.ErrorMessage(err))
	}
	return nil
}

// CreateIncident validates and stores a reported incident with the
// assets it affects.
func (s *DB) CreateIncident(ctx context.Context, orgID int64, in *attest.Incident) error {
	in.SignedOffAt, in.SignedOffByID = nil, 0
	if in.ReportedAt.IsZero() {
		in.ReportedAt = s.now()
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if err := s.checkIncident(ctx, tx, orgID, in); err != nil {
			return err
		}
		return s.insertIncident(ctx, tx, orgID, in, "incident.create")
	})
	if err != nil {
		return fmt.Errorf("create incident: %w", err)
	}
	return nil
}

func (s *DB) insertIncident(ctx context.Context, tx *sql.Tx, orgID int64, in *attest.Incident, action string) error {
	in.CreatedAt = s.now()
	in.UpdatedAt, in.ReportedAt = in.CreatedAt, in.ReportedAt.UTC()
	if in.Controls == nil {
		in.Controls = []string{}
	}
	if in.AssetIDs == nil {
		in.AssetIDs = []int64{}
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO incidents (org_id, title, severity, status, reported_at, owner_user_id, summary, affected_data, personal_data, customers, notified_on,
		root_cause, review, reviewed_on, created_at, updated_at) VALUES (`+placeholders(16)+`)`,
		orgID, in.Title, in.Severity, in.Status, in.ReportedAt, nullInt(in.OwnerID), in.Summary, in.AffectedData, in.PersonalData, in.Customers, in.NotifiedOn,
		in.RootCause, in.Review, in.ReviewedOn, in.CreatedAt, in.UpdatedAt)
	if err != nil {
		return err
	}
	in.ID = id
	if err := s.setAssetLinks(ctx, tx, orgID, attest.RecordIncident, id, in.AssetIDs); err != nil {
		return err
	}
	return s.appendAudit(ctx, tx, orgID, action, "incident", strconv.FormatInt(id, 10), nil, in)
}

// UpdateIncident stores an incident's editable fields and affected assets.
// The sign-off stays unless the review text changes, which withdraws it.
func (s *DB) UpdateIncident(ctx context.Context, orgID int64, in *attest.Incident) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findIncident(ctx, tx, orgID, in.ID)
		if err != nil {
			return err
		}
		in.CreatedAt, in.Controls, in.ClosedAt = before.CreatedAt, before.Controls, before.ClosedAt
		in.SignedOffByID, in.SignedOffAt = before.SignedOffByID, before.SignedOffAt
		if in.Review != before.Review {
			in.SignedOffByID, in.SignedOffAt = 0, nil
		}
		if err := s.checkIncident(ctx, tx, orgID, in); err != nil {
			return err
		}
		in.UpdatedAt = s.now()
		switch {
		case in.Status == "closed" && in.ClosedAt == nil:
			in.ClosedAt = &in.UpdatedAt
		case in.Status != "closed":
			in.ClosedAt = nil
		}
		if in.AssetIDs == nil {
			in.AssetIDs = []int64{}
		}
		if err := s.writeIncident(ctx, tx, orgID, in); err != nil {
			return err
		}
		if err := s.setAssetLinks(ctx, tx, orgID, attest.RecordIncident, in.ID, in.AssetIDs); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "incident.update", "incident", strconv.FormatInt(in.ID, 10), before, in)
	})
	if err != nil {
		return fmt.Errorf("update incident: %w", err)
	}
	return nil
}

func (s *DB) writeIncident(ctx context.Context, tx *sql.Tx, orgID int64, in *attest.Incident) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE incidents SET title = ?, severity = ?, status = ?, reported_at = ?, owner_user_id = ?, summary = ?, affected_data = ?, personal_data = ?,
		customers = ?, notified_on = ?, root_cause = ?, review = ?, reviewed_on = ?, signed_off_by_id = ?, signed_off_at = ?, updated_at = ?, closed_at = ? WHERE org_id = ? AND id = ?`),
		in.Title, in.Severity, in.Status, in.ReportedAt.UTC(), nullInt(in.OwnerID), in.Summary, in.AffectedData, in.PersonalData, in.Customers, in.NotifiedOn,
		in.RootCause, in.Review, in.ReviewedOn, nullInt(in.SignedOffByID), nullTime(in.SignedOffAt), in.UpdatedAt, nullTime(in.ClosedAt), orgID, in.ID)
	if err != nil {
		return fmt.Errorf("write incident: %w", s.dialect.normalize(err))
	}
	return nil
}

// SignOffIncident records userID's sign-off of the post-incident review,
// which must be written and dated.
func (s *DB) SignOffIncident(ctx context.Context, orgID, id, userID int64) (*attest.Incident, error) {
	var in *attest.Incident
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findIncident(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		switch {
		case before.Review == "" || before.ReviewedOn.IsZero():
			return attest.FieldErrorf("review", "write the post-incident review and its date before signing it off")
		case before.RootCause == "":
			return attest.FieldErrorf("root_cause", "record the root cause before signing the review off")
		case before.SignedOffAt != nil:
			return attest.Errorf(attest.ECONFLICT, "the review was already signed off")
		}
		signer, err := s.checkOwner(ctx, tx, orgID, userID)
		if err != nil || signer == nil {
			return attest.Errorf(attest.EFORBIDDEN, "only a member may sign the review off")
		}
		cp := *before
		in = &cp
		now := s.now()
		in.SignedOffByID, in.SignedOffBy, in.SignedOffAt, in.UpdatedAt = userID, signer, &now, now
		if in.Status == "open" || in.Status == "contained" {
			in.Status = "resolved"
		}
		if err := s.writeIncident(ctx, tx, orgID, in); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "incident.sign_off", "incident", strconv.FormatInt(id, 10), before, in)
	})
	if err != nil {
		return nil, fmt.Errorf("sign off incident: %w", err)
	}
	return in, nil
}

// ImportIncidents stores many incidents in one transaction: all or none.
func (s *DB) ImportIncidents(ctx context.Context, orgID int64, incidents []*attest.Incident) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		for i, in := range incidents {
			if in.Status == "closed" {
				return attest.FieldErrorf("status", "record %d: an imported incident closes after its review is signed off in Attest", i+1)
			}
			if err := s.checkIncident(ctx, tx, orgID, in); err != nil {
				return importError(i, err)
			}
			if err := s.insertIncident(ctx, tx, orgID, in, "incident.import"); err != nil {
				return importError(i, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import incidents: %w", err)
	}
	return nil
}
