package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/attest-dev/attest"
)

// controlsBulk sets the status or the owner of the controls selected on
// the controls list, all in one transaction with one audit entry each. A
// refused change (a not-applicable status without a justification, an
// owner who is not a member) changes nothing and says why on the list,
// which keeps its filters.
func (s *Server) controlsBulk(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return attest.Errorf(attest.EINVALID, "the form could not be read")
	}
	// Back to the list as it was filtered; only the query string is taken
	// from the form, so the redirect never leaves the controls list.
	back := "/controls"
	if q, err := url.ParseQuery(r.PostFormValue("query")); err == nil && len(q) > 0 {
		back += "?" + q.Encode()
	}
	ids := r.PostForm["id"]
	u, err := s.bulkUpdate(r)
	if err == nil && len(ids) == 0 {
		err = attest.Errorf(attest.EINVALID, "select at least one control")
	}
	if err == nil {
		_, err = s.svc.UpdateControls(r.Context(), orgID(r), ids, u)
	}
	switch attest.ErrorCode(err) {
	case "":
		return redirect(w, r, back, fmt.Sprintf("Changed %d controls.", len(ids)))
	case attest.EINVALID, attest.ENOTFOUND:
		return redirect(w, r, back, "Nothing was changed: "+attest.ErrorMessage(err))
	}
	return err
}

// bulkUpdate reads the change of the bulk form: a status (with its
// justification when not applicable) and an owner ("none" for nobody);
// empty fields stay unchanged.
func (s *Server) bulkUpdate(r *http.Request) (attest.ControlUpdate, error) {
	var u attest.ControlUpdate
	if v := r.PostFormValue("status"); v != "" {
		st := attest.ControlStatus(v)
		u.Status = &st
		if st == attest.NotApplicable {
			just := r.PostFormValue("justification")
			u.Justification = &just
		}
	}
	switch v := r.PostFormValue("owner"); v {
	case "":
	case "none":
		var nobody int64
		u.OwnerID = &nobody
	default:
		id, err := s.resolveOwner(r, v)
		if err != nil {
			return u, err
		}
		if id == 0 {
			return u, attest.Errorf(attest.EINVALID, "choose an owner from the list")
		}
		u.OwnerID = &id
	}
	if u.Status == nil && u.OwnerID == nil {
		return u, attest.Errorf(attest.EINVALID, "choose a status or an owner to set")
	}
	return u, nil
}
