package web

import (
	"context"
	"crypto/ed25519"
	"net/http"
	"strconv"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/auditpack"
	"github.com/attest-dev/attest/evpack"
)

// auditorHome is where an auditor lands after signing in. With one
// engagement granted it returns false and the dashboard shows that
// engagement; with several, and no ?engagement= chosen among them, it shows
// the list; with none yet, a page saying so rather than an error.
func (s *Server) auditorHome(w http.ResponseWriter, r *http.Request) (bool, error) {
	ctx := r.Context()
	p := principalFrom(ctx)
	if len(p.Engagements) == 1 {
		return false, nil
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("engagement"), 10, 64); err == nil && p.SeesEngagement(id) {
		return false, nil
	}
	var engs []*attest.Engagement
	for _, id := range p.Engagements {
		e, err := s.svc.FindEngagementByID(ctx, p.OrgID, id)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			continue // deleted since it was granted
		}
		if err != nil {
			return true, err
		}
		engs = append(engs, e)
	}
	fp, err := s.signingFingerprint(ctx, p.OrgID)
	if err != nil {
		return true, err
	}
	return true, s.render(w, r, http.StatusOK, "auditor_home", &view{Title: "Your engagements", Nav: "dashboard", Data: map[string]any{
		"Engagements": engs, "Fingerprint": fp,
	}})
}

// signingFingerprint returns the fingerprint of the organization's package
// signing key, creating the key on first use as the first package would:
// the fingerprint is what the organization hands its auditor, through
// another channel, before any package is downloaded.
func (s *Server) signingFingerprint(ctx context.Context, orgID int64) (string, error) {
	if s.box == nil {
		return "", nil
	}
	key, err := auditpack.SigningKey(ctx, s.svc, s.box, orgID)
	if err != nil {
		return "", err
	}
	return evpack.Fingerprint(key.Public().(ed25519.PublicKey)), nil
}
