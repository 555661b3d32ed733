package blob

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"testing"
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

// TestFSSweepsLeftoverTemp checks that NewFS removes the temp file of a
// Put that died, however recent, and keeps the one of a Put still running
// (in this test, in the same process; flock treats each open as its own).
func TestFSSweepsLeftoverTemp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s, err := NewFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(dir, "tmp", "put-killed")
	if err := os.WriteFile(left, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := s.Put(context.Background(), pr, 1<<20)
		done <- err
	}()
	if _, err := pw.Write([]byte("first half ")); err != nil { // the Put holds its temp file now
		t.Fatal(err)
	}
	if _, err := NewFS(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("the killed upload's temp file is still there (err=%v)", err)
	}
	if names := dirNames(t, filepath.Join(dir, "tmp")); len(names) != 1 {
		t.Errorf("temp files during a running Put = %v, want its own only", names)
	}
	pw.Write([]byte("second half"))
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("the running Put failed after the sweep: %v", err)
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
