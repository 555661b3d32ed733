package main

import (
	"fmt"
	"io"
	"os"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// The register commands (risk, vendor, asset, incident) share their list,
// import and export: the list's filters and page go to the database, the
// CSV goes through regcsv.

// registerListFlags are the filters and page every register list takes.
type registerListFlags struct {
	jsonFlag
	Q        string `name:"q" help:"Only records whose text holds this."`
	Status   string `help:"Only records with this status."`
	Category string `help:"Only this category (risk), tier (vendor), type (asset) or severity (incident)."`
	Owner    string `help:"Only records of this member (email, or exact name of one member)."`
	Gap      bool   `help:"Only the records that count as readiness gaps."`
	Sort     string `help:"Sort column."`
	Desc     bool   `help:"Sort from the largest value down."`
	Limit    int    `help:"Most records to print (default 500, the largest page)."`
	Offset   int    `help:"Records to skip."`
}

// filter resolves the flags to a filter and page.
func (f *registerListFlags) filter(a *App, orgID int64) (attest.RegisterFilter, attest.Page, error) {
	owner, err := a.ownerFilter(orgID, f.Owner)
	if err != nil {
		return attest.RegisterFilter{}, attest.Page{}, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = attest.MaxPageSize
	}
	return attest.RegisterFilter{Search: f.Q, Status: f.Status, Category: f.Category, OwnerID: owner, Gap: f.Gap},
		attest.Page{Sort: f.Sort, Desc: f.Desc, Limit: limit, Offset: f.Offset}, nil
}

// register is what the shared commands need of one register.
type register[T any] struct {
	find   func(a *App, orgID int64, f attest.RegisterFilter, p attest.Page) ([]T, int, error)
	codec  func(a *App, orgID int64) (regcsv.Codec[T], error)
	store  func(a *App, orgID int64, records []T) error
	noun   string
	header string
	line   func(T) string
}

// list prints one page of the register.
func (g register[T]) list(a *App, fl *registerListFlags, f attest.RegisterFilter) error {
	if _, err := a.DB(); err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	base, p, err := fl.filter(a, orgID)
	if err != nil {
		return err
	}
	f.Search, f.Status, f.Category, f.OwnerID, f.Gap = base.Search, base.Status, base.Category, base.OwnerID, base.Gap
	items, total, err := g.find(a, orgID, f, p)
	if err != nil {
		return err
	}
	if fl.JSON {
		return a.printJSON(items)
	}
	w := a.table()
	fmt.Fprintln(w, g.header)
	for _, it := range items {
		fmt.Fprintln(w, g.line(it))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fprintf(a.out, "%d of %d %s.\n", len(items), total, g.noun)
	return nil
}

// importCSV stores every record of a CSV file, all or none.
func (g register[T]) importCSV(a *App, file string, asJSON bool) error {
	var in io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "cannot read %s: %v", file, err)
		}
		defer f.Close()
		in = f
	}
	if _, err := a.DB(); err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	users, err := a.db.FindUsers(a.ctx, orgID)
	if err != nil {
		return err
	}
	codec, err := g.codec(a, orgID)
	if err != nil {
		return err
	}
	records, err := regcsv.Import(in, codec, func(ref string) (int64, error) {
		u, err := attest.ResolvePerson(users, attest.PersonRef(ref))
		if err != nil || u == nil {
			return 0, err
		}
		return u.ID, nil
	}, func(rs []T) error { return g.store(a, orgID, rs) })
	if err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(records)
	}
	fprintf(a.out, "Imported %d %s.\n", len(records), g.noun)
	return nil
}

// exportCSV writes every record the filters match as CSV, page by page:
// each page is written before the next is read, so memory holds one page
// however large the register.
func (g register[T]) exportCSV(a *App, fl *registerListFlags, f attest.RegisterFilter) error {
	if _, err := a.DB(); err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	base, p, err := fl.filter(a, orgID)
	if err != nil {
		return err
	}
	f.Search, f.Status, f.Category, f.OwnerID, f.Gap = base.Search, base.Status, base.Category, base.OwnerID, base.Gap
	codec, err := g.codec(a, orgID)
	if err != nil {
		return err
	}
	w, err := regcsv.NewWriter(a.out, codec)
	if err != nil {
		return err
	}
	return exportPages(p, func(p attest.Page) (int, int, error) {
		items, total, err := g.find(a, orgID, f, p)
		if err != nil {
			return 0, 0, err
		}
		return len(items), total, w.Write(items...)
	})
}

// exportPages calls page for the pages of a list in its order, largest
// pages first to last, until a page comes back short or the total is
// reached; page writes its rows before returning.
func exportPages(p attest.Page, page func(p attest.Page) (n, total int, err error)) error {
	p.Limit, p.Offset = attest.MaxPageSize, 0
	for {
		n, total, err := page(p)
		if err != nil {
			return err
		}
		p.Offset += p.Limit
		if n < p.Limit || p.Offset >= total {
			return nil
		}
	}
}
