package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/store"
)

// App is what every command runs with: the parsed flags, output streams and
// the database, opened on first use.
type App struct {
	ctx    context.Context
	cli    *CLI
	out    io.Writer
	errOut io.Writer
	db     *store.DB
}

// Close closes the database if it was opened.
func (a *App) Close() {
	if a.db != nil {
		a.db.Close()
	}
}

// storeConfig is the database the flags name.
func (a *App) storeConfig() store.Config {
	return store.Config{DataDir: a.cli.Data, DatabaseURL: a.cli.DatabaseURL}
}

// DB opens the database, applying migrations.
func (a *App) DB() (*store.DB, error) {
	if a.db != nil {
		return a.db, nil
	}
	fw, err := catalog.SOC2()
	if err != nil {
		return nil, err
	}
	templates, err := catalog.PolicyTemplates()
	if err != nil {
		return nil, err
	}
	cfg := a.storeConfig()
	cfg.PolicyTemplates = templates
	db, err := store.Open(a.ctx, cfg, fw)
	if err != nil {
		return nil, err
	}
	a.db = db
	return db, nil
}

// OrgID returns the organization the command works on: --org, or the first.
func (a *App) OrgID() (int64, error) {
	db, err := a.DB()
	if err != nil {
		return 0, err
	}
	orgs, err := db.FindOrganizations(a.ctx)
	if err != nil {
		return 0, err
	}
	if len(orgs) == 0 {
		return 0, attest.Errorf(attest.ENOTFOUND, "there is no organization yet: run 'attest serve' or 'attest init' first")
	}
	if a.cli.Org == 0 {
		return orgs[0].ID, nil
	}
	for _, o := range orgs {
		if o.ID == a.cli.Org {
			return o.ID, nil
		}
	}
	return 0, attest.Errorf(attest.ENOTFOUND, "no organization %d", a.cli.Org)
}

// printJSON writes v as indented JSON.
func (a *App) printJSON(v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table returns a tab writer for aligned text output; call Flush.
func (a *App) table() *tabwriter.Writer {
	return tabwriter.NewWriter(a.out, 2, 4, 2, ' ', 0)
}

// engagementOrCurrent returns the engagement with id, or the current one
// when id is 0.
func (a *App) engagementOrCurrent(orgID, id int64) (*attest.Engagement, error) {
	db, err := a.DB()
	if err != nil {
		return nil, err
	}
	if id == 0 {
		e, err := db.CurrentEngagement(a.ctx, orgID)
		if err != nil {
			return nil, err
		}
		id = e.ID
	}
	return db.FindEngagementByID(a.ctx, orgID, id)
}

// dash shows an empty string as a dash in tables.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// parseDateFlag validates an optional date flag.
func parseDateFlag(name string, p *string) (*attest.Date, error) {
	if p == nil {
		return nil, nil
	}
	d, err := attest.ParseDate(*p)
	if err != nil {
		return nil, attest.Errorf(attest.EINVALID, "--%s: %s", name, attest.ErrorMessage(err))
	}
	return &d, nil
}

func fprintf(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format, args...) }

// catalogFramework returns the built-in framework without opening the
// database: the catalog is content, not data.
func catalogFramework() (*attest.Framework, error) { return catalog.SOC2() }
