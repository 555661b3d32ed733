package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/check"
)

// CheckCmd groups the check commands.
type CheckCmd struct {
	List     CheckListCmd     `cmd:"" help:"List the built-in checks and those in --dir."`
	Validate CheckValidateCmd `cmd:"" help:"Validate a folder of check files; exit 2 naming file, line and column of each mistake."`
	Run      CheckRunCmd      `cmd:"" help:"Evaluate checks over resources from a JSON Lines file and print one row per check and resource."`
}

// checkDirFlag adds a folder of the user's own checks to the built-in ones.
type checkDirFlag struct {
	Dir string `help:"Folder of your own check files (*.yaml), added to the built-in checks." type:"existingdir" placeholder:"DIR"`
}

// checks returns the built-in checks followed by those in --dir. Any bad
// user file makes the whole command fail: running a subset silently would
// hide a check someone relies on.
func (f checkDirFlag) checks() ([]*check.Check, error) {
	builtin, err := check.Builtin()
	if err != nil {
		return nil, err
	}
	if f.Dir == "" {
		return builtin, nil
	}
	mine, err := loadCheckDir(f.Dir)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, c := range builtin {
		ids[c.ID] = true
	}
	for _, c := range mine {
		if ids[c.ID] {
			return nil, attest.Errorf(attest.EINVALID, "%s: check id %q is a built-in check; choose another id", filepath.Join(f.Dir, c.File), c.ID)
		}
	}
	return append(slices.Clip(builtin), mine...), nil
}

// loadCheckDir loads a folder of checks and checks their controls against
// the SOC 2 library; the error lists every problem, each line starting
// with the file's path, line and column.
func loadCheckDir(dir string) ([]*check.Check, error) {
	checks, err := check.Load(os.DirFS(dir))
	var errs []error
	if err != nil {
		errs = append(errs, err)
	}
	fw, ferr := catalog.SOC2()
	if ferr != nil {
		return nil, ferr
	}
	if err := check.ValidateControls(checks, fw); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return checks, nil
	}
	var lines []string
	for _, e := range errorLeaves(errors.Join(errs...)) {
		lines = append(lines, filepath.Join(dir, attest.ErrorMessage(e)))
	}
	return checks, attest.Errorf(attest.EINVALID, "%s", strings.Join(lines, "\n"))
}

// checkRow is a check as 'attest check list --json' prints it.
type checkRow struct {
	ID            string   `json:"id"`
	Title         string   `json:"title"`
	Controls      []string `json:"controls"`
	ResourceTypes []string `json:"resource_types"`
}

// CheckListCmd lists checks.
type CheckListCmd struct {
	jsonFlag
	checkDirFlag
}

// Run lists the checks.
func (c *CheckListCmd) Run(a *App) error {
	checks, err := c.checks()
	if err != nil {
		return err
	}
	if c.JSON {
		rows := make([]checkRow, 0, len(checks))
		for _, ch := range checks {
			rows = append(rows, checkRow{ch.ID, ch.Title, ch.Controls, ch.ResourceTypes})
		}
		return a.printJSON(rows)
	}
	tw := a.table()
	fprintf(tw, "ID\tSEVERITY\tCONTROLS\tRESOURCES\tTITLE\n")
	for _, ch := range checks {
		fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ch.ID, ch.Severity, strings.Join(ch.Controls, ","), strings.Join(ch.ResourceTypes, ","), ch.Title)
	}
	return tw.Flush()
}

// CheckValidateCmd validates a folder of checks.
type CheckValidateCmd struct {
	Dir string `arg:"" help:"Folder of check files (*.yaml)." type:"existingdir"`
}

// Run validates the folder.
func (c *CheckValidateCmd) Run(a *App) error {
	checks, err := loadCheckDir(c.Dir)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(a.out, "%d checks valid in %s\n", len(checks), c.Dir)
	return err
}

// errorLeaves flattens joined errors into the errors they join.
func errorLeaves(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, errorLeaves(e)...)
		}
		return out
	}
	return []error{err}
}
