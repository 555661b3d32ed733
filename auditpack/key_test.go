package auditpack_test

import (
	"context"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/auditpack"
)

// racyKeys says there is no key the first time, as if another process had
// saved one just after the lookup.
type racyKeys struct {
	auditpack.KeyStore
	asked bool
}

func (r *racyKeys) SigningKey(ctx context.Context, orgID int64) (string, string, error) {
	if !r.asked {
		r.asked = true
		return "", "", attest.Errorf(attest.ENOTFOUND, "no key yet")
	}
	return r.KeyStore.SigningKey(ctx, orgID)
}

func TestSigningKey(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		box := newBox(t)
		o := &attest.Organization{Name: "Other"}
		if err := e.db.CreateOrganization(e.ctx, o); err != nil {
			t.Fatal(err)
		}
		k1, err := auditpack.SigningKey(e.ctx, e.db, box, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := auditpack.SigningKey(e.ctx, &racyKeys{KeyStore: e.db}, box, o.ID)
		if err != nil || !k1.Equal(k2) {
			t.Fatalf("second load (losing a race) = %v; want the first key", err)
		}
		if k1.Equal(e.key) {
			t.Error("two organizations share a signing key")
		}
		pub, _, err := e.db.SigningKey(e.ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := auditpack.ParsePublicKey(pub); err != nil || !got.Equal(k1.Public()) {
			t.Errorf("stored public key %q does not parse to the key's: %v", pub, err)
		}
		if _, err := auditpack.SigningKey(e.ctx, e.db, newBox(t), o.ID); err == nil || !strings.Contains(err.Error(), "cannot be unsealed") {
			t.Errorf("load with another secret key = %v", err)
		}
		if _, err := auditpack.ParsePublicKey("not a key"); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("ParsePublicKey(junk) = %v", err)
		}
	})
}
