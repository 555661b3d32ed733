package seal

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Seal("JBSWY3DPEHPK3PXP", "totp:1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s, "JBSWY3DPEHPK3PXP") {
		t.Fatal("sealed value shows the plaintext")
	}
	if got, err := b.Open(s, "totp:1"); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(s, "totp:2"); err != ErrOpen {
		t.Errorf("opened with another purpose: %v", err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(s, "totp:1"); err != ErrOpen {
		t.Errorf("opened with another key: %v", err)
	}
	tampered := s[:len(s)-2] + "AA"
	if _, err := b.Open(tampered, "totp:1"); err != ErrOpen {
		t.Errorf("opened a tampered value: %v", err)
	}
	if _, err := New([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	k1, err := LoadKey("", dir)
	if err != nil || len(k1) != KeySize {
		t.Fatalf("first load: %v", err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", info, err)
	}
	k2, err := LoadKey("", dir)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatal("second load gave another key")
	}
	env := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, KeySize))
	if k, err := LoadKey(env, dir); err != nil || k[0] != 1 {
		t.Fatalf("env key: %v", err)
	}
	if _, err := LoadKey("not-base64!", dir); err == nil {
		t.Error("a malformed env key was accepted")
	}
	os.WriteFile(filepath.Join(dir, KeyFile), []byte("garbage"), 0o600)
	if _, err := LoadKey("", dir); err == nil {
		t.Error("a malformed key file was accepted")
	}
}
