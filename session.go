package attest

import (
	"strings"
	"time"
)

// Session timeouts. A session ends after SessionIdleTimeout without a
// request, and after SessionMaxAge in any case.
const (
	SessionIdleTimeout = 30 * time.Minute
	SessionMaxAge      = 12 * time.Hour
	// MFAStageTimeout is how long a password-verified session may wait for
	// its TOTP code.
	MFAStageTimeout = 5 * time.Minute
)

// Session stages: "mfa" after a correct password when a TOTP code is still
// needed, "full" when signed in.
const (
	StageMFA  = "mfa"
	StageFull = "full"
)

// Sign-in throttling: after LoginMaxFailures failures for one email within
// LoginFailureWindow, sign-in for it is refused for LoginLockout.
const (
	LoginMaxFailures   = 5
	LoginFailureWindow = 15 * time.Minute
	LoginLockout       = 15 * time.Minute
)

// Session is a signed-in browser. Its ID is known only to the browser; the
// store keeps its SHA-256.
type Session struct {
	UserID int64
	OrgID  int64
	CSRF   string
	Stage  string
	// Method is how the session signed in: "password", "password+totp",
	// "sso" or "invitation".
	Method    string
	CreatedAt time.Time
	LastSeen  time.Time
}

// Expired reports whether the session has timed out at now.
func (s *Session) Expired(now time.Time) bool {
	if s.Stage == StageMFA && now.Sub(s.CreatedAt) > MFAStageTimeout {
		return true
	}
	return now.Sub(s.LastSeen) > SessionIdleTimeout || now.Sub(s.CreatedAt) > SessionMaxAge
}

// SignedIn is a live session with what every page needs about its user.
type SignedIn struct {
	Session *Session
	User    *User
	OrgName string
	// RequireMFA is the organization's setting.
	RequireMFA bool
	// Versions are read with the session (see Versions).
	Versions *Versions
}

// InvitationTTL is how long an invitation link stays valid by default.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation lets someone join an organization with a role.
type Invitation struct {
	ID         int64      `json:"id"`
	OrgID      int64      `json:"org_id"`
	Email      string     `json:"email"`
	Role       string     `json:"role"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	AcceptedAt *time.Time `json:"accepted_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	// Engagements are granted to an auditor when the invitation is
	// accepted, and AccessExpires (nil: no end) ends the auditor's access,
	// so an auditor's first sign-in lands on the engagement.
	Engagements   []int64    `json:"engagements,omitempty"`
	AccessExpires *time.Time `json:"access_expires,omitempty"`
}

// Usable reports whether the invitation can still be accepted at now.
func (i *Invitation) Usable(now time.Time) bool {
	return i.AcceptedAt == nil && i.RevokedAt == nil && now.Before(i.ExpiresAt)
}

// Validate checks the invitation's email and role.
func (i *Invitation) Validate() error {
	u := User{Email: i.Email, Role: i.Role}
	if err := u.Validate(); err != nil {
		return err
	}
	i.Email, i.Role = u.Email, u.Role
	if i.Role != RoleAuditor && (len(i.Engagements) > 0 || i.AccessExpires != nil) {
		return Errorf(EINVALID, "only an auditor's invitation grants engagements and an access end date")
	}
	if i.AccessExpires != nil && !i.ExpiresAt.IsZero() && !i.AccessExpires.After(i.ExpiresAt) {
		return Errorf(EINVALID, "the access would end before the invitation expires: pick a later end date")
	}
	return nil
}

// Settings are an organization's security settings.
type Settings struct {
	RequireMFA bool `json:"require_mfa"`
	// OIDC single sign-on; enabled when the issuer is set.
	OIDCIssuer string `json:"oidc_issuer"`
	OIDCClient string `json:"oidc_client_id"`
	// OIDCSecret is sealed at rest.
	OIDCSecret      string `json:"-"`
	OIDCDomain      string `json:"oidc_domain"`
	OIDCDefaultRole string `json:"oidc_default_role"`
	// AckSharePercent of the people who must acknowledge a policy must
	// have done so before the controls it supports count as implemented;
	// AckDueDays is how long each has.
	AckSharePercent int `json:"ack_share_percent"`
	AckDueDays      int `json:"ack_due_days"`
}

// SSOEnabled reports whether OIDC sign-in is configured.
func (s *Settings) SSOEnabled() bool { return s.OIDCIssuer != "" && s.OIDCClient != "" }

// Validate checks the settings.
func (s *Settings) Validate() error {
	s.OIDCIssuer = strings.TrimSpace(s.OIDCIssuer)
	s.OIDCDomain = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s.OIDCDomain), "@"))
	if s.OIDCDefaultRole == "" {
		s.OIDCDefaultRole = RoleEmployee
	}
	if s.AckSharePercent == 0 {
		s.AckSharePercent = DefaultAckSharePercent
	}
	if s.AckDueDays == 0 {
		s.AckDueDays = DefaultAckDueDays
	}
	if s.AckSharePercent < 1 || s.AckSharePercent > 100 {
		return FieldErrorf("ack_share_percent", "the acknowledgement share must be between 1 and 100 percent")
	}
	if s.AckDueDays < 1 || s.AckDueDays > 365 {
		return FieldErrorf("ack_due_days", "the days to acknowledge a policy must be between 1 and 365")
	}
	if !ValidRole(s.OIDCDefaultRole) {
		return FieldErrorf("oidc_default_role", "unknown role %q", s.OIDCDefaultRole)
	}
	if s.OIDCIssuer != "" {
		if !strings.HasPrefix(s.OIDCIssuer, "https://") && !strings.HasPrefix(s.OIDCIssuer, "http://") {
			return FieldErrorf("oidc_issuer", "the OIDC issuer must be an https:// URL")
		}
		if s.OIDCClient == "" {
			return FieldErrorf("oidc_client_id", "single sign-on needs the client ID your identity provider issued")
		}
		if s.OIDCDomain == "" {
			return FieldErrorf("oidc_domain", "single sign-on needs the email domain whose people sign in with it")
		}
	}
	return nil
}

// UserUpdate holds the user fields an admin may change; nil means unchanged.
type UserUpdate struct {
	Name          *string
	Role          *string
	Active        *bool
	AccessExpires **time.Time
}
