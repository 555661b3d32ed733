package attest

import "slices"

// Approval: a compliance manager submits a policy's current version to
// the approvers the policy names; each approver then sees it on their home
// page until they decide, and once every approver has approved it the
// version waits to be published.

// StatusLabel says where the policy's current version stands, as pages
// show it: "published", "approved — not yet published", "rejected",
// "waiting for approval" or "draft".
func (p *Policy) StatusLabel() string {
	switch {
	case p.CurrentVersion == p.PublishedVersion:
		return "published"
	case p.CurrentState == VersionApproved:
		return "approved — not yet published"
	case p.CurrentState == VersionRejected:
		return "rejected"
	case p.SubmittedVersion == p.CurrentVersion:
		return "waiting for approval"
	}
	return "draft"
}

// StatusClass is the badge style of StatusLabel.
func (p *Policy) StatusClass() string {
	switch {
	case p.CurrentVersion == p.PublishedVersion:
		return string(PolicyPublished)
	case p.CurrentState == VersionApproved:
		return "approved"
	case p.CurrentState == VersionRejected:
		return "bad"
	case p.SubmittedVersion == p.CurrentVersion:
		return string(PolicyInReview)
	}
	return string(PolicyDraft)
}

// CheckSubmit returns nil if the current version of p may be sent to its
// approvers: it is not published, the policy names approvers, and it was
// not sent already. Otherwise EINVALID says why.
func CheckSubmit(p *Policy) error {
	switch {
	case p.CurrentVersion == p.PublishedVersion:
		return Errorf(EINVALID, "version %s is already published: save a new version first", p.CurrentVersion)
	case len(p.Approvers) == 0:
		return Errorf(EINVALID, "name at least one approver before asking for approval")
	case p.SubmittedVersion == p.CurrentVersion:
		return Errorf(EINVALID, "version %s is already waiting for approval", p.CurrentVersion)
	}
	return nil
}

// AwaitsDecision reports whether the policy's current version waits for
// userID's decision: it was submitted, is not published, the user is one
// of its approvers and has not decided on it yet.
func AwaitsDecision(p *Policy, userID int64, decisions []*PolicyDecision) bool {
	if userID == 0 || p.SubmittedVersion != p.CurrentVersion || p.CurrentVersion == p.PublishedVersion || !p.IsApprover(userID) {
		return false
	}
	return !slices.ContainsFunc(decisions, func(d *PolicyDecision) bool {
		return d.PolicyID == p.ID && d.Version == p.CurrentVersion && d.ApproverID == userID
	})
}

// ApprovalRequest is a policy version waiting for one approver's decision.
type ApprovalRequest struct {
	Policy  *Policy `json:"policy"`
	Version string  `json:"version"`
}
