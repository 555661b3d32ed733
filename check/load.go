package check

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"sync"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// maxFileSize bounds one check file; real ones are a few kilobytes.
const maxFileSize = 256 << 10

// Load parses every *.yaml file in fsys (subfolders included), sorted by
// path. It returns the checks that loaded and, joined, one error per file
// that did not (each naming file, line and column), so one bad file never
// hides the others. Two files with the same check id are an error on the
// second.
func Load(fsys fs.FS) ([]*Check, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && path.Ext(p) == ".yaml" {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list check files: %w", err)
	}
	sort.Strings(names)
	var (
		checks []*Check
		errs   []error
		seen   = map[string]string{}
	)
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err == nil && len(data) > maxFileSize {
			err = attest.Errorf(attest.EINVALID, "%s: larger than %d KiB", name, maxFileSize>>10)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("read check %s: %w", name, err))
			continue
		}
		c, err := Parse(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := seen[c.ID]; dup {
			errs = append(errs, attest.Errorf(attest.EINVALID, "%s:1:1: check id %q is already used by %s", name, c.ID, prev))
			continue
		}
		seen[c.ID] = name
		checks = append(checks, c)
	}
	return checks, errors.Join(errs...)
}

var (
	builtinOnce sync.Once
	builtin     []*Check
	builtinErr  error
)

// Builtin returns Attest's built-in checks, parsed once and checked
// against the SOC 2 control library: a check naming an unknown control is
// an error. The slice is shared; callers must not change its checks.
func Builtin() ([]*Check, error) {
	builtinOnce.Do(func() {
		builtin, builtinErr = Load(catalog.CheckFiles())
		if builtinErr != nil {
			builtinErr = fmt.Errorf("built-in checks: %w", builtinErr)
			return
		}
		fw, err := catalog.SOC2()
		if err != nil {
			builtinErr = fmt.Errorf("built-in checks: %w", err)
			return
		}
		builtinErr = ValidateControls(builtin, fw)
	})
	return builtin, builtinErr
}

// ValidateControls reports every check that names a control fw does not
// have.
func ValidateControls(checks []*Check, fw *attest.Framework) error {
	known := map[string]bool{}
	for _, c := range fw.Controls {
		known[c.ID] = true
	}
	var errs []error
	for _, c := range checks {
		for _, id := range c.Controls {
			if !known[id] {
				errs = append(errs, attest.Errorf(attest.EINVALID, "%s:%d:%d: control %q is not in the %s control library", c.File, c.controlsAt.line, c.controlsAt.col, id, fw.Name))
			}
		}
	}
	return errors.Join(errs...)
}
