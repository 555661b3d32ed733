package web

import (
	"net/http"

	"github.com/attest-dev/attest"
)

// accountPassword changes the signed-in user's password. It asks for the
// current one, so a borrowed session cannot lock its owner out, and ends
// the user's other sessions; this one stays. Errors show beside their
// field; the form never sends a password back.
func (s *Server) accountPassword(w http.ResponseWriter, r *http.Request) error {
	cs := sessionFrom(r.Context())
	current, next, again := r.PostFormValue("current"), r.PostFormValue("password"), r.PostFormValue("password2")
	errs := map[string]string{}
	switch {
	case cs.user.PasswordHash == "":
		errs["current"] = "Your account signs in through single sign-on; it has no password here."
	case current == "":
		errs["current"] = "Enter your current password."
	case !attest.CheckPassword(cs.user.PasswordHash, current):
		errs["current"] = "That is not your current password."
	}
	if len(next) < attest.MinPasswordLength {
		errs["password"] = "A password needs at least 12 characters."
	} else if next == current {
		errs["password"] = "Choose a password different from the current one."
	}
	if next != again {
		errs["password2"] = "The two new passwords differ."
	}
	if len(errs) > 0 {
		return s.renderAccount(w, r, http.StatusBadRequest, errs)
	}
	hash, err := attest.HashPassword(next)
	if err != nil {
		errs["password"] = attest.ErrorMessage(err)
		return s.renderAccount(w, r, http.StatusBadRequest, errs)
	}
	if err := s.svc.ChangePassword(r.Context(), cs.user.OrgID, cs.user.ID, hash, cs.idHash); err != nil {
		return err
	}
	return redirect(w, r, "/account/mfa", "Password changed. Your other sessions have been signed out.")
}
