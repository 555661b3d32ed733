// Package tempfile creates temporary files that say whether their writer is
// still alive, and sweeps the ones whose writer died.
//
// A file made by Create holds an exclusive advisory lock (flock) for as long
// as it is open. A process killed mid-write loses its lock with its file
// descriptors, so Sweep can tell a leftover from a file another process is
// still writing, whatever their ages: it removes a file only once it can take
// the lock itself. Where advisory locks are not available, Sweep falls back
// to age and removes only files untouched for an hour.
package tempfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// StaleAfter is how long a file must have been untouched before Sweep
// removes it on systems without advisory locks.
const StaleAfter = time.Hour

// Create creates a new file in dir as os.CreateTemp does, and locks it until
// it is closed.
func Create(dir, pattern string) (*os.File, error) {
	for {
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		if err := lock(f); err != nil {
			name := f.Name()
			f.Close()
			os.Remove(name)
			return nil, fmt.Errorf("lock %s: %w", name, err)
		}
		// A sweep may have removed the file between its creation and the
		// lock: then it is no longer at its name, and we start again.
		if held(f) {
			return f, nil
		}
		f.Close()
	}
}

// held reports whether f is still the file at its name.
func held(f *os.File) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(f.Name())
	return err == nil && os.SameFile(a, b)
}

// Sweep removes the regular files of dir whose names start with prefix and
// that no live process holds open through Create. It returns how many it
// removed; a missing dir is not an error.
func Sweep(dir, prefix string) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sweep %s: %w", dir, err)
	}
	removed := 0
	var errs []error
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		ok, err := abandoned(path)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, err)
			}
			continue
		}
		if !ok {
			continue
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}
