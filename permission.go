package attest

import "time"

// Action is something a principal may be allowed to do.
type Action string

// Actions checked by the web layer and the API.
const (
	// ReadData: see criteria, controls, engagements, readiness, tasks.
	ReadData Action = "read"
	// EditReadiness: change engagements, controls, tasks and mappings.
	EditReadiness Action = "edit"
	// EditOwnControl: change the controls one owns and their tasks.
	EditOwnControl Action = "edit_own"
	// ManageOrg: users, invitations, roles, API tokens, SSO, settings.
	ManageOrg Action = "manage"
	// ReadAuditLog: browse the audit log.
	ReadAuditLog Action = "audit_log"
	// ReadPolicies: read the published policies. Drafts, history and who
	// acknowledged what need ReadData as well.
	ReadPolicies Action = "policies"
	// EditPolicies: adopt, edit, name approvers, publish and review
	// policies. Approving needs no role: the policy names its approvers.
	EditPolicies Action = "edit_policies"
	// AcknowledgePolicy: acknowledge having read a policy; every member
	// but auditors, who are outsiders.
	AcknowledgePolicy Action = "acknowledge"
	// DownloadPackage: download an engagement's signed auditor package;
	// auditors only of the engagements granted to them.
	DownloadPackage Action = "package"
)

// Principal is who is making a request: a signed-in user or an API token.
type Principal struct {
	OrgID int64
	Role  string
	// UserID is 0 for API tokens.
	UserID int64
	// Name is how the principal appears in the audit log and on pages:
	// a user's name or a token's name.
	Name string
	// Email is the user's email; empty for tokens.
	Email string
	// Actor is the principal as recorded in the audit log.
	Actor string
	// Engagements limits an auditor to these engagement IDs.
	Engagements []int64
	// AccessExpires ends an auditor's access; zero means no end.
	AccessExpires time.Time
}

// rolePermissions says which role may do what; ownership checks (control
// owners editing what they own) are made by the caller on top of this.
var rolePermissions = map[string][]Action{
	RoleAdmin:             {ReadData, EditReadiness, EditOwnControl, ManageOrg, ReadAuditLog, ReadPolicies, EditPolicies, AcknowledgePolicy, DownloadPackage},
	RoleComplianceManager: {ReadData, EditReadiness, EditOwnControl, ReadPolicies, EditPolicies, AcknowledgePolicy, DownloadPackage},
	RoleControlOwner:      {ReadData, EditOwnControl, ReadPolicies, AcknowledgePolicy},
	RoleEmployee:          {ReadPolicies, AcknowledgePolicy},
	RoleAuditor:           {ReadData, ReadAuditLog, ReadPolicies, DownloadPackage},
	RoleViewer:            {ReadData, ReadPolicies, AcknowledgePolicy},
}

// Can reports whether the role may perform the action.
func Can(role string, a Action) bool {
	for _, x := range rolePermissions[role] {
		if x == a {
			return true
		}
	}
	return false
}

// Can reports whether the principal may perform the action at time now:
// its role allows it and, for an auditor, the access has not expired.
func (p *Principal) Can(a Action, now time.Time) bool {
	if p == nil {
		return false
	}
	if !p.AccessExpires.IsZero() && !now.Before(p.AccessExpires) {
		return false
	}
	return Can(p.Role, a)
}

// SeesEngagement reports whether the principal may see the engagement:
// everyone with ReadData sees all of the organization's engagements but
// auditors, who see those granted to them.
func (p *Principal) SeesEngagement(id int64) bool {
	if p.Role != RoleAuditor {
		return true
	}
	for _, e := range p.Engagements {
		if e == id {
			return true
		}
	}
	return false
}
