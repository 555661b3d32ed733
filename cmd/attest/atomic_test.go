package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/attest-dev/attest/internal/tempfile"
)

// TestWriteFileAtomicSweepsLeftovers checks that a write removes the hidden
// files killed runs left beside the target, keeps one another run is still
// writing, and leaves nothing of its own when it fails.
func TestWriteFileAtomicSweepsLeftovers(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "p.zip")
	killed := filepath.Join(dir, ".p.zip.123456")
	if err := os.WriteFile(killed, []byte("half a zip"), 0o600); err != nil {
		t.Fatal(err)
	}
	running, err := tempfile.Create(dir, ".p.zip.*")
	if err != nil {
		t.Fatal(err)
	}
	defer running.Close()
	unrelated := filepath.Join(dir, ".q.zip.1")
	if err := os.WriteFile(unrelated, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	if err := writeFileAtomic(out, func(w io.Writer) error { _, err := io.WriteString(w, "zip"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != "zip" {
		t.Fatalf("target = %q, %v", b, err)
	}
	if _, err := os.Stat(killed); !os.IsNotExist(err) {
		t.Errorf("the killed run's leftover is still there (err=%v)", err)
	}
	for _, p := range []string{running.Name(), unrelated} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}

	failed := errors.New("disk full")
	if err := writeFileAtomic(filepath.Join(dir, "r.zip"), func(io.Writer) error { return failed }); !errors.Is(err, failed) {
		t.Fatalf("err = %v, want the fill's error", err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*r.zip*"))
	if len(names) != 0 {
		t.Errorf("a failed write left %v", names)
	}
}
