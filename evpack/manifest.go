// Package evpack builds and verifies the auditor's evidence package: a zip
// an organization hands its auditor with the evidence files, an index from
// criteria to controls to evidence, and a signed manifest, so the auditor
// can check offline, without Attest or its database, that nothing was
// changed, added or removed since the organization signed it.
//
// A package holds, in this order:
//
//   - the evidence files, stored uncompressed under the names given to
//     [Writer.Add];
//   - index.html and index.csv, written by [Writer.AddIndex];
//   - manifest.json, listing every other file with its size and SHA-256;
//   - manifest.sig, the raw 64-byte Ed25519 signature of the exact bytes of
//     manifest.json.
//
// manifest.json looks like this (fields always in this order, files sorted
// by name, two-space indentation, a final newline):
//
//	{
//	  "format": "attest-evidence-package/1",
//	  "meta": {
//	    "organization": "Acme",
//	    "engagement": "SOC 2 Type II 2026",
//	    "period": "2026-01-01 to 2026-06-30",
//	    "created_at": "2026-07-01T09:00:00Z",
//	    "generator": "attest 1.4"
//	  },
//	  "public_key": "<base64 of the 32-byte Ed25519 public key>",
//	  "files": [
//	    {"name": "index.csv", "size": 1234, "sha256": "<hex>"},
//	    ...
//	  ]
//	}
//
// The signature is raw rather than base64 so that an auditor can also check
// it without Attest: make key.pem a "PUBLIC KEY" PEM block of the DER bytes
// 302a300506032b6570032100 followed by the 32 bytes of public_key, then run
//
//	openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in manifest.json -sigfile manifest.sig
//
// and compare each file's SHA-256 (sha256sum) with the manifest.
package evpack

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Format is the manifest's format version; a verifier refuses any other so
// that a future format is never half-checked by an old verifier.
const Format = "attest-evidence-package/1"

// Names of the files the package writes itself.
const (
	ManifestName  = "manifest.json"
	SignatureName = "manifest.sig"
	IndexHTMLName = "index.html"
	IndexCSVName  = "index.csv"
)

// maxManifestSize bounds what the verifier reads into memory for
// manifest.json: about 150 bytes a file, so 64 MiB is some 400,000 files,
// and a hostile package cannot make the verifier allocate more.
const maxManifestSize = 64 << 20

// Meta describes the package; it is copied into the signed manifest so an
// auditor can tell which organization, engagement and period it covers.
type Meta struct {
	Organization string `json:"organization"`
	Engagement   string `json:"engagement"`
	// Period is the audit period as people write it, e.g.
	// "2026-01-01 to 2026-06-30".
	Period string `json:"period"`
	// CreatedAt is when the package was made; NewWriter uses the current
	// time, to the second, when it is zero.
	CreatedAt time.Time `json:"created_at"`
	// Generator names the program and version that wrote the package.
	Generator string `json:"generator"`
}

// manifest is the content of manifest.json. Field order is the JSON order,
// which keeps the encoding deterministic.
type manifest struct {
	Format    string         `json:"format"`
	Meta      Meta           `json:"meta"`
	PublicKey []byte         `json:"public_key"` // encoding/json writes base64
	Files     []manifestFile `json:"files"`
}

// manifestFile is one file of the package as the manifest records it.
type manifestFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// encode returns the manifest.json bytes. The files must already be sorted.
func (m *manifest) encode() ([]byte, error) {
	if m.Files == nil {
		m.Files = []manifestFile{} // "files": [] rather than null
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	return append(b, '\n'), nil
}

// decodeManifest parses manifest.json and checks what the rest of the
// verifier relies on: the format version and the key length.
func decodeManifest(b []byte) (*manifest, error) {
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	if m.Format != Format {
		return nil, fmt.Errorf("format %q, want %q", m.Format, Format)
	}
	if len(m.PublicKey) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public_key is %d bytes, want %d", len(m.PublicKey), ed25519.PublicKeySize)
	}
	return &m, nil
}

// Fingerprint returns the hex SHA-256 of an Ed25519 public key: what an
// organization publishes, and what an auditor compares with Report.Signer,
// to know who signed a package.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:])
}
