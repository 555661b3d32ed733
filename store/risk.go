package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/attest-dev/attest"
)

const riskColumns = `t.id, t.title, t.description, t.category, t.library_id, t.owner_user_id, t.likelihood, t.impact, t.residual_likelihood, t.residual_impact,
	t.treatment, t.treatment_plan, t.status, t.approver_user_id, t.requested_by_id, t.accepted_at, t.acceptance_review, t.reviewed_on, t.created_at, t.updated_at, t.closed_at`

func scanRisk(row rowScanner) (*attest.Risk, error) {
	r := &attest.Risk{Controls: []string{}}
	var owner, approver, requester sql.NullInt64
	var accepted, closed sql.NullTime
	if err := row.Scan(&r.ID, &r.Title, &r.Description, &r.Category, &r.LibraryID, &owner, &r.Likelihood, &r.Impact, &r.ResidualLikelihood, &r.ResidualImpact,
		&r.Treatment, &r.TreatmentPlan, &r.Status, &approver, &requester, &accepted, &r.AcceptanceReview, &r.ReviewedOn, &r.CreatedAt, &r.UpdatedAt, &closed); err != nil {
		return nil, err
	}
	r.OwnerID, r.ApproverID, r.RequestedByID = owner.Int64, approver.Int64, requester.Int64
	if accepted.Valid {
		r.AcceptedAt = &accepted.Time
	}
	if closed.Valid {
		r.ClosedAt = &closed.Time
	}
	return r, nil
}

// riskOrder maps the risks list's sort columns to SQL.
var riskOrder = map[string]string{"residual": "t.residual_score", "inherent": "t.inherent_score", "title": "LOWER(t.title)", "category": "t.category",
	"status": "CASE t.status WHEN 'open' THEN 0 WHEN 'treating' THEN 1 WHEN 'accepted' THEN 2 ELSE 3 END", "owner": ownerOrder("t"), "updated_at": "t.updated_at"}

// FindRisks returns one page of the matching risks, highest residual
// score first by default, and how many match.
func (s *DB) FindRisks(ctx context.Context, orgID int64, f attest.RegisterFilter, p attest.Page) ([]*attest.Risk, int, error) {
	p, err := p.Check(attest.RiskSorts)
	if err != nil {
		return nil, 0, err
	}
	if err := f.Validate(); err != nil {
		return nil, 0, err
	}
	where, args := registerWhere(orgID, f, "t.title", "t.description", "t.category")
	where, args, err = s.scopeWhere(ctx, orgID, string(attest.RecordRisk), "t", f.Scope, where, args)
	if err != nil {
		return nil, 0, err
	}
	if f.Category != "" {
		where += ` AND t.category = ?`
		args = append(args, f.Category)
	}
	if f.Gap {
		st, err := s.FindRegisterSettings(ctx, orgID)
		if err != nil {
			return nil, 0, err
		}
		where += ` AND t.status <> 'closed' AND t.treatment = '' AND t.inherent_score > ?`
		args = append(args, st.RiskAppetite)
	}
	if p.Sort == "" {
		p.Sort, p.Desc = "residual", true // the list's own order: the worst first
	}
	risks, total, err := registerPage(ctx, s, "risks", "risks", riskColumns, where, args, riskOrder[p.Sort], p, scanRisk)
	if err != nil {
		return nil, 0, err
	}
	return risks, total, s.fillRisks(ctx, s.db, orgID, risks)
}

// fillRisks sets the people and mitigating controls of risks.
func (s *DB) fillRisks(ctx context.Context, x queryer, orgID int64, risks []*attest.Risk) error {
	ids := make([]int64, len(risks))
	for i, r := range risks {
		ids[i] = r.ID
	}
	controls, err := s.recordTargets(ctx, x, orgID, attest.RecordRisk, "control", ids)
	if err != nil {
		return err
	}
	for _, r := range risks {
		if c := controls[r.ID]; c != nil {
			r.Controls = c
		}
	}
	return s.fillPeople(ctx, orgID, len(risks), func(i int) []int64 { return []int64{risks[i].OwnerID, risks[i].ApproverID, risks[i].RequestedByID} }, func(i int, people attest.People) {
		k := risks[i]
		k.Owner, k.Approver, k.RequestedBy = people.Get(k.OwnerID), people.Get(k.ApproverID), people.Get(k.RequestedByID)
	})
}

// FindRiskByID returns the organization's risk, or ENOTFOUND.
func (s *DB) FindRiskByID(ctx context.Context, orgID, id int64) (*attest.Risk, error) {
	return s.findRisk(ctx, s.db, orgID, id)
}

func (s *DB) findRisk(ctx context.Context, x queryer, orgID, id int64) (*attest.Risk, error) {
	r, err := scanRisk(x.QueryRowContext(ctx, s.q(`SELECT `+riskColumns+` FROM risks t WHERE t.org_id = ? AND t.id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no risk %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find risk: %w", err)
	}
	return r, s.fillRisks(ctx, x, orgID, []*attest.Risk{r})
}

// checkRisk validates a risk on the organization's scale and checks its
// people: the owner may own things, the approver likewise.
func (s *DB) checkRisk(ctx context.Context, x queryer, orgID int64, r *attest.Risk) error {
	st, err := s.registerSettings(ctx, x, orgID)
	if err != nil {
		return err
	}
	if err := r.Validate(st.RiskScale); err != nil {
		return err
	}
	if r.Owner, err = s.checkOwner(ctx, x, orgID, r.OwnerID); err != nil {
		return attest.FieldErrorf("owner", "%s", attest.ErrorMessage(err))
	}
	if r.Approver, err = s.checkOwner(ctx, x, orgID, r.ApproverID); err != nil {
		return attest.FieldErrorf("approver", "%s", attest.ErrorMessage(err))
	}
	return nil
}

// CreateRisk validates and stores a risk.
func (s *DB) CreateRisk(ctx context.Context, orgID int64, r *attest.Risk) error {
	r.AcceptedAt = nil
	if r.Status == attest.RiskAccepted || r.Status == attest.RiskClosed {
		return attest.FieldErrorf("status", "a new risk is open or being treated")
	}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if err := s.checkRisk(ctx, tx, orgID, r); err != nil {
			return err
		}
		return s.insertRisk(ctx, tx, orgID, r, "risk.create")
	})
	if err != nil {
		return fmt.Errorf("create risk: %w", err)
	}
	return nil
}

func (s *DB) insertRisk(ctx context.Context, tx *sql.Tx, orgID int64, r *attest.Risk, action string) error {
	r.CreatedAt = s.now()
	r.UpdatedAt = r.CreatedAt
	if r.Controls == nil {
		r.Controls = []string{}
	}
	id, err := s.insertID(ctx, tx, `INSERT INTO risks (org_id, title, description, category, library_id, owner_user_id, likelihood, impact, residual_likelihood, residual_impact,
		inherent_score, residual_score, treatment, treatment_plan, status, approver_user_id, requested_by_id, acceptance_review, reviewed_on, created_at, updated_at, closed_at) VALUES (`+placeholders(22)+`)`,
		orgID, r.Title, r.Description, r.Category, r.LibraryID, nullInt(r.OwnerID), r.Likelihood, r.Impact, r.ResidualLikelihood, r.ResidualImpact,
		r.InherentScore(), r.ResidualScore(), r.Treatment, r.TreatmentPlan, r.Status, nullInt(r.ApproverID), nullInt(r.RequestedByID), r.AcceptanceReview, r.ReviewedOn, r.CreatedAt, r.UpdatedAt, nullTime(r.ClosedAt))
	if err != nil {
		return err
	}
	r.ID = id
	return s.appendAudit(ctx, tx, orgID, action, "risk", strconv.FormatInt(id, 10), nil, r)
}

// UpdateRisk stores the editable fields of r. Changing the treatment to
// acceptance, its approver or its review date withdraws any approval:
// the approver approves again. Closing sets ClosedAt.
func (s *DB) UpdateRisk(ctx context.Context, orgID int64, r *attest.Risk) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findRisk(ctx, tx, orgID, r.ID)
		if err != nil {
			return err
		}
		r.AcceptedAt, r.CreatedAt, r.ClosedAt = before.AcceptedAt, before.CreatedAt, before.ClosedAt
		if r.Treatment != attest.TreatAccept {
			r.ApproverID, r.RequestedByID, r.AcceptedAt = 0, 0, nil
		} else if before.Treatment != attest.TreatAccept || before.ApproverID != r.ApproverID || before.AcceptanceReview != r.AcceptanceReview {
			r.AcceptedAt = nil
			if r.RequestedByID == 0 {
				r.RequestedByID = before.RequestedByID
			}
		} else {
			r.RequestedByID = before.RequestedByID
		}
		if r.Status == attest.RiskAccepted && r.AcceptedAt == nil {
			r.Status = attest.RiskTreating
		}
		if r.Status != attest.RiskAccepted && before.Status == attest.RiskAccepted && r.AcceptedAt != nil && r.Status != attest.RiskClosed {
			r.Status = attest.RiskAccepted
		}
		switch {
		case r.Status == attest.RiskClosed && r.ClosedAt == nil:
			now := s.now()
			r.ClosedAt = &now
		case r.Status != attest.RiskClosed:
			r.ClosedAt = nil
		}
		if err := s.checkRisk(ctx, tx, orgID, r); err != nil {
			return err
		}
		r.UpdatedAt = s.now()
		r.Controls = before.Controls
		if err := s.writeRisk(ctx, tx, orgID, r); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "risk.update", "risk", strconv.FormatInt(r.ID, 10), before, r)
	})
	if err != nil {
		return fmt.Errorf("update risk: %w", err)
	}
	return nil
}

func (s *DB) writeRisk(ctx context.Context, tx *sql.Tx, orgID int64, r *attest.Risk) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE risks SET title = ?, description = ?, category = ?, owner_user_id = ?, likelihood = ?, impact = ?, residual_likelihood = ?, residual_impact = ?,
		inherent_score = ?, residual_score = ?, treatment = ?, treatment_plan = ?, status = ?, approver_user_id = ?, requested_by_id = ?, accepted_at = ?, acceptance_review = ?, reviewed_on = ?,
		updated_at = ?, closed_at = ? WHERE org_id = ? AND id = ?`),
		r.Title, r.Description, r.Category, nullInt(r.OwnerID), r.Likelihood, r.Impact, r.ResidualLikelihood, r.ResidualImpact, r.InherentScore(), r.ResidualScore(),
		r.Treatment, r.TreatmentPlan, r.Status, nullInt(r.ApproverID), nullInt(r.RequestedByID), nullTime(r.AcceptedAt), r.AcceptanceReview, r.ReviewedOn, r.UpdatedAt, nullTime(r.ClosedAt), orgID, r.ID)
	if err != nil {
		return fmt.Errorf("write risk: %w", s.dialect.normalize(err))
	}
	return nil
}

// ApproveRisk records the approver's approval of a risk's acceptance; only
// the member the risk names may approve (EFORBIDDEN), never the one who
// asked.
func (s *DB) ApproveRisk(ctx context.Context, orgID, id, userID int64) (*attest.Risk, error) {
	var r *attest.Risk
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		before, err := s.findRisk(ctx, tx, orgID, id)
		if err != nil {
			return err
		}
		switch {
		case before.Treatment != attest.TreatAccept:
			return attest.Errorf(attest.EINVALID, "risk %d is not proposed for acceptance", id)
		case before.ApproverID == 0 || before.ApproverID != userID:
			return attest.Errorf(attest.EFORBIDDEN, "only the approver the risk names may approve its acceptance")
		case before.RequestedByID == userID:
			return attest.Errorf(attest.EFORBIDDEN, "the person who asked to accept a risk cannot approve it")
		case before.AcceptedAt != nil:
			return attest.Errorf(attest.ECONFLICT, "the acceptance was already approved")
		}
		cp := *before
		r = &cp
		now := s.now()
		r.AcceptedAt, r.Status, r.UpdatedAt = &now, attest.RiskAccepted, now
		if err := s.writeRisk(ctx, tx, orgID, r); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "risk.approve", "risk", strconv.FormatInt(id, 10), before, r)
	})
	if err != nil {
		return nil, fmt.Errorf("approve risk: %w", err)
	}
	return r, nil
}

// ImportRisks stores many risks in one transaction: the first bad one
// refuses them all, naming its position.
func (s *DB) ImportRisks(ctx context.Context, orgID int64, risks []*attest.Risk) error {
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		for i, r := range risks {
			if r.Status == attest.RiskAccepted {
				return attest.Errorf(attest.EINVALID, "risk %d: an imported risk cannot already be accepted", i+1)
			}
			if err := s.checkRisk(ctx, tx, orgID, r); err != nil {
				return importError(i, err)
			}
			if r.Status == attest.RiskClosed {
				now := s.now()
				r.ClosedAt = &now
			}
			if err := s.insertRisk(ctx, tx, orgID, r, "risk.import"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import risks: %w", err)
	}
	return nil
}

// importError names the position of the record an import refused, and
// keeps the field the refusal is about.
func importError(i int, err error) error {
	if attest.ErrorCode(err) != attest.EINVALID {
		return err
	}
	return attest.FieldErrorf(attest.ErrorField(err), "record %d: %s", i+1, attest.ErrorMessage(err))
}
