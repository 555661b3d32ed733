package main

import (
	"encoding/csv"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// The registers' commands: attest person|training|access-review|change|
// control-test list, import and export. list prints a table or --json;
// import reads a CSV checked row by row (line and column named) and stores
// all rows or none; export writes every row as formula-safe CSV.

// RecordsCmds are the registers' command groups, embedded in the CLI's
// command table.
type RecordsCmds struct {
	Person       PersonCmd       `cmd:"" help:"The roster of people: list, import, export."`
	Training     TrainingCmd     `cmd:"" help:"Training campaigns and who is overdue."`
	AccessReview AccessReviewCmd `cmd:"" name:"access-review" help:"Access reviews of systems' accounts."`
	Change       ChangeCmd       `cmd:"" help:"Change records."`
	ControlTest  ControlTestCmd  `cmd:"" name:"control-test" help:"Internal tests of controls (the internal audit plan)."`
}

// PersonCmd groups the roster commands.
type PersonCmd struct {
	List   PersonListCmd   `cmd:"" help:"List the roster."`
	Import PersonImportCmd `cmd:"" help:"Add or update people from a CSV file (name, email, department, employment_type, start_date, end_date), all or none."`
	Export PersonExportCmd `cmd:"" help:"Write the roster as CSV."`
	Sync   PersonSyncCmd   `cmd:"" help:"Put every member on the roster."`
}

// listFlags are the filters every register's list takes.
type listFlags struct {
	jsonFlag
	Q     string `help:"Only rows holding this text."`
	Sort  string `help:"Column to sort by."`
	Desc  bool   `help:"Sort from the largest value down."`
	Limit int    `help:"At most this many rows (default 50, at most 500)."`
}

func (l listFlags) page() attest.Page {
	return attest.Page{Sort: l.Sort, Desc: l.Desc, Limit: l.Limit}
}

// csvFlags name the CSV to write (- or empty: standard output).
type csvFlags struct {
	CSV bool   `name:"csv" help:"Write CSV (the only format)." default:"true"`
	Out string `help:"File to write (standard output when empty)."`
}

// exportCSV writes header and every row fetch returns, page after page.
func (a *App) exportCSV(out string, header []string, fetch func(p attest.Page) ([][]string, int, error)) error {
	var w io.Writer = a.out
	if out != "" && out != "-" {
		f, err := os.Create(out)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "cannot write %s: %v", out, err)
		}
		defer f.Close()
		w = f
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	// Each page is written and flushed before the next is read: memory
	// holds one page however many rows the export has.
	return exportPages(attest.Page{}, func(p attest.Page) (int, int, error) {
		rows, total, err := fetch(p)
		if err != nil {
			return 0, 0, err
		}
		for _, row := range rows {
			for i := range row {
				row[i] = attest.CSVSafe(row[i])
			}
			if err := cw.Write(row); err != nil {
				return 0, 0, err
			}
		}
		cw.Flush()
		return len(rows), total, cw.Error()
	})
}

// openCSV opens an import's file (- is standard input).
func openCSV(name string) (io.ReadCloser, error) {
	if name == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, attest.Errorf(attest.EINVALID, "cannot read %s: %v", name, err)
	}
	return f, nil
}

// PersonListCmd lists the roster.
type PersonListCmd struct {
	listFlags
	Status string `help:"active or left."`
}

// Run lists people.
func (c *PersonListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	people, total, err := a.db.FindRosterPage(a.ctx, orgID, attest.RosterFilter{Search: c.Q, Status: c.Status}, c.page())
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(people)
	}
	tw := a.table()
	fprintf(tw, "ID\tNAME\tEMAIL\tDEPARTMENT\tTYPE\tSTART\tEND\n")
	for _, p := range people {
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.Email, dash(p.Department), p.EmploymentType, dash(string(p.StartDate)), dash(string(p.EndDate)))
	}
	fprintf(tw, "%d of %d people\n", len(people), total)
	return tw.Flush()
}

// PersonImportCmd imports the roster.
type PersonImportCmd struct {
	jsonFlag
	CSV string `name:"csv" required:"" help:"CSV file (- reads standard input)." placeholder:"FILE"`
}

// Run imports people, all or none.
func (c *PersonImportCmd) Run(a *App) error {
	f, err := openCSV(c.CSV)
	if err != nil {
		return err
	}
	defer f.Close()
	people, err := attest.ReadRosterCSV(f)
	if err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	added, updated, err := a.db.ImportRoster(a.ctx, orgID, people)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(map[string]int{"added": added, "updated": updated})
	}
	fprintf(a.out, "Imported the roster: %d added, %d updated.\n", added, updated)
	return nil
}

// PersonExportCmd exports the roster.
type PersonExportCmd struct{ csvFlags }

// Run writes the roster as CSV.
func (c *PersonExportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	return a.exportCSV(c.Out, []string{"id", "name", "email", "department", "employment_type", "start_date", "end_date", "manager", "source"}, func(p attest.Page) ([][]string, int, error) {
		people, total, err := a.db.FindRosterPage(a.ctx, orgID, attest.RosterFilter{}, p)
		rows := make([][]string, len(people))
		for i, x := range people {
			rows[i] = []string{strconv.FormatInt(x.ID, 10), x.Name, x.Email, x.Department, string(x.EmploymentType), string(x.StartDate), string(x.EndDate), x.Manager, x.Source}
		}
		return rows, total, err
	})
}

// PersonSyncCmd puts every member on the roster.
type PersonSyncCmd struct{}

// Run adds the members who are not on the roster.
func (c *PersonSyncCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	n, err := a.db.SyncRosterFromUsers(a.ctx, orgID)
	if err != nil {
		return err
	}
	fprintf(a.out, "%d members added to the roster.\n", n)
	return nil
}

// AccessReviewCmd groups the access review commands.
type AccessReviewCmd struct {
	List   AccessReviewListCmd   `cmd:"" help:"List access reviews."`
	Import AccessReviewImportCmd `cmd:"" help:"Start a review of a system from a CSV of its accounts (account, name, email, privileges)."`
	Export AccessReviewExportCmd `cmd:"" help:"Write the reviews as CSV."`
	// Start and Schedule: cmd/attest/access_review_schedule.go.
	Start    AccessReviewStartCmd    `cmd:"" help:"Start a review of a system from an integration's latest accounts."`
	Schedule AccessReviewScheduleCmd `cmd:"" help:"Start a system's reviews from an integration every period (a quarter by default); list or stop schedules."`
}

// AccessReviewListCmd lists reviews.
type AccessReviewListCmd struct {
	listFlags
	Status string `help:"open or signed_off."`
}

// Run lists reviews.
func (c *AccessReviewListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	rs, total, err := a.db.FindAccessReviewPage(a.ctx, orgID, attest.AccessReviewFilter{Search: c.Q, Status: c.Status}, c.page())
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(rs)
	}
	tw := a.table()
	fprintf(tw, "ID\tSYSTEM\tPERIOD\tDUE\tSTATUS\tACCOUNTS\tUNDECIDED\tOPEN REVOCATIONS\n")
	for _, r := range rs {
		fprintf(tw, "%d\t%s\t%s..%s\t%s\t%s\t%d\t%d\t%d\n", r.ID, r.System, r.PeriodStart, r.PeriodEnd, r.DueDate, r.Status, r.Accounts, r.Undecided, r.Unresolved)
	}
	fprintf(tw, "%d of %d reviews\n", len(rs), total)
	return tw.Flush()
}

// AccessReviewImportCmd starts a review from a CSV of accounts.
type AccessReviewImportCmd struct {
	jsonFlag
	CSV     string `name:"csv" required:"" help:"CSV of the accounts (- reads standard input)." placeholder:"FILE"`
	System  string `required:"" help:"The system reviewed."`
	From    string `help:"Period start (default: the last quarter)."`
	To      string `help:"Period end."`
	Due     string `help:"Due date (default: 30 days after the period)."`
	Control string `help:"Control the signed-off review evidences."`
}

// Run starts the review.
func (c *AccessReviewImportCmd) Run(a *App) error {
	f, err := openCSV(c.CSV)
	if err != nil {
		return err
	}
	defer f.Close()
	accounts, err := attest.ReadAccountsCSV(f)
	if err != nil {
		return err
	}
	r := &attest.AccessReview{System: c.System, PeriodStart: attest.Date(c.From), PeriodEnd: attest.Date(c.To), DueDate: attest.Date(c.Due), ControlID: c.Control, Source: "csv"}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if err := a.db.CreateAccessReview(a.ctx, orgID, r, accounts); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(r)
	}
	fprintf(a.out, "Access review %d of %s opened with %d accounts, due %s.\n", r.ID, r.System, len(accounts), r.DueDate)
	return nil
}

// AccessReviewExportCmd exports the reviews.
type AccessReviewExportCmd struct{ csvFlags }

// Run writes the reviews as CSV.
func (c *AccessReviewExportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	return a.exportCSV(c.Out, []string{"id", "system", "period_start", "period_end", "due_date", "status", "accounts", "undecided", "unresolved", "control_id"}, func(p attest.Page) ([][]string, int, error) {
		rs, total, err := a.db.FindAccessReviewPage(a.ctx, orgID, attest.AccessReviewFilter{}, p)
		rows := make([][]string, len(rs))
		for i, r := range rs {
			rows[i] = []string{strconv.FormatInt(r.ID, 10), r.System, string(r.PeriodStart), string(r.PeriodEnd), string(r.DueDate), r.Status,
				strconv.Itoa(r.Accounts), strconv.Itoa(r.Undecided), strconv.Itoa(r.Unresolved), r.ControlID}
		}
		return rows, total, err
	})
}

func personName(p *attest.Person, note string) string {
	if p != nil {
		return p.Display()
	}
	return strings.TrimSpace(note)
}
