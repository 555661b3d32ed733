package attest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Policy document types.
const (
	PolicyTypePolicy    = "policy"
	PolicyTypeProcedure = "procedure"
)

// PolicyTypes lists every valid PolicyTemplate.Type.
var PolicyTypes = []string{PolicyTypePolicy, PolicyTypeProcedure}

// PolicyPlaceholders are the names a policy body may use as {{name}}. They
// are filled from the organization's settings when a template is adopted;
// any other {{…}} in a body is an error, so a typo never reaches an
// employee's screen.
var PolicyPlaceholders = []string{
	"organization",
	"owner",
	"approver",
	"effective_date",
	"review_cycle",
	"security_contact",
	"privacy_contact",
}

// PolicyTemplate is a built-in policy or procedure an organization starts
// from: Markdown with placeholders, the controls it supports (and through
// them the criteria) and how often it is reviewed. Templates are embedded
// content, loaded once and never changed at run time.
type PolicyTemplate struct {
	// ID is kebab-case and unique, such as "access-control".
	ID    string `json:"id"`
	Title string `json:"title"`
	// Type is one of PolicyTypes; a procedure is the same kind of document
	// as a policy, describing steps rather than rules.
	Type    string `json:"type"`
	Version string `json:"version"`
	// OwnerRole is one of OwnerRoles: the function that maintains the
	// document by default.
	OwnerRole         string `json:"owner_role"`
	ReviewCycleMonths int    `json:"review_cycle_months"`
	// Controls are the IDs of the library controls the document supports.
	Controls []string `json:"controls"`
	Summary  string   `json:"summary"`
	// Body is the Markdown text, with {{name}} placeholders from
	// PolicyPlaceholders.
	Body string `json:"body"`
}

// PolicyFill is what a template's placeholders are filled with when an
// organization adopts it: its name, the template's review cycle, and the
// values given (empty ones are left as placeholders, to fill later).
func PolicyFill(organization string, t *PolicyTemplate, values map[string]string) map[string]string {
	fill := map[string]string{"organization": organization, "review_cycle": fmt.Sprintf("every %d months", t.ReviewCycleMonths)}
	for k, v := range values {
		if v = strings.TrimSpace(v); v != "" {
			fill[k] = v
		}
	}
	return fill
}

// PlaceholderError locates an unknown or unclosed placeholder in a body. It
// unwraps to an EINVALID *Error, so ErrorCode and ErrorMessage work on it;
// loaders use Line to point at the line of the file the body came from.
type PlaceholderError struct {
	Line   int    // 1-based line within the body
	Reason string // such as "unknown placeholder {{ceo}}"
}

func (e *PlaceholderError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Unwrap returns the EINVALID domain error with the same message.
func (e *PlaceholderError) Unwrap() error {
	return Errorf(EINVALID, "line %d: %s", e.Line, e.Reason)
}

// FillPlaceholders replaces each {{name}} of body whose name has a value
// and leaves known placeholders without a value as they are (an editor may
// fill them later). It returns a *PlaceholderError (EINVALID) naming the
// line of the first unknown or unclosed placeholder, and EINVALID if values
// names a placeholder that does not exist. Values are inserted literally:
// a value containing {{ is not expanded again.
func FillPlaceholders(body string, values map[string]string) (string, error) {
	for name := range values {
		if !knownPlaceholder(name) {
			return "", Errorf(EINVALID, "unknown placeholder name %q (known: %s)", name, strings.Join(PolicyPlaceholders, ", "))
		}
	}
	var out strings.Builder
	out.Grow(len(body))
	line, rest := 1, body
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			out.WriteString(rest)
			return out.String(), nil
		}
		out.WriteString(rest[:i])
		line += strings.Count(rest[:i], "\n")
		rest = rest[i:]
		end := strings.Index(rest, "}}")
		if nl := strings.IndexByte(rest, '\n'); end < 0 || (nl >= 0 && nl < end) {
			return "", &PlaceholderError{Line: line, Reason: fmt.Sprintf("unclosed placeholder %s", clip(firstLine(rest), 40))}
		}
		name := rest[2:end]
		if !knownPlaceholder(name) {
			return "", &PlaceholderError{Line: line, Reason: fmt.Sprintf("unknown placeholder {{%s}} (known: %s)", clip(name, 40), strings.Join(PolicyPlaceholders, ", "))}
		}
		if v, ok := values[name]; ok {
			out.WriteString(v)
		} else {
			out.WriteString(rest[:end+2])
		}
		rest = rest[end+2:]
	}
}

func knownPlaceholder(name string) bool {
	for _, p := range PolicyPlaceholders {
		if p == name {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return strings.TrimRight(s[:i], "\r")
	}
	return s
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// PolicyStatus is where an organization's policy stands in its workflow.
type PolicyStatus string

// Policy statuses. A policy is a draft while its current version is being
// written, in review once an approver has decided on it, and published once
// its current version is the published one.
const (
	PolicyDraft     PolicyStatus = "draft"
	PolicyInReview  PolicyStatus = "in_review"
	PolicyPublished PolicyStatus = "published"
)

// VersionState is where one version of a policy stands.
type VersionState string

// Version states. Only one version of a policy is published at a time;
// publishing another supersedes it, and saving a new draft supersedes an
// unpublished one.
const (
	VersionDraft      VersionState = "draft"
	VersionApproved   VersionState = "approved"
	VersionRejected   VersionState = "rejected"
	VersionPublished  VersionState = "published"
	VersionSuperseded VersionState = "superseded"
)

// Policy is an organization's policy or procedure, adopted from a template
// and kept as a history of versions.
type Policy struct {
	ID         int64  `json:"id"`
	TemplateID string `json:"template_id,omitempty"`
	Title      string `json:"title"`
	Type       string `json:"type"`
	OwnerRole  string `json:"owner_role"`
	// OwnerID is the member who maintains the policy (0: nobody yet);
	// Owner is that member as shown, filled when the policy is read.
	// OwnerNote keeps a free-text owner that is not a member; it grants
	// nothing.
	OwnerID           int64    `json:"-"`
	Owner             *Person  `json:"owner"`
	OwnerNote         string   `json:"owner_note,omitempty"`
	ReviewCycleMonths int      `json:"review_cycle_months"`
	Controls          []string `json:"controls"`
	// Approvers are the IDs of the users whose approval a version needs
	// before it is published.
	Approvers []int64      `json:"approvers"`
	Status    PolicyStatus `json:"status"`
	// CurrentVersion is the newest version, the one being edited or
	// reviewed; PublishedVersion is the one employees read ("" before the
	// first publication).
	CurrentVersion   string `json:"current_version"`
	PublishedVersion string `json:"published_version,omitempty"`
	// SubmittedVersion is the version last sent to the approvers for
	// their decision ("" if none was).
	SubmittedVersion string `json:"submitted_version,omitempty"`
	// CurrentState is the state of the current version, read with the
	// policy.
	CurrentState VersionState `json:"current_state"`
	// NextReview is when the published policy is due for review;
	// LastReviewed is when it was last published or reviewed.
	NextReview   Date `json:"next_review,omitempty"`
	LastReviewed Date `json:"last_reviewed,omitempty"`
	// AckSince is when the published major version was first published:
	// acknowledgements are due from then (zero before publication).
	AckSince  time.Time `json:"ack_since,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// IsApprover reports whether the user is one of the policy's approvers.
func (p *Policy) IsApprover(userID int64) bool {
	return slices.Contains(p.Approvers, userID)
}

// Published returns the policies that have a published version.
func Published(policies []*Policy) []*Policy {
	var out []*Policy
	for _, p := range policies {
		if p.PublishedVersion != "" {
			out = append(out, p)
		}
	}
	return out
}

// ReviewOverdue reports whether the published policy's review date has
// passed.
func (p *Policy) ReviewOverdue(today Date) bool {
	return p.PublishedVersion != "" && !p.NextReview.IsZero() && p.NextReview.Before(today)
}

// PolicyVersion is one saved text of a policy. Number is "major.minor".
type PolicyVersion struct {
	PolicyID  int64        `json:"policy_id"`
	Number    string       `json:"number"`
	Body      string       `json:"body"`
	Major     bool         `json:"major"`
	Author    string       `json:"author,omitempty"`
	State     VersionState `json:"state"`
	CreatedAt time.Time    `json:"created_at"`
	// PublishedAt is when the version was published (zero before).
	PublishedAt time.Time `json:"published_at,omitzero"`
}

// PolicyDecision is an approver's approval or rejection of a version. An
// approver may decide again; the latest decision counts.
type PolicyDecision struct {
	PolicyID   int64     `json:"policy_id"`
	Version    string    `json:"version"`
	ApproverID int64     `json:"approver_id"`
	Approve    bool      `json:"approve"`
	Comment    string    `json:"comment,omitempty"`
	At         time.Time `json:"at"`
}

// Acknowledgement records that a user read a published version.
type Acknowledgement struct {
	PolicyID int64     `json:"policy_id"`
	Version  string    `json:"version"`
	UserID   int64     `json:"user_id"`
	At       time.Time `json:"at"`
}

// ParsePolicyVersion splits "major.minor" into its numbers; it returns
// EINVALID for anything else.
func ParsePolicyVersion(s string) (major, minor int, err error) {
	a, b, ok := strings.Cut(s, ".")
	if ok {
		major, err = strconv.Atoi(a)
		if err == nil {
			minor, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || major < 0 || minor < 0 || strings.ContainsAny(s, "+- ") {
		return 0, 0, Errorf(EINVALID, "%q is not a version of the form major.minor", s)
	}
	return major, minor, nil
}

// NextPolicyVersion returns the version after current: a minor bump ("1.0"
// → "1.1") or a major one ("1.3" → "2.0").
func NextPolicyVersion(current string, major bool) (string, error) {
	ma, mi, err := ParsePolicyVersion(current)
	if err != nil {
		return "", err
	}
	if major {
		return fmt.Sprintf("%d.0", ma+1), nil
	}
	return fmt.Sprintf("%d.%d", ma, mi+1), nil
}

// NewMajor reports whether version next has a different major number than
// prev, so that publishing it asks everyone to acknowledge it again.
func NewMajor(prev, next string) bool { return majorOf(prev) != majorOf(next) }

// Validate checks a decision before it is recorded: the user must be one
// of the policy's approvers (EFORBIDDEN) and a rejection must say why
// (EINVALID).
func (d *PolicyDecision) Validate(p *Policy) error {
	d.Comment = strings.TrimSpace(d.Comment)
	if !p.IsApprover(d.ApproverID) {
		return Errorf(EFORBIDDEN, "only the policy's approvers may approve or reject it")
	}
	if !d.Approve && d.Comment == "" {
		return FieldErrorf("comment", "a rejection needs a comment saying what to change")
	}
	return nil
}

// DecidedState returns the state a version in review reaches from its
// decisions: rejected if any approver's latest decision rejects it,
// approved if every approver's latest decision approves it, draft
// otherwise. Decisions of users who are no longer approvers, and decisions
// on other versions, do not count.
func DecidedState(approvers []int64, version string, decisions []*PolicyDecision) VersionState {
	latest := map[int64]*PolicyDecision{}
	for _, d := range decisions {
		if d.Version != version || !slices.Contains(approvers, d.ApproverID) {
			continue
		}
		if l, ok := latest[d.ApproverID]; !ok || !d.At.Before(l.At) {
			latest[d.ApproverID] = d
		}
	}
	for _, d := range latest {
		if !d.Approve {
			return VersionRejected
		}
	}
	if len(approvers) > 0 && len(latest) == len(approvers) {
		return VersionApproved
	}
	return VersionDraft
}

// CheckPublish returns nil if version v of p may be published: it must be
// the current version and every approver's latest decision must approve
// it. Otherwise it returns EINVALID saying why.
func CheckPublish(p *Policy, v *PolicyVersion, decisions []*PolicyDecision) error {
	switch {
	case v.Number != p.CurrentVersion:
		return Errorf(EINVALID, "version %s is not the current version (%s)", v.Number, p.CurrentVersion)
	case v.State == VersionPublished:
		return Errorf(EINVALID, "version %s is already published", v.Number)
	case len(p.Approvers) == 0:
		return Errorf(EINVALID, "the policy has no approvers: name at least one before publishing")
	}
	if DecidedState(p.Approvers, v.Number, decisions) != VersionApproved {
		return Errorf(EINVALID, "version %s is not approved by every approver", v.Number)
	}
	return nil
}

// CheckAcknowledge returns nil if v may be acknowledged: only the published
// version can be; a superseded or unpublished one gives EINVALID.
func CheckAcknowledge(v *PolicyVersion) error {
	switch v.State {
	case VersionPublished:
		return nil
	case VersionSuperseded:
		return Errorf(EINVALID, "version %s has been superseded: acknowledge the current version", v.Number)
	}
	return Errorf(EINVALID, "version %s is not published", v.Number)
}

// PolicyService manages an organization's policies and procedures. Every
// method returns ENOTFOUND for a policy, version or user outside the
// organization.
type PolicyService interface {
	// AdoptTemplate creates a draft policy, version 1.0, from the template,
	// its body filled from fill (EINVALID for an unknown placeholder,
	// ENOTFOUND for an unknown template).
	AdoptTemplate(ctx context.Context, orgID int64, t *PolicyTemplate, fill map[string]string) (*Policy, error)
	// FindPolicies returns the organization's policies by title.
	FindPolicies(ctx context.Context, orgID int64) ([]*Policy, error)
	// FindPolicyByID returns one policy.
	FindPolicyByID(ctx context.Context, orgID, id int64) (*Policy, error)
	// FindPolicyVersions returns a policy's versions, oldest first.
	FindPolicyVersions(ctx context.Context, orgID, policyID int64) ([]*PolicyVersion, error)
	// FindPolicyDecisions returns the decisions on a policy, oldest first.
	FindPolicyDecisions(ctx context.Context, orgID, policyID int64) ([]*PolicyDecision, error)
	// SaveDraft saves body as the version after baseVersion. baseVersion
	// must be the policy's current version: a stale one gives ECONFLICT
	// and changes nothing, so a concurrent edit is never lost.
	SaveDraft(ctx context.Context, orgID, policyID int64, baseVersion, body string, major bool) (*PolicyVersion, error)
	// SaveDrafts saves several drafts in one transaction: all or none.
	SaveDrafts(ctx context.Context, orgID int64, changes []DraftChange) ([]*PolicyVersion, error)
	// SetApprovers replaces the policy's approvers (EINVALID for a user
	// outside the organization, deactivated, or an auditor).
	SetApprovers(ctx context.Context, orgID, policyID int64, userIDs []int64) (*Policy, error)
	// SetPolicyOwner makes a member (0: nobody) the policy's owner
	// (EINVALID for someone who may not own things, see MayOwn).
	SetPolicyOwner(ctx context.Context, orgID, policyID, ownerID int64) (*Policy, error)
	// SubmitForApproval sends the current version to the approvers (see
	// CheckSubmit for what it refuses).
	SubmitForApproval(ctx context.Context, orgID, policyID int64) (*Policy, error)
	// FindApprovalRequests returns the policy versions waiting for the
	// user's decision (see AwaitsDecision), by title.
	FindApprovalRequests(ctx context.Context, orgID, userID int64) ([]*ApprovalRequest, error)
	// Decide records an approver's approval or rejection of the current
	// version: EFORBIDDEN for anyone else, EINVALID for a rejection without
	// a comment or a version that is not the current unpublished one.
	Decide(ctx context.Context, orgID, policyID int64, version string, approverID int64, approve bool, comment string) (*PolicyDecision, error)
	// Publish publishes the version (EINVALID unless every approver
	// approved it), supersedes the one published before and sets the next
	// review date a review cycle from today.
	Publish(ctx context.Context, orgID, policyID int64, version string) (*Policy, error)
	// Acknowledge records that the user read the published version;
	// acknowledging it again changes nothing. EINVALID for a superseded or
	// unpublished version.
	Acknowledge(ctx context.Context, orgID, policyID int64, version string, userID int64) (*Acknowledgement, error)
	// FindAcknowledgements returns a policy's acknowledgements, oldest first.
	FindAcknowledgements(ctx context.Context, orgID, policyID int64) ([]*Acknowledgement, error)
	// RecordReview records a review of the published policy that changed
	// nothing, moving the next review date a cycle from today (EINVALID
	// before the first publication).
	RecordReview(ctx context.Context, orgID, policyID int64, note string) (*Policy, error)
}
