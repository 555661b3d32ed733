package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/internal/tempfile"
)

const (
	// fileMode makes blobs read-only at the OS level too, so a stray
	// process cannot alter evidence in place; group read lets a backup
	// agent in the service's group copy the store.
	fileMode = 0o440
	dirMode  = 0o750

	// tempPrefix starts the name of every temp file a Put writes.
	tempPrefix = "put-"
)

// FS is a Store on a local directory. Blob abcdef… lives at
// dir/ab/cd/abcdef…: two levels of fan-out (65,536 directories) keep every
// directory small even with millions of blobs. Writes go to dir/tmp first
// and are renamed into place, so a blob is either absent or complete, even
// across a crash.
type FS struct {
	dir string
}

var _ Store = (*FS)(nil)

// NewFS opens (creating it if needed) a store in dir and removes temp files
// left behind by a crash more than an hour ago.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, attest.Errorf(attest.EINVALID, "blob directory is empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob directory: %w", err)
	}
	s := &FS{dir: abs}
	if err := os.MkdirAll(s.tmpDir(), dirMode); err != nil {
		return nil, fmt.Errorf("open blob directory: %w", err)
	}
	// Temp files whose writer died (a killed upload) are removed; those
	// another process is still writing are locked and stay.
	if _, err := tempfile.Sweep(s.tmpDir(), tempPrefix); err != nil {
		return nil, fmt.Errorf("open blob directory: %w", err)
	}
	return s, nil
}

func (s *FS) tmpDir() string { return filepath.Join(s.dir, "tmp") }

// path is only ever called with a hash that passed checkHash.
func (s *FS) path(sum string) string {
	return filepath.Join(s.dir, sum[0:2], sum[2:4], sum)
}

// Put implements Store. The temp file is fsynced before the rename and the
// directory after it, so a blob Put reported as stored survives power loss.
func (s *FS) Put(ctx context.Context, r io.Reader, limit int64) (Info, error) {
	f, err := tempfile.Create(s.tmpDir(), tempPrefix+"*")
	if err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	tmp, renamed := f.Name(), false
	defer func() {
		f.Close()
		if !renamed {
			os.Remove(tmp)
		}
	}()

	info, err := spool(ctx, f, r, limit)
	if err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	dst := s.path(info.SHA256)
	if _, err := os.Lstat(dst); err == nil {
		return info, nil // already stored; the deferred Remove drops the copy
	}
	if err := f.Sync(); err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	if err := f.Chmod(fileMode); err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), dirMode); err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	// Two Puts of the same content may both get here; rename replaces
	// atomically and both files hold the same bytes, so either may win.
	if err := os.Rename(tmp, dst); err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	renamed = true
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return Info{}, fmt.Errorf("put blob: %w", err)
	}
	return info, nil
}

// syncDir makes a rename into dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Open implements Store.
func (s *FS) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	if err := checkHash(sum); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notFound(sum)
	} else if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	return f, nil
}

func notFound(sum string) error {
	return attest.Errorf(attest.ENOTFOUND, "blob %s not found", sum)
}

// Stat implements Store.
func (s *FS) Stat(ctx context.Context, sum string) (Info, error) {
	if err := checkHash(sum); err != nil {
		return Info{}, err
	}
	fi, err := os.Stat(s.path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return Info{}, notFound(sum)
	} else if err != nil {
		return Info{}, fmt.Errorf("stat blob: %w", err)
	}
	return Info{SHA256: sum, Size: fi.Size()}, nil
}

// Walk implements Store. WalkDir reads directories in lexical order, which
// with the ab/cd/abcd… layout is hash order. Files that are not blobs in
// their proper place (temp files, strays) are skipped.
func (s *FS) Walk(ctx context.Context, fn func(Info) error) error {
	err := filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p == s.tmpDir() {
				return filepath.SkipDir
			}
			return nil
		}
		sum := d.Name()
		if !d.Type().IsRegular() || checkHash(sum) != nil || p != s.path(sum) {
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted while walking
		} else if err != nil {
			return err
		}
		return fn(Info{SHA256: sum, Size: fi.Size()})
	})
	if err != nil {
		return fmt.Errorf("walk blobs: %w", err)
	}
	return nil
}

// Verify implements Store.
func (s *FS) Verify(ctx context.Context, sum string) error {
	rc, err := s.Open(ctx, sum)
	if err != nil {
		return err
	}
	defer rc.Close()
	return verify(ctx, sum, rc)
}

// Delete implements Store. Empty fan-out directories are kept: they are
// cheap and removing them would race with a concurrent Put.
func (s *FS) Delete(ctx context.Context, sum string) error {
	if err := checkHash(sum); err != nil {
		return err
	}
	if err := os.Remove(s.path(sum)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}
