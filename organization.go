package attest

import (
	"context"
	"strings"
	"time"
)

// Organization is a tenant: every other row belongs to exactly one.
type Organization struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// Roles a user or an API token may hold.
const (
	RoleAdmin             = "admin"
	RoleComplianceManager = "compliance_manager"
	RoleControlOwner      = "control_owner"
	RoleEmployee          = "employee"
	RoleAuditor           = "auditor"
	RoleViewer            = "viewer"
)

// Roles lists every role.
var Roles = []string{RoleAdmin, RoleComplianceManager, RoleControlOwner, RoleEmployee, RoleAuditor, RoleViewer}

// TokenRoles lists the roles an API token may hold: every role but the
// auditor's, whose access is a person's, to the engagements granted to
// them and until a date, and which a token would hold for nothing.
var TokenRoles = []string{RoleAdmin, RoleComplianceManager, RoleControlOwner, RoleEmployee, RoleViewer}

// ValidRole reports whether r is one of Roles.
func ValidRole(r string) bool {
	for _, v := range Roles {
		if v == r {
			return true
		}
	}
	return false
}

// User is a person who signs in.
type User struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         string    `json:"role"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	// Active is false for deactivated users, who cannot sign in.
	Active bool `json:"active"`
	// MFAEnabled is true once the user has confirmed a TOTP enrolment.
	MFAEnabled bool `json:"mfa_enabled"`
	// MFASecret is the sealed TOTP seed; RecoveryCodes are SHA-256 hashes
	// of the unused recovery codes.
	MFASecret     string   `json:"-"`
	RecoveryCodes []string `json:"-"`
	// AccessExpires ends the access of an auditor; nil means no end.
	AccessExpires *time.Time `json:"access_expires,omitempty"`
	// SSOSubject links the user to an OIDC identity.
	SSOSubject string     `json:"-"`
	LastLogin  *time.Time `json:"last_login,omitempty"`
}

// Token is an API token. Only its SHA-256 hash is stored; the secret is
// shown once, when it is created.
type Token struct {
	ID        int64      `json:"id"`
	OrgID     int64      `json:"org_id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// CreatedBy is the user who created the token in the browser (0 for
	// the operator's tokens, made from the command line). Deactivating
	// that user revokes it.
	CreatedBy int64 `json:"created_by,omitempty"`
}

// ValidateName checks a display name or email for users and tokens.
func validateName(what, s string) error {
	if strings.TrimSpace(s) == "" {
		return Errorf(EINVALID, "%s is required", what)
	}
	if len(s) > 200 {
		return Errorf(EINVALID, "%s is longer than 200 characters", what)
	}
	return nil
}

// OrganizationService manages tenants, their users and API tokens.
type OrganizationService interface {
	// CreateOrganization stores the organization and gives it a copy of the
	// framework's control library.
	CreateOrganization(ctx context.Context, o *Organization) error
	// FindOrganizations returns every organization, oldest first.
	FindOrganizations(ctx context.Context) ([]*Organization, error)
	// CreateUser stores a user whose password is already hashed.
	CreateUser(ctx context.Context, u *User) error
	// CreateToken stores a new token for the organization and returns its
	// secret, which is never shown again.
	CreateToken(ctx context.Context, t *Token) (secret string, err error)
	// Authenticate returns the live token whose secret this is, or
	// EUNAUTHORIZED.
	Authenticate(ctx context.Context, secret string) (*Token, error)
	// RevokeToken revokes a token of the organization.
	RevokeToken(ctx context.Context, orgID, id int64) error
	// FindTokens lists the organization's tokens.
	FindTokens(ctx context.Context, orgID int64) ([]*Token, error)
}

// Validate checks a new token's name and role.
func (t *Token) Validate() error {
	if err := validateName("token name", t.Name); err != nil {
		return err
	}
	if t.Role == "" {
		t.Role = RoleAdmin
	}
	if t.Role == RoleAuditor {
		return Errorf(EINVALID, "a token cannot have the auditor role: an auditor signs in and sees the engagements granted to them (a token may have the roles %s)", strings.Join(TokenRoles, ", "))
	}
	if !ValidRole(t.Role) {
		return Errorf(EINVALID, "unknown role %q (known: %s)", t.Role, strings.Join(TokenRoles, ", "))
	}
	return nil
}

// Validate checks a new user's email, name and role.
func (u *User) Validate() error {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if err := validateName("email", u.Email); err != nil {
		return err
	}
	if !strings.Contains(u.Email, "@") {
		return Errorf(EINVALID, "%q is not an email address", u.Email)
	}
	if u.Role == "" {
		u.Role = RoleEmployee
	}
	if !ValidRole(u.Role) {
		return Errorf(EINVALID, "unknown role %q", u.Role)
	}
	return nil
}
