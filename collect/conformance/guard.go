package conformance

import (
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/netguard"
)

// Guarded checks that a collector speaking its own protocol (a database,
// a directory) dials through the operator's network guard: cfg points at a
// server on loopback; with the guard's default dialer the connection is
// refused as the server's own network, and with internal targets allowed
// (`attest serve --allow-internal-targets`) the collection succeeds.
func Guarded(t *testing.T, k collect.Kind, cfg collect.Config) {
	t.Helper()
	cfg.Now = func() time.Time { return Now }
	cfg.Dialer = netguard.Dialer(5*time.Second, false)
	rs, err := Run(t.Context(), t, k, cfg)
	if err == nil || !strings.Contains(err.Error(), "own network") {
		t.Errorf("%s: guarded dial to loopback = %d resources, %v; want a refusal naming the server's own network", k.Name, len(rs), err)
	}
	cfg.Dialer = netguard.Dialer(5*time.Second, true)
	if rs, err := Run(t.Context(), t, k, cfg); err != nil || len(rs) == 0 {
		t.Errorf("%s: with internal targets allowed = %d resources, %v", k.Name, len(rs), err)
	}
}
