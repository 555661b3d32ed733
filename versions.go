package attest

import (
	"context"
	"time"
)

// Versions says how recent an organization's records of each kind are: the
// sequence number of the latest audited change to its policies, members,
// settings, engagements and tasks (0 for none yet), and which engagement
// is current. A signed-in page reads them with its session, in the same
// query, and reads that depend on those kinds alone are then kept in
// memory under these numbers: a request whose numbers match gets them
// without a query, and a change to anything else (a control, evidence)
// leaves them in place. Every process that shares the database reads the
// same numbers, so none serves what another has changed.
type Versions struct {
	OrgID                                    int64
	Policy, User, Settings, Engagement, Task int64
	CurrentEngagement                        int64
	// Head is the organization's latest audited change of any kind, and
	// Derived when the current engagement's figures (readiness,
	// coverage) were last derived: from the change numbered Seq, on Day,
	// at At; Seq is -1 when they never were. Figures older than Head are
	// being derived again.
	Head    int64
	Derived struct {
		Seq int64
		Day Date
		At  time.Time
	}
}

type versionsKey struct{}

// WithVersions returns a context that carries v to the reads of its
// request. Only requests that change nothing carry them: a change made
// within the request would not be in v.
func WithVersions(ctx context.Context, v *Versions) context.Context {
	return context.WithValue(ctx, versionsKey{}, v)
}

// VersionsFrom returns the versions the context carries for the
// organization, or nil.
func VersionsFrom(ctx context.Context, orgID int64) *Versions {
	if v, ok := ctx.Value(versionsKey{}).(*Versions); ok && v != nil && v.OrgID == orgID {
		return v
	}
	return nil
}
