package main

import (
	"crypto/ed25519"
	"os"
	"path/filepath"

	"github.com/attest-dev/attest/auditpack"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/evpack"
	"github.com/attest-dev/attest/seal"
)

// blobStoreURL is where evidence files are kept: --blob-store, or the blobs
// folder of the data directory, so that a default install keeps database
// and files side by side for one backup.
func (a *App) blobStoreURL() string {
	if a.cli.BlobStore != "" {
		return a.cli.BlobStore
	}
	return filepath.Join(a.cli.Data, "blobs")
}

// Blobs opens the blob store. Only commands that read or write evidence
// files call it, so the others work without one (and without S3
// credentials).
func (a *App) Blobs() (blob.Store, error) {
	return blob.Open(a.ctx, blob.Config{URL: a.blobStoreURL()})
}

// secretBox is the box that seals secrets at rest, with the server's key.
func (a *App) secretBox() (*seal.Box, error) {
	key, err := seal.LoadKey(os.Getenv("ATTEST_SECRET_KEY"), a.cli.Data)
	if err != nil {
		return nil, err
	}
	return seal.New(key)
}

// SigningKeyCmd shows the organization's package signing key.
type SigningKeyCmd struct{ jsonFlag }

// Run prints the public key and its fingerprint, creating the key on first
// use so that it can be published before the first export.
func (c *SigningKeyCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	box, err := a.secretBox()
	if err != nil {
		return err
	}
	key, err := auditpack.SigningKey(a.ctx, a.db, box, orgID)
	if err != nil {
		return err
	}
	pub := key.Public().(ed25519.PublicKey)
	out := struct {
		PublicKey   string `json:"public_key"`
		Fingerprint string `json:"fingerprint"`
	}{auditpack.EncodePublicKey(pub), evpack.Fingerprint(pub)}
	if c.JSON {
		return a.printJSON(out)
	}
	fprintf(a.out, "Public key:  %s\nFingerprint: %s\n", out.PublicKey, out.Fingerprint)
	fprintf(a.out, "Give the auditor either one; they check a package with: attest verify PACKAGE.zip --key KEY\n")
	return nil
}
