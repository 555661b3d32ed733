//go:build !unix

package tempfile

import (
	"os"
	"time"
)

func lock(*os.File) error { return nil }

// abandoned reports whether path has been untouched for StaleAfter: without
// advisory locks, age is the only sign that its writer is gone.
func abandoned(path string) (bool, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	return time.Since(fi.ModTime()) > StaleAfter, nil
}
