package web

import (
	"context"
	"time"

	"github.com/attest-dev/attest"
)

// Services is what the web layer needs from storage.
type Services interface {
	attest.ControlService
	attest.EngagementService
	attest.TaskService
	attest.ReadinessService
	attest.OrganizationService
	attest.PolicyService
	attest.NotificationService
	attest.PersonService
	// SigningKey and SaveSigningKey keep the organization's package key.
	SigningKey(ctx context.Context, orgID int64) (public, sealedPrivate string, err error)
	SaveSigningKey(ctx context.Context, orgID int64, public, sealedPrivate string) (string, string, error)
	attest.EvidenceService
	attest.RequestService
	// FindSlotStatements returns the not-applicable statements of an
	// engagement's request list.
	FindSlotStatements(ctx context.Context, orgID, engagementID int64) ([]*attest.SlotStatement, error)
	// PolicyStandings returns who acknowledged each published policy.
	PolicyStandings(ctx context.Context, orgID int64) ([]*attest.PolicyStanding, error)
	// PolicyStanding returns one policy's standing (nil before publication).
	PolicyStanding(ctx context.Context, orgID int64, p *attest.Policy) (*attest.PolicyStanding, error)
	// Scope returns what an engagement's categories bring into scope.
	Scope(ctx context.Context, orgID, engagementID int64) (*attest.Scope, error)
	// CurrentEngagement returns the engagement the organization chose as current.
	CurrentEngagement(ctx context.Context, orgID int64) (*attest.Engagement, error)
	// ReadinessOf is Readiness for an engagement already loaded.
	ReadinessOf(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, error)
	// ReadinessAndScores returns an engagement's readiness and daily scores.
	ReadinessAndScores(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, []*attest.Snapshot, error)
	// Framework returns the framework in use.
	Framework() *attest.Framework

	RenameOrganization(ctx context.Context, id int64, name string) error
	FindOrganization(ctx context.Context, id int64) (*attest.Organization, error)

	FindUserByEmail(ctx context.Context, email string) (*attest.User, error)
	FindUserBySubject(ctx context.Context, orgID int64, subject string) (*attest.User, error)
	FindUsers(ctx context.Context, orgID int64) ([]*attest.User, error)
	UpdateUser(ctx context.Context, orgID, id int64, u attest.UserUpdate) (*attest.User, error)
	SetPassword(ctx context.Context, orgID, id int64, hash string) error
	ChangePassword(ctx context.Context, orgID, id int64, hash, keepSession string) error
	SetMFA(ctx context.Context, orgID, id int64, sealedSecret string, recoveryHashes []string) error
	UseRecoveryCode(ctx context.Context, orgID, id int64, hash string) (bool, error)
	LinkSubject(ctx context.Context, orgID, id int64, subject string) error
	RecordLogin(ctx context.Context, u *attest.User, method string) error
	LoginLockedUntil(ctx context.Context, email string) (time.Time, error)
	RecordLoginFailure(ctx context.Context, email string) (time.Time, error)

	CreateSession(ctx context.Context, idHash string, s *attest.Session) error
	FindSessionUser(ctx context.Context, idHash string) (*attest.SignedIn, error)
	UseTOTPStep(ctx context.Context, orgID, id, step int64) (bool, error)
	TouchSession(ctx context.Context, idHash string, s *attest.Session) error
	PromoteSession(ctx context.Context, idHash string) error
	DeleteSession(ctx context.Context, idHash string) error

	CreateInvitation(ctx context.Context, inv *attest.Invitation) (string, error)
	FindInvitation(ctx context.Context, secret string) (*attest.Invitation, error)
	FindInvitations(ctx context.Context, orgID int64) ([]*attest.Invitation, error)
	AcceptInvitation(ctx context.Context, secret string, u *attest.User) error
	RevokeInvitation(ctx context.Context, orgID, id int64) error
	SetAuditorGrants(ctx context.Context, orgID, userID int64, engagements []int64) error
	FindAuditorGrants(ctx context.Context, orgID, userID int64) ([]int64, error)

	FindSettings(ctx context.Context, orgID int64) (*attest.Settings, error)
	// FindSettingsByDomain finds the organization whose SSO serves an email
	// domain; ENOTFOUND, or ECONFLICT when several claim it.
	FindSettingsByDomain(ctx context.Context, domain string) (int64, *attest.Settings, error)
	UpdateSettings(ctx context.Context, orgID int64, st *attest.Settings) error
	// ClaimDomain, FindDomainClaims, FindDomainClaim, VerifyDomainClaim
	// and DeleteDomainClaim keep the organization's claims on email
	// domains, which single sign-on needs verified.
	ClaimDomain(ctx context.Context, orgID int64, domain string) (*attest.DomainClaim, error)
	FindDomainClaims(ctx context.Context, orgID int64) ([]*attest.DomainClaim, error)
	FindDomainClaim(ctx context.Context, orgID int64, domain string) (*attest.DomainClaim, error)
	VerifyDomainClaim(ctx context.Context, orgID int64, domain, method string) error
	DeleteDomainClaim(ctx context.Context, orgID int64, domain string) error

	FindAuditLog(ctx context.Context, orgID int64, f attest.AuditFilter) ([]*attest.AuditEntry, error)
}
