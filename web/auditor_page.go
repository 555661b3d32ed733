package web

import (
	"context"
	"fmt"
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
// signing key, or "" before the first package creates the key. It reads
// only: showing a page never creates a key.
func (s *Server) signingFingerprint(ctx context.Context, orgID int64) (string, error) {
	public, _, err := s.svc.SigningKey(ctx, orgID)
	if attest.ErrorCode(err) == attest.ENOTFOUND {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	pub, err := auditpack.ParsePublicKey(public)
	if err != nil {
		return "", fmt.Errorf("stored signing key: %w", err)
	}
	return evpack.Fingerprint(pub), nil
}
