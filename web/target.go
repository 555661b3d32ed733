package web

import (
	"context"
	"strings"

	"github.com/attest-dev/attest/netguard"
)

// checkTarget refuses a URL the server would send requests to (a webhook,
// an identity provider) when it points into the server's own network,
// unless the operator allows internal targets. Empty means none is set.
func (s *Server) checkTarget(ctx context.Context, what, raw string) error {
	if s.AllowInternalTargets || strings.TrimSpace(raw) == "" {
		return nil
	}
	return netguard.CheckURL(ctx, what, raw, s.Resolver)
}
