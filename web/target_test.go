package web

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// testResolver is the tests' DNS: a few names, the rest unknown.
type testResolver struct{}

func (testResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	switch host {
	case "rebind.example":
		return []netip.Addr{netip.MustParseAddr("93.184.216.34"), netip.MustParseAddr("169.254.169.254")}, nil
	case "public.example":
		return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
	}
	return nil, errors.New("no such host")
}

// TestInternalTargetsRefused: webhook and identity-provider URLs into the
// server's own network are refused when saved, with a message saying why,
// unless the operator allows internal targets.
func TestInternalTargetsRefused(t *testing.T) {
	forEachUI(t, func(t *testing.T, u *uiEnv) {
		admin := u.signIn(t, uAdmin)
		internal := []string{"http://localhost:9000/hook", "http://127.0.0.1/", "http://[::1]/", "http://0.0.0.0/",
			"http://2130706433/", "http://0x7f.1/", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.8/",
			"http://[::ffff:10.0.0.8]/", "http://100.100.100.200/", "http://[fd00::5]/", "http://rebind.example/"}
		for _, target := range internal {
			p := admin.post(t, "/settings/webhooks", url.Values{"url": {target}, "format": {"json"}})
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, "own network") {
				t.Errorf("webhook %s = %d, want 400 saying why", target, p.status)
			}
			p = admin.post(t, "/settings/security", url.Values{"oidc_issuer": {target}, "oidc_client_id": {"x"}})
			if p.status != refusedStatus || !strings.Contains(p.body, "own network") || !strings.Contains(p.body, `id="oidc_issuer-error"`) {
				t.Errorf("issuer %s = %d, want 422 saying why beside the field", target, p.status)
			}
		}
		hooks, err := u.db.FindWebhooks(context.Background(), u.orgA)
		if err != nil || len(hooks) != 0 {
			t.Fatalf("stored webhooks %v, %v; want none", hooks, err)
		}
		wantStatus(t, "a public webhook", admin.post(t, "/settings/webhooks", url.Values{"url": {"https://public.example/hook"}, "format": {"json"}}), http.StatusSeeOther, "/settings")

		u.server.AllowInternalTargets = true
		defer func() { u.server.AllowInternalTargets = false }()
		wantStatus(t, "an internal webhook, allowed", admin.post(t, "/settings/webhooks", url.Values{"url": {"http://10.0.0.8/hook"}, "format": {"json"}}), http.StatusSeeOther, "/settings")
	})
}
