package web

import (
	"context"
	"net/http"

	"github.com/attest-dev/attest"
)

// An auditor sees the registers and records that concern the engagements
// granted to them (attest.RecordScope states the rule); the database
// applies it to every list, CSV export, record page and API read, and a
// record outside it is "not found", as another organization's is.

// RecordScopeServices is what scoping needs of storage.
type RecordScopeServices interface {
	// CheckRecordScope returns ENOTFOUND unless the record of kind exists
	// and the scope lets its principal see it.
	CheckRecordScope(ctx context.Context, orgID int64, kind string, id int64, sc attest.RecordScope) error
	// FindScopedRecordEvents is FindRecordEvents limited by the scope.
	FindScopedRecordEvents(ctx context.Context, orgID int64, kind string, recordID int64, sc attest.RecordScope) ([]*attest.RecordEvent, error)
}

// recordScope is the request's principal's scope: an auditor is limited
// to the engagements granted to them (none granted, nothing), others see
// the whole organization.
func recordScope(r *http.Request) attest.RecordScope {
	p := principalFrom(r.Context())
	if p == nil || p.Role != attest.RoleAuditor {
		return attest.RecordScope{}
	}
	return attest.RecordScope{Scoped: true, Engagements: p.Engagements}
}

// seeRecord returns ENOTFOUND when the principal's scope hides the record.
func (s *Server) seeRecord(r *http.Request, kind string, id int64) error {
	sc := recordScope(r)
	if !sc.Scoped {
		return nil
	}
	return s.svc.CheckRecordScope(r.Context(), orgID(r), kind, id, sc)
}

// visibleRecords leaves out of refs the records the principal's scope
// hides (a control's page lists the records attached to it; an incident
// of another window stays out of an auditor's sight).
func (s *Server) visibleRecords(r *http.Request, refs []attest.RecordRef) ([]attest.RecordRef, error) {
	if !recordScope(r).Scoped {
		return refs, nil
	}
	out := refs[:0:0]
	for _, ref := range refs {
		err := s.seeRecord(r, string(ref.Kind), ref.ID)
		switch attest.ErrorCode(err) {
		case "":
			out = append(out, ref)
		case attest.ENOTFOUND:
		default:
			return nil, err
		}
	}
	return out, nil
}
