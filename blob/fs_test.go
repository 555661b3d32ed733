package blob

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func newTestFS(t *testing.T) Store {
	s, err := NewFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestFS(t *testing.T) {
	testStore(t, newTestFS)
}

// TestFSLayout pins the on-disk format, which backups and an auditor's own
// sha256sum rely on: dir/ab/cd/<hash>, read-only.
func TestFSLayout(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	info := mustPut(t, s, []byte("evidence"))
	p := filepath.Join(dir, info.SHA256[:2], info.SHA256[2:4], info.SHA256)
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o440 {
		t.Errorf("blob mode = %v, want 0440", fi.Mode().Perm())
	}
	if got, _ := os.ReadFile(p); string(got) != "evidence" {
		t.Errorf("blob file holds %q", got)
	}
	// A stray file in the tree is not a blob.
	if err := os.WriteFile(filepath.Join(dir, info.SHA256[:2], "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	wantWalk(t, s, info)
}

// TestFSCleansStaleTemp checks that NewFS removes temp files a crash left
// an hour or more ago but keeps younger ones, which a Put in another
// process may still be writing.
func TestFSCleansStaleTemp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := NewFS(dir); err != nil {
		t.Fatal(err)
	}
	stale, fresh := filepath.Join(dir, "tmp", "put-stale"), filepath.Join(dir, "tmp", "put-fresh")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFS(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temp file still there (err=%v)", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("fresh temp file removed: %v", err)
	}
}

func BenchmarkPutFS(b *testing.B) {
	s, err := NewFS(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	benchmarkPut(b, s)
}

// benchmarkPut measures Put throughput for new content and for content
// already stored (the dedupe path: hash, then discard).
func benchmarkPut(b *testing.B, s Store) {
	const size = 8 << 20
	content := randomBytes(9, size)
	b.Run("new", func(b *testing.B) {
		b.SetBytes(size)
		var i uint64
		for b.Loop() {
			i++
			binary.LittleEndian.PutUint64(content, i) // new content each time
			if _, err := s.Put(b.Context(), bytes.NewReader(content), 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("existing", func(b *testing.B) {
		b.SetBytes(size)
		for b.Loop() {
			if _, err := s.Put(b.Context(), bytes.NewReader(content), 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
