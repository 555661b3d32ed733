package auditpack

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/seal"
)

// KeyStore keeps an organization's package signing key; *store.DB is one.
// The public key is stored as EncodePublicKey writes it, the private key
// sealed, so a copy of the database alone cannot sign packages.
type KeyStore interface {
	// SigningKey returns the stored key, or ENOTFOUND before the first.
	SigningKey(ctx context.Context, orgID int64) (public, sealedPrivate string, err error)
	// SaveSigningKey stores the first key and returns the one kept: when
	// another process saved one meanwhile, that one.
	SaveSigningKey(ctx context.Context, orgID int64, public, sealedPrivate string) (string, string, error)
}

// keyPurpose binds a sealed key to its organization, so a sealed value
// copied to another organization's row does not open.
func keyPurpose(orgID int64) string { return fmt.Sprintf("signing-key:%d", orgID) }

// SigningKey returns the organization's Ed25519 signing key, creating and
// saving one on first use. Two processes racing to create it end up with
// the same key: the one saved first.
func SigningKey(ctx context.Context, keys KeyStore, box *seal.Box, orgID int64) (ed25519.PrivateKey, error) {
	pub, sealed, err := keys.SigningKey(ctx, orgID)
	if attest.ErrorCode(err) == attest.ENOTFOUND {
		pub, sealed, err = createKey(ctx, keys, box, orgID)
	}
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	return openKey(box, orgID, pub, sealed)
}

// createKey generates a key, seals its seed and saves it, returning what
// the store kept.
func createKey(ctx context.Context, keys KeyStore, box *seal.Box, orgID int64) (string, string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", "", err
	}
	sealed, err := box.Seal(base64.StdEncoding.EncodeToString(priv.Seed()), keyPurpose(orgID))
	if err != nil {
		return "", "", err
	}
	return keys.SaveSigningKey(ctx, orgID, EncodePublicKey(pub), sealed)
}

// openKey unseals the stored seed and checks it against the stored public
// key: a mismatch means the row was edited, and signing with it would give
// packages that the published key does not verify.
func openKey(box *seal.Box, orgID int64, public, sealed string) (ed25519.PrivateKey, error) {
	seed, err := box.Open(sealed, keyPurpose(orgID))
	if err != nil {
		return nil, fmt.Errorf("signing key of organization %d cannot be unsealed (was ATTEST_SECRET_KEY or secret.key changed?): %w", orgID, err)
	}
	raw, err := base64.StdEncoding.DecodeString(seed)
	if err != nil || len(raw) != ed25519.SeedSize {
		return nil, fmt.Errorf("signing key of organization %d: the sealed value is not an Ed25519 seed", orgID)
	}
	priv := ed25519.NewKeyFromSeed(raw)
	pub, err := ParsePublicKey(public)
	if err != nil || !pub.Equal(priv.Public()) {
		return nil, fmt.Errorf("signing key of organization %d: the stored public key does not match the private key", orgID)
	}
	return priv, nil
}

// EncodePublicKey writes a public key as the organization publishes it and
// as manifest.json holds it: standard base64 of the 32 bytes.
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// ParsePublicKey reads a key written by EncodePublicKey. It returns EINVALID
// for anything else, since the text usually comes from a user.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, attest.Errorf(attest.EINVALID, "a public key is the base64 encoding of %d bytes", ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}
