package web

import (
	"net/http"
	"strings"

	"github.com/attest-dev/attest"
)

// The registers' JSON API: GET lists a page with X-Total-Count (the same
// filters and sorts as the pages, limit and offset), POST creates a
// record from its JSON, PATCH changes the fields its body names (owners
// and approvers by user ID: owner_id, approver_id).

func (s *Server) apiRecordList(kind attest.RecordKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		switch kind {
		case attest.RecordRisk:
			return s.riskList().api(s, w, r)
		case attest.RecordVendor:
			return s.vendorList().api(s, w, r)
		case attest.RecordAsset:
			return s.assetList().api(s, w, r)
		}
		return s.incidentList().api(s, w, r)
	}
}

// recordOf returns a new record of the kind, or the stored one to patch.
func (s *Server) recordOf(r *http.Request, kind attest.RecordKind, id int64) (any, error) {
	ctx, org := r.Context(), orgID(r)
	switch {
	case id == 0 && kind == attest.RecordRisk:
		return &attest.Risk{}, nil
	case id == 0 && kind == attest.RecordVendor:
		return &attest.Vendor{}, nil
	case id == 0 && kind == attest.RecordAsset:
		return &attest.Asset{}, nil
	case id == 0:
		return &attest.Incident{}, nil
	case kind == attest.RecordRisk:
		return s.svc.FindRiskByID(ctx, org, id)
	case kind == attest.RecordVendor:
		return s.svc.FindVendorByID(ctx, org, id)
	case kind == attest.RecordAsset:
		return s.svc.FindAssetByID(ctx, org, id)
	}
	return s.svc.FindIncidentByID(ctx, org, id)
}

// saveRecord creates (id 0) or updates a record.
func (s *Server) saveRecord(r *http.Request, rec any, create bool) error {
	ctx, org := r.Context(), orgID(r)
	switch v := rec.(type) {
	case *attest.Risk:
		if create {
			return s.svc.CreateRisk(ctx, org, v)
		}
		return s.svc.UpdateRisk(ctx, org, v)
	case *attest.Vendor:
		if create {
			return s.svc.CreateVendor(ctx, org, v)
		}
		return s.svc.UpdateVendor(ctx, org, v)
	case *attest.Asset:
		if create {
			return s.svc.CreateAsset(ctx, org, v)
		}
		return s.svc.UpdateAsset(ctx, org, v)
	case *attest.Incident:
		if create {
			return s.svc.CreateIncident(ctx, org, v)
		}
		return s.svc.UpdateIncident(ctx, org, v)
	}
	return attest.Errorf(attest.EINTERNAL, "unknown record %T", rec)
}

func (s *Server) apiRecordCreate(kind attest.RecordKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rec, err := s.recordOf(r, kind, 0)
		if err != nil {
			return err
		}
		if err := decode(r, rec); err != nil {
			return err
		}
		setRecordID(rec, 0)
		if err := apiAcceptance(rec, nil); err != nil {
			return err
		}
		if err := s.saveRecord(r, rec, true); err != nil {
			return err
		}
		return writeJSON(w, http.StatusCreated, rec)
	}
}

func (s *Server) apiRecordPatch(kind attest.RecordKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := recordID(r, kind)
		if err != nil {
			return err
		}
		rec, err := s.recordOf(r, kind, id)
		if err != nil {
			return err
		}
		// The body's fields overwrite the stored ones; what it leaves out
		// stays. The store ignores fields that are not edited this way.
		var stored attest.Risk
		if rk, ok := rec.(*attest.Risk); ok {
			stored = *rk
		}
		if err := decode(r, rec); err != nil {
			return err
		}
		setRecordID(rec, id)
		if err := apiAcceptance(rec, &stored); err != nil {
			return err
		}
		if err := s.saveRecord(r, rec, false); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, rec)
	}
}

// controlIDs splits a list of control IDs typed with spaces or commas.
func controlIDs(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, strings.ToUpper(f))
	}
	return out
}

// setRecordID puts back the ID a body may have tried to change.
func setRecordID(rec any, id int64) {
	switch v := rec.(type) {
	case *attest.Risk:
		v.ID = id
	case *attest.Vendor:
		v.ID = id
	case *attest.Asset:
		v.ID = id
	case *attest.Incident:
		v.ID = id
	}
}

// apiAcceptance keeps risk acceptances out of the API: a token is no
// member, so it can neither ask for an acceptance nor name who asked. The
// acceptance a risk has stays as it is (stored is nil for a new risk).
func apiAcceptance(rec any, stored *attest.Risk) error {
	rk, ok := rec.(*attest.Risk)
	if !ok {
		return nil
	}
	if stored == nil {
		stored = &attest.Risk{}
	}
	rk.RequestedByID = stored.RequestedByID
	if rk.Treatment == attest.TreatAccept && (stored.Treatment != attest.TreatAccept || rk.ApproverID != stored.ApproverID || rk.AcceptanceReview != stored.AcceptanceReview) {
		return attest.FieldErrorf("treatment", "a member proposes an acceptance on the risk's page, so that its approver can approve it")
	}
	return nil
}

// apiRecordGet writes one record of a register as JSON, as the list
// shows it; another organization's record, or one outside an auditor's
// scope, is not found.
func (s *Server) apiRecordGet(kind attest.RecordKind) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := recordID(r, kind)
		if err != nil {
			return err
		}
		if err := s.seeRecord(r, string(kind), id); err != nil {
			return err
		}
		rec, err := s.recordOf(r, kind, id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, rec)
	}
}

// apiGet writes the record byPath loads (it checks the principal's
// scope) as JSON.
func apiGet[T any](byPath func(r *http.Request) (T, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		rec, err := byPath(r)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, rec)
	}
}
