package web

import (
	"net/http"
	"strconv"

	"github.com/attest-dev/attest"
)

// A control owner edits the risks, vendors, assets and incidents they own
// — the member whose user ID the record stores — and nobody else's; a
// compliance manager edits every record. A member named like the owner
// owns nothing. Only a manager hands a record to another owner.

// mayEditRecord reports whether the principal may edit a record owned by
// ownerID.
func (s *Server) mayEditRecord(r *http.Request, ownerID int64) bool {
	p, now := principalFrom(r.Context()), s.Now()
	if p.Can(attest.EditReadiness, now) {
		return true
	}
	return p.Can(attest.EditOwnControl, now) && p.UserID != 0 && ownerID == p.UserID
}

// recordEditor returns EFORBIDDEN unless the principal may edit the
// record; for an owner who is no manager it also keeps the stored owner
// in the posted form, so the edit cannot hand the record to someone else.
func (s *Server) recordEditor(r *http.Request, f *form, kind attest.RecordKind, ownerID int64) error {
	if !s.mayEditRecord(r, ownerID) {
		return attest.Errorf(attest.EFORBIDDEN, "only the %s's owner or a compliance manager may change it", kind)
	}
	if !principalFrom(r.Context()).Can(attest.EditReadiness, s.Now()) {
		owner := ""
		if ownerID != 0 {
			owner = strconv.FormatInt(ownerID, 10)
		}
		f.Values.Set("owner", owner)
	}
	return nil
}
