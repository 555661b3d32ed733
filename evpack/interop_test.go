package evpack

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestInterop checks the promises made to auditors who do not run Attest:
// Info-ZIP's unzip extracts the package (so the index's relative links
// resolve) and OpenSSL verifies manifest.sig, as the package documentation
// describes. It is skipped where those tools are not installed.
func TestInterop(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"unzip", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	pkg := filepath.Join(dir, "evidence.zip")
	if err := os.WriteFile(pkg, buildPackage(t), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if b, err := exec.Command("unzip", "-q", pkg, "-d", out).CombinedOutput(); err != nil {
		t.Fatalf("unzip: %v\n%s", err, b)
	}
	for _, f := range testFiles() {
		got, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(f.name)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.data) {
			t.Errorf("%s: extracted content differs", f.name)
		}
	}
	der, err := x509.MarshalPKIXPublicKey(testPub)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	verify := func(manifest string) error {
		return exec.Command("openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keyFile, "-rawin",
			"-in", manifest, "-sigfile", filepath.Join(out, SignatureName)).Run()
	}
	if err := verify(filepath.Join(out, ManifestName)); err != nil {
		t.Errorf("openssl rejects the signature: %v", err)
	}
	forged := filepath.Join(dir, "forged.json")
	data, _ := os.ReadFile(filepath.Join(out, ManifestName))
	if err := os.WriteFile(forged, bytes.Replace(data, []byte("Acme"), []byte("Acne"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if verify(forged) == nil {
		t.Error("openssl accepts the signature for a changed manifest")
	}
}
