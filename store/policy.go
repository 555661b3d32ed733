package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Policies are audited as policy.adopt, policy.save, policy.approvers,
// policy.decide, policy.publish, policy.acknowledge and policy.review. Every
// method works inside the organization: another organization's policy is
// not found.

var _ attest.PolicyService = (*DB)(nil)

// policyColumns are read FROM policies; the last is the current version's
// state.
const policyColumns = `id, template_id, title, type, owner_role, owner_user_id, owner_note, review_cycle_months, controls, approvers, status, current_version, published_version, submitted_version, next_review, last_reviewed, ack_since, created_at,
	COALESCE((SELECT v.state FROM policy_versions v WHERE v.policy_id = policies.id AND v.number = policies.current_version), '')`

func scanPolicy(row rowScanner) (*attest.Policy, error) {
	p := &attest.Policy{}
	var controls, approvers string
	var ackSince sql.NullTime
	var owner sql.NullInt64
	if err := row.Scan(&p.ID, &p.TemplateID, &p.Title, &p.Type, &p.OwnerRole, &owner, &p.OwnerNote, &p.ReviewCycleMonths, &controls, &approvers,
		&p.Status, &p.CurrentVersion, &p.PublishedVersion, &p.SubmittedVersion, &p.NextReview, &p.LastReviewed, &ackSince, &p.CreatedAt, &p.CurrentState); err != nil {
		return nil, err
	}
	p.OwnerID = owner.Int64
	if ackSince.Valid {
		p.AckSince = ackSince.Time.UTC()
	}
	p.Controls, p.Approvers = []string{}, []int64{}
	if err := fromJSON(controls, &p.Controls); err != nil {
		return nil, err
	}
	if err := fromJSON(approvers, &p.Approvers); err != nil {
		return nil, err
	}
	return p, nil
}

const versionColumns = `policy_id, number, body, major, author, state, created_at, published_at`

func scanVersion(row rowScanner) (*attest.PolicyVersion, error) {
	v := &attest.PolicyVersion{}
	var published sql.NullTime
	err := row.Scan(&v.PolicyID, &v.Number, &v.Body, &v.Major, &v.Author, &v.State, &v.CreatedAt, &published)
	if published.Valid {
		v.PublishedAt = published.Time.UTC()
	}
	return v, err
}

func scanDecision(row rowScanner) (*attest.PolicyDecision, error) {
	d := &attest.PolicyDecision{}
	return d, row.Scan(&d.PolicyID, &d.Version, &d.ApproverID, &d.Approve, &d.Comment, &d.At)
}

func scanAcknowledgement(row rowScanner) (*attest.Acknowledgement, error) {
	a := &attest.Acknowledgement{}
	return a, row.Scan(&a.PolicyID, &a.Version, &a.UserID, &a.At)
}

// versionAudit is what the audit log keeps of a version: its body is in
// the version history, so the log records a length rather than the text.
type versionAudit struct {
	Number   string              `json:"number"`
	Major    bool                `json:"major"`
	State    attest.VersionState `json:"state"`
	BodySize int                 `json:"body_size"`
}

func auditVersion(v *attest.PolicyVersion) versionAudit {
	return versionAudit{Number: v.Number, Major: v.Major, State: v.State, BodySize: len(v.Body)}
}

func policyEntity(id int64) string { return strconv.FormatInt(id, 10) }

// FindPolicies returns the organization's policies by title.
func (s *DB) FindPolicies(ctx context.Context, orgID int64) ([]*attest.Policy, error) {
	ps, err := queryAll(ctx, s.db, "find policies", scanPolicy, s.q(`SELECT `+policyColumns+` FROM policies WHERE org_id = ? ORDER BY title, id`), orgID)
	if err != nil {
		return nil, err
	}
	people, err := s.people(ctx, s.db, orgID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		p.Owner = people.Get(p.OwnerID)
	}
	return ps, nil
}

// FindPolicyByID returns the organization's policy, or ENOTFOUND.
func (s *DB) FindPolicyByID(ctx context.Context, orgID, id int64) (*attest.Policy, error) {
	return s.findPolicy(ctx, s.db, orgID, id)
}

func (s *DB) findPolicy(ctx context.Context, x queryer, orgID, id int64) (*attest.Policy, error) {
	p, err := scanPolicy(x.QueryRowContext(ctx, s.q(`SELECT `+policyColumns+` FROM policies WHERE org_id = ? AND id = ?`), orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "no policy %d", id)
	}
	if err != nil {
		return nil, fmt.Errorf("find policy: %w", err)
	}
	if p.Owner, err = s.person(ctx, x, orgID, p.OwnerID); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *DB) findVersion(ctx context.Context, x queryer, orgID, policyID int64, number string) (*attest.PolicyVersion, error) {
	v, err := scanVersion(x.QueryRowContext(ctx, s.q(`SELECT `+versionColumns+` FROM policy_versions WHERE org_id = ? AND policy_id = ? AND number = ?`), orgID, policyID, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, attest.Errorf(attest.ENOTFOUND, "policy %d has no version %q", policyID, number)
	}
	if err != nil {
		return nil, fmt.Errorf("find policy version: %w", err)
	}
	return v, nil
}

// FindPolicyVersions returns the policy's versions, oldest first.
func (s *DB) FindPolicyVersions(ctx context.Context, orgID, policyID int64) ([]*attest.PolicyVersion, error) {
	if _, err := s.FindPolicyByID(ctx, orgID, policyID); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, "find policy versions", scanVersion,
		s.q(`SELECT `+versionColumns+` FROM policy_versions WHERE org_id = ? AND policy_id = ? ORDER BY created_at, number`), orgID, policyID)
}

// FindPolicyDecisions returns the decisions on the policy, oldest first.
func (s *DB) FindPolicyDecisions(ctx context.Context, orgID, policyID int64) ([]*attest.PolicyDecision, error) {
	if _, err := s.FindPolicyByID(ctx, orgID, policyID); err != nil {
		return nil, err
	}
	return s.findDecisions(ctx, s.db, orgID, policyID)
}

func (s *DB) findDecisions(ctx context.Context, x queryer, orgID, policyID int64) ([]*attest.PolicyDecision, error) {
	return queryAll(ctx, x, "find policy decisions", scanDecision,
		s.q(`SELECT policy_id, version, approver_id, approve, comment, at FROM policy_decisions WHERE org_id = ? AND policy_id = ? ORDER BY id`), orgID, policyID)
}

// FindAcknowledgements returns the policy's acknowledgements, oldest first.
func (s *DB) FindAcknowledgements(ctx context.Context, orgID, policyID int64) ([]*attest.Acknowledgement, error) {
	if _, err := s.FindPolicyByID(ctx, orgID, policyID); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, "find acknowledgements", scanAcknowledgement,
		s.q(`SELECT policy_id, version, user_id, at FROM policy_acknowledgements WHERE org_id = ? AND policy_id = ? ORDER BY at, user_id`), orgID, policyID)
}

// AdoptTemplate creates the organization's draft of a template (see
// catalog.PolicyTemplate): version 1.0, its body filled from fill.
func (s *DB) AdoptTemplate(ctx context.Context, orgID int64, t *attest.PolicyTemplate, fill map[string]string) (*attest.Policy, error) {
	body, err := attest.FillPlaceholders(t.Body, fill)
	if err != nil {
		return nil, err
	}
	now := s.now()
	p := &attest.Policy{
		TemplateID: t.ID, Title: t.Title, Type: t.Type, OwnerRole: t.OwnerRole, OwnerNote: strings.TrimSpace(fill["owner"]),
		ReviewCycleMonths: t.ReviewCycleMonths, Controls: append([]string{}, t.Controls...), Approvers: []int64{},
		Status: attest.PolicyDraft, CurrentVersion: "1.0", CurrentState: attest.VersionDraft, CreatedAt: now,
	}
	v := &attest.PolicyVersion{Number: "1.0", Body: body, Major: true, Author: attest.ActorFrom(ctx), State: attest.VersionDraft, CreatedAt: now}
	err = s.change(ctx, orgID, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO policies (org_id, template_id, title, type, owner_role, owner_note, review_cycle_months, controls, approvers, status, current_version, created_at) VALUES (`+placeholders(12)+`)`,
			orgID, p.TemplateID, p.Title, p.Type, p.OwnerRole, p.OwnerNote, p.ReviewCycleMonths, jsonText(p.Controls), jsonText(p.Approvers), p.Status, p.CurrentVersion, p.CreatedAt)
		if err != nil {
			return err
		}
		p.ID, v.PolicyID = id, id
		if err := s.insertVersion(ctx, tx, orgID, v); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "policy.adopt", "policy", policyEntity(id), nil, struct {
			*attest.Policy
			Version versionAudit `json:"version"`
		}{p, auditVersion(v)})
	})
	if err != nil {
		return nil, fmt.Errorf("adopt policy: %w", err)
	}
	return p, nil
}

func (s *DB) insertVersion(ctx context.Context, tx *sql.Tx, orgID int64, v *attest.PolicyVersion) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO policy_versions (org_id, policy_id, number, body, major, author, state, created_at) VALUES (`+placeholders(8)+`)`),
		orgID, v.PolicyID, v.Number, v.Body, v.Major, v.Author, v.State, v.CreatedAt)
	return s.dialect.normalize(err)
}

func (s *DB) setVersionState(ctx context.Context, tx *sql.Tx, orgID, policyID int64, number string, state attest.VersionState) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE policy_versions SET state = ? WHERE org_id = ? AND policy_id = ? AND number = ?`), state, orgID, policyID, number)
	if err != nil {
		return fmt.Errorf("set version state: %w", err)
	}
	return nil
}

func (s *DB) updatePolicy(ctx context.Context, tx *sql.Tx, orgID int64, p *attest.Policy) error {
	var ackSince any
	if !p.AckSince.IsZero() {
		ackSince = p.AckSince
	}
	_, err := tx.ExecContext(ctx, s.q(`UPDATE policies SET approvers = ?, status = ?, current_version = ?, published_version = ?, submitted_version = ?, next_review = ?, last_reviewed = ?, ack_since = ?, owner_user_id = ?, owner_note = ? WHERE org_id = ? AND id = ?`),
		jsonText(p.Approvers), p.Status, p.CurrentVersion, p.PublishedVersion, p.SubmittedVersion, p.NextReview, p.LastReviewed, ackSince, nullInt(p.OwnerID), p.OwnerNote, orgID, p.ID)
	if err != nil {
		return fmt.Errorf("update policy: %w", s.dialect.normalize(err))
	}
	return nil
}

// SaveDraft saves body as the next version after baseVersion, which must
// be the current one (ECONFLICT otherwise, changing nothing). The version
// it replaces is superseded unless it is the published one, which stays
// published until the new version is.
func (s *DB) SaveDraft(ctx context.Context, orgID, policyID int64, baseVersion, body string, major bool) (*attest.PolicyVersion, error) {
	vs, err := s.SaveDrafts(ctx, orgID, []attest.DraftChange{{PolicyID: policyID, BaseVersion: baseVersion, Body: body, Major: major}})
	if err != nil {
		return nil, err
	}
	return vs[0], nil
}

// SaveDrafts saves several drafts as SaveDraft does, in one transaction:
// every body is checked first, and if any draft is refused none is saved.
func (s *DB) SaveDrafts(ctx context.Context, orgID int64, changes []attest.DraftChange) ([]*attest.PolicyVersion, error) {
	for _, ch := range changes {
		if err := attest.CheckPolicyBody(ch.Body); err != nil {
			return nil, err
		}
	}
	out := make([]*attest.PolicyVersion, 0, len(changes))
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		for _, ch := range changes {
			v, err := s.saveDraft(ctx, tx, orgID, ch)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save policy draft: %w", err)
	}
	return out, nil
}

func (s *DB) saveDraft(ctx context.Context, tx *sql.Tx, orgID int64, ch attest.DraftChange) (*attest.PolicyVersion, error) {
	policyID, baseVersion := ch.PolicyID, ch.BaseVersion
	p, err := s.findPolicy(ctx, tx, orgID, policyID)
	if err != nil {
		return nil, err
	}
	if baseVersion != p.CurrentVersion {
		return nil, attest.Errorf(attest.ECONFLICT, "version %s was saved since you started editing %s: reload and apply your changes to it", p.CurrentVersion, baseVersion)
	}
	base, err := s.findVersion(ctx, tx, orgID, policyID, baseVersion)
	if err != nil {
		return nil, err
	}
	number, err := attest.NextPolicyVersion(baseVersion, ch.Major)
	if err != nil {
		return nil, err
	}
	v := &attest.PolicyVersion{PolicyID: policyID, Number: number, Body: ch.Body, Major: ch.Major, Author: attest.ActorFrom(ctx), State: attest.VersionDraft, CreatedAt: s.now()}
	if err := s.insertVersion(ctx, tx, orgID, v); err != nil {
		return nil, err
	}
	if base.State != attest.VersionPublished {
		if err := s.setVersionState(ctx, tx, orgID, policyID, base.Number, attest.VersionSuperseded); err != nil {
			return nil, err
		}
	}
	before := *p
	p.CurrentVersion, p.Status = number, attest.PolicyDraft
	if err := s.updatePolicy(ctx, tx, orgID, p); err != nil {
		return nil, err
	}
	return v, s.appendAudit(ctx, tx, orgID, "policy.save", "policy", policyEntity(policyID),
		map[string]any{"current_version": before.CurrentVersion, "status": before.Status}, auditVersion(v))
}

// SetApprovers replaces the policy's approvers; each must be a user of the
// organization.
func (s *DB) SetApprovers(ctx context.Context, orgID, policyID int64, userIDs []int64) (*attest.Policy, error) {
	ids := []int64{}
	for _, id := range userIDs {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	var p *attest.Policy
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if p, err = s.findPolicy(ctx, tx, orgID, policyID); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := s.checkOwner(ctx, tx, orgID, id); err != nil {
				return attest.Errorf(attest.EINVALID, "approver %d: %s", id, attest.ErrorMessage(err))
			}
		}
		before := append([]int64{}, p.Approvers...)
		p.Approvers = ids
		if err := s.updatePolicy(ctx, tx, orgID, p); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "policy.approvers", "policy", policyEntity(policyID),
			map[string]any{"approvers": before}, map[string]any{"approvers": ids})
	})
	if err != nil {
		return nil, fmt.Errorf("set policy approvers: %w", err)
	}
	return p, nil
}

// checkUser returns ENOTFOUND unless the user belongs to the organization.
func (s *DB) checkUser(ctx context.Context, x queryer, orgID, userID int64) error {
	var one int
	err := x.QueryRowContext(ctx, s.q(`SELECT 1 FROM users WHERE org_id = ? AND id = ?`), orgID, userID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return attest.Errorf(attest.ENOTFOUND, "no user %d", userID)
	}
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	return nil
}

// Decide records an approver's decision on the current, unpublished
// version and moves the version to the state the decisions give it.
func (s *DB) Decide(ctx context.Context, orgID, policyID int64, version string, approverID int64, approve bool, comment string) (*attest.PolicyDecision, error) {
	d := &attest.PolicyDecision{PolicyID: policyID, Version: version, ApproverID: approverID, Approve: approve, Comment: comment}
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		p, err := s.findPolicy(ctx, tx, orgID, policyID)
		if err != nil {
			return err
		}
		if err := d.Validate(p); err != nil {
			return err
		}
		if _, err := s.checkOwner(ctx, tx, orgID, approverID); err != nil {
			return attest.Errorf(attest.EFORBIDDEN, "%s", attest.ErrorMessage(err))
		}
		v, err := s.findVersion(ctx, tx, orgID, policyID, version)
		if err != nil {
			return err
		}
		if v.Number != p.CurrentVersion || v.State == attest.VersionPublished || v.State == attest.VersionSuperseded {
			return attest.Errorf(attest.EINVALID, "version %s is not awaiting approval (current version: %s)", version, p.CurrentVersion)
		}
		if p.SubmittedVersion != version {
			// Approvers decide on what the owner sent them, never on a
			// draft still being written.
			return attest.Errorf(attest.EINVALID, "version %s was not sent for approval: send it to the approvers first", version)
		}
		d.At = s.now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO policy_decisions (org_id, policy_id, version, approver_id, approve, comment, at) VALUES (`+placeholders(7)+`)`),
			orgID, policyID, version, approverID, approve, d.Comment, d.At); err != nil {
			return fmt.Errorf("record decision: %w", s.dialect.normalize(err))
		}
		decisions, err := s.findDecisions(ctx, tx, orgID, policyID)
		if err != nil {
			return err
		}
		state := attest.DecidedState(p.Approvers, version, decisions)
		if err := s.setVersionState(ctx, tx, orgID, policyID, version, state); err != nil {
			return err
		}
		if p.Status != attest.PolicyInReview {
			p.Status = attest.PolicyInReview
			if err := s.updatePolicy(ctx, tx, orgID, p); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, orgID, "policy.decide", "policy", policyEntity(policyID), nil,
			struct {
				*attest.PolicyDecision
				State attest.VersionState `json:"state"`
			}{d, state})
	})
	if err != nil {
		return nil, fmt.Errorf("decide on policy: %w", err)
	}
	return d, nil
}

// Publish publishes a version every approver approved, supersedes the one
// published before it and schedules the next review a cycle from today.
func (s *DB) Publish(ctx context.Context, orgID, policyID int64, version string) (*attest.Policy, error) {
	var p *attest.Policy
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if p, err = s.findPolicy(ctx, tx, orgID, policyID); err != nil {
			return err
		}
		v, err := s.findVersion(ctx, tx, orgID, policyID, version)
		if err != nil {
			return err
		}
		decisions, err := s.findDecisions(ctx, tx, orgID, policyID)
		if err != nil {
			return err
		}
		if err := attest.CheckPublish(p, v, decisions); err != nil {
			return err
		}
		// The text is completed from the approval record and the date:
		// an employee never reads {{approver}}.
		names, err := s.approverNames(ctx, tx, orgID, p, version, decisions)
		if err != nil {
			return err
		}
		var orgName string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT name FROM organizations WHERE id = ?`), orgID).Scan(&orgName); err != nil {
			return fmt.Errorf("find organization: %w", err)
		}
		at := s.now()
		body, err := attest.FillForPublication(v.Body, attest.PublishFill(orgName, p, names, attest.DateOf(at)))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE policy_versions SET body = ?, published_at = ? WHERE org_id = ? AND policy_id = ? AND number = ?`),
			body, at, orgID, policyID, version); err != nil {
			return fmt.Errorf("fill published version: %w", s.dialect.normalize(err))
		}
		before := *p
		if p.PublishedVersion != "" {
			if err := s.setVersionState(ctx, tx, orgID, policyID, p.PublishedVersion, attest.VersionSuperseded); err != nil {
				return err
			}
		}
		if err := s.setVersionState(ctx, tx, orgID, policyID, version, attest.VersionPublished); err != nil {
			return err
		}
		today := s.today()
		if p.PublishedVersion == "" || attest.NewMajor(p.PublishedVersion, version) {
			// A new major version asks everyone to acknowledge it again.
			p.AckSince = s.now()
		}
		p.PublishedVersion, p.Status = version, attest.PolicyPublished
		p.LastReviewed, p.NextReview = today, today.AddMonths(p.ReviewCycleMonths)
		if err := s.updatePolicy(ctx, tx, orgID, p); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "policy.publish", "policy", policyEntity(policyID), &before, p)
	})
	if err != nil {
		return nil, fmt.Errorf("publish policy: %w", err)
	}
	return p, nil
}

// Acknowledge records that the user read the published version. A second
// acknowledgement of the same version returns the first and writes nothing.
func (s *DB) Acknowledge(ctx context.Context, orgID, policyID int64, version string, userID int64) (*attest.Acknowledgement, error) {
	var a *attest.Acknowledgement
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		if _, err := s.findPolicy(ctx, tx, orgID, policyID); err != nil {
			return err
		}
		v, err := s.findVersion(ctx, tx, orgID, policyID, version)
		if err != nil {
			return err
		}
		if err := attest.CheckAcknowledge(v); err != nil {
			return err
		}
		if err := s.checkUser(ctx, tx, orgID, userID); err != nil {
			return err
		}
		a, err = scanAcknowledgement(tx.QueryRowContext(ctx, s.q(`SELECT policy_id, version, user_id, at FROM policy_acknowledgements WHERE org_id = ? AND policy_id = ? AND version = ? AND user_id = ?`),
			orgID, policyID, version, userID))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("find acknowledgement: %w", err)
		}
		a = &attest.Acknowledgement{PolicyID: policyID, Version: version, UserID: userID, At: s.now()}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO policy_acknowledgements (org_id, policy_id, version, user_id, at) VALUES (`+placeholders(5)+`)`),
			orgID, policyID, version, userID, a.At); err != nil {
			return fmt.Errorf("record acknowledgement: %w", s.dialect.normalize(err))
		}
		return s.appendAudit(ctx, tx, orgID, "policy.acknowledge", "policy", policyEntity(policyID), nil, a)
	})
	if err != nil {
		return nil, fmt.Errorf("acknowledge policy: %w", err)
	}
	return a, nil
}

// RecordReview records a review of the published policy that changed
// nothing: the next review moves a cycle from today.
func (s *DB) RecordReview(ctx context.Context, orgID, policyID int64, note string) (*attest.Policy, error) {
	var p *attest.Policy
	err := s.change(ctx, orgID, func(tx *sql.Tx) error {
		var err error
		if p, err = s.findPolicy(ctx, tx, orgID, policyID); err != nil {
			return err
		}
		if p.PublishedVersion == "" {
			return attest.Errorf(attest.EINVALID, "policy %d has not been published: there is nothing to review", policyID)
		}
		before := map[string]any{"next_review": p.NextReview, "last_reviewed": p.LastReviewed}
		today := s.today()
		p.LastReviewed, p.NextReview = today, today.AddMonths(p.ReviewCycleMonths)
		if err := s.updatePolicy(ctx, tx, orgID, p); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, orgID, "policy.review", "policy", policyEntity(policyID), before,
			map[string]any{"next_review": p.NextReview, "last_reviewed": p.LastReviewed, "version": p.PublishedVersion, "note": strings.TrimSpace(note)})
	})
	if err != nil {
		return nil, fmt.Errorf("review policy: %w", err)
	}
	return p, nil
}

// approverNames returns the names of the approvers whose latest decision
// on version approves it, in the policy's order of approvers.
func (s *DB) approverNames(ctx context.Context, tx *sql.Tx, orgID int64, p *attest.Policy, version string, decisions []*attest.PolicyDecision) ([]string, error) {
	approved := map[int64]bool{}
	for _, d := range decisions {
		if d.Version == version {
			approved[d.ApproverID] = d.Approve
		}
	}
	var names []string
	for _, id := range p.Approvers {
		if !approved[id] {
			continue
		}
		u, err := s.findUser(ctx, tx, "org_id = ? AND id = ?", orgID, id)
		if err != nil {
			return nil, fmt.Errorf("find approver: %w", err)
		}
		name := u.Name
		if name == "" {
			name = u.Email
		}
		names = append(names, name)
	}
	return names, nil
}
