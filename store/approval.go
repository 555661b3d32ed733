package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/attest-dev/attest"
)

// SetPolicyOwner makes a member, or nobody (0), the policy's owner.
func (s *DB) SetPolicyOwner(ctx context.Context, orgID, policyID, ownerID int64) (*attest.Policy, error) {
	var p *attest.Policy
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if p, err = s.findPolicy(ctx, tx, orgID, policyID); err != nil {
			return err
		}
		before := map[string]any{"owner": p.Owner, "owner_note": p.OwnerNote}
		if p.Owner, err = s.checkOwner(ctx, tx, orgID, ownerID); err != nil {
			return err
		}
		p.OwnerID = ownerID
		if ownerID != 0 {
			p.OwnerNote = ""
		}
		if err := s.updatePolicy(ctx, tx, orgID, p); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "policy.owner", "policy", policyEntity(policyID), before,
			map[string]any{"owner": p.Owner, "owner_note": p.OwnerNote})
	})
	if err != nil {
		return nil, fmt.Errorf("set policy owner: %w", err)
	}
	return p, nil
}

// SubmitForApproval sends the policy's current version to its approvers.
func (s *DB) SubmitForApproval(ctx context.Context, orgID, policyID int64) (*attest.Policy, error) {
	var p *attest.Policy
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if p, err = s.findPolicy(ctx, tx, orgID, policyID); err != nil {
			return err
		}
		if err := attest.CheckSubmit(p); err != nil {
			return err
		}
		before := map[string]any{"status": p.Status, "submitted_version": p.SubmittedVersion}
		p.SubmittedVersion, p.Status = p.CurrentVersion, attest.PolicyInReview
		if err := s.updatePolicy(ctx, tx, orgID, p); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "policy.submit", "policy", policyEntity(policyID), before,
			map[string]any{"status": p.Status, "submitted_version": p.SubmittedVersion, "approvers": p.Approvers})
	})
	if err != nil {
		return nil, fmt.Errorf("submit policy for approval: %w", err)
	}
	return p, nil
}

// FindApprovalRequests returns the submitted, unpublished current versions
// that name userID as an approver and that the user has not decided on.
// Callers must not change what they get.
func (s *DB) FindApprovalRequests(ctx context.Context, orgID, userID int64) ([]*attest.ApprovalRequest, error) {
	if userID == 0 {
		return []*attest.ApprovalRequest{}, nil
	}
	// Policies (their versions and decisions) and members decide it.
	return cachedRead(ctx, &s.reads.approvals, orgID, userID, func(v *attest.Versions) readKey { return readKey{v.Policy, v.User} }, func() ([]*attest.ApprovalRequest, error) {
		return s.findApprovalRequests(ctx, orgID, userID)
	})
}

func (s *DB) findApprovalRequests(ctx context.Context, orgID, userID int64) ([]*attest.ApprovalRequest, error) {
	ps, err := queryAll(ctx, s.db, "find approval requests", scanPolicy, s.q(`SELECT `+policyColumns+` FROM policies
		WHERE org_id = ? AND submitted_version = current_version AND current_version <> published_version
		AND NOT EXISTS (SELECT 1 FROM policy_decisions d WHERE d.policy_id = policies.id AND d.version = policies.current_version AND d.approver_id = ?)
		ORDER BY title, id`), orgID, userID)
	if err != nil {
		return nil, err
	}
	out := []*attest.ApprovalRequest{}
	for _, p := range ps {
		if attest.AwaitsDecision(p, userID, nil) {
			out = append(out, &attest.ApprovalRequest{Policy: p, Version: p.CurrentVersion})
		}
	}
	return out, nil
}
