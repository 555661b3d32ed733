package policydoc

import (
	"context"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// Source is what Gather reads; the store provides it.
type Source interface {
	FindPolicies(ctx context.Context, orgID int64) ([]*attest.Policy, error)
	FindOrganization(ctx context.Context, id int64) (*attest.Organization, error)
	FindPolicyVersions(ctx context.Context, orgID, policyID int64) ([]*attest.PolicyVersion, error)
	FindPolicyDecisions(ctx context.Context, orgID, policyID int64) ([]*attest.PolicyDecision, error)
	FindUsers(ctx context.Context, orgID int64) ([]*attest.User, error)
	FindControlByID(ctx context.Context, orgID int64, id string) (*attest.Control, error)
}

// GatherPublished collects every published policy's published version;
// EINVALID when none is published yet.
func GatherPublished(ctx context.Context, src Source, orgID int64) ([]*Document, error) {
	all, err := src.FindPolicies(ctx, orgID)
	if err != nil {
		return nil, err
	}
	published := attest.Published(all)
	if len(published) == 0 {
		return nil, attest.Errorf(attest.EINVALID, "no policy has been published yet")
	}
	docs := make([]*Document, 0, len(published))
	for _, p := range published {
		d, err := Gather(ctx, src, orgID, p, "")
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	return docs, nil
}

// Gather collects what an export shows of one version of a policy: by
// default ("") the published version, or the current one before any. The
// approvals are the approvers' latest approvals of that version, with
// their names; the controls carry their titles and criteria.
func Gather(ctx context.Context, src Source, orgID int64, p *attest.Policy, version string) (*Document, error) {
	o, err := src.FindOrganization(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if version == "" {
		version = p.PublishedVersion
	}
	if version == "" {
		version = p.CurrentVersion
	}
	versions, err := src.FindPolicyVersions(ctx, orgID, p.ID)
	if err != nil {
		return nil, err
	}
	d := &Document{Organization: o.Name, Policy: p, History: versions}
	for _, v := range versions {
		if v.Number == version {
			d.Version = v
		}
	}
	if d.Version == nil {
		return nil, attest.Errorf(attest.ENOTFOUND, "%s has no version %q", p.Title, version)
	}
	decisions, err := src.FindPolicyDecisions(ctx, orgID, p.ID)
	if err != nil {
		return nil, err
	}
	users, err := src.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(users))
	for _, u := range users {
		names[u.ID] = u.Name
	}
	latest := map[int64]*attest.PolicyDecision{}
	for _, dc := range decisions {
		if dc.Version == version {
			latest[dc.ApproverID] = dc
		}
	}
	for _, id := range p.Approvers {
		if dc := latest[id]; dc != nil && dc.Approve {
			d.Approvals = append(d.Approvals, Approval{Name: names[id], At: dc.At})
		}
	}
	d.Version = completeLegacy(d.Version, d.Approvals)
	for _, id := range p.Controls {
		c, err := src.FindControlByID(ctx, orgID, id)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			d.Controls = append(d.Controls, ControlRef{ID: id})
			continue
		}
		if err != nil {
			return nil, err
		}
		d.Controls = append(d.Controls, ControlRef{ID: c.ID, Title: c.Name, Criteria: c.Criteria})
	}
	return d, nil
}

// completeLegacy returns v with {{approver}} and {{effective_date}} filled
// from its approvals when it was published before publication filled them
// (an upgraded installation): the approvers' names and the date of the last
// approval, the date the title page gives such a version. Other versions
// are returned as they are.
func completeLegacy(v *attest.PolicyVersion, approvals []Approval) *attest.PolicyVersion {
	if !NeedsLegacyFill(v) || len(approvals) == 0 {
		return v
	}
	names := make([]string, len(approvals))
	var last time.Time
	for i, a := range approvals {
		names[i] = a.Name
		if a.At.After(last) {
			last = a.At
		}
	}
	cp := *v
	cp.Body = strings.NewReplacer("{{approver}}", attest.JoinNames(names), "{{effective_date}}", string(attest.DateOf(last))).Replace(v.Body)
	return &cp
}

// NeedsLegacyFill reports whether v is a published (or superseded) version
// whose text still holds {{approver}} or {{effective_date}}.
func NeedsLegacyFill(v *attest.PolicyVersion) bool {
	published := v.State == attest.VersionPublished || v.State == attest.VersionSuperseded
	return published && (strings.Contains(v.Body, "{{approver}}") || strings.Contains(v.Body, "{{effective_date}}"))
}
