package main

import (
	"strconv"

	"github.com/attest-dev/attest"
)

// ChangeCmd groups the change record commands.
type ChangeCmd struct {
	List   ChangeListCmd   `cmd:"" help:"List changes."`
	Import ChangeImportCmd `cmd:"" help:"Add changes from a CSV file, all or none."`
	Export ChangeExportCmd `cmd:"" help:"Write the changes as CSV."`
	// PullRequests: cmd/attest/change_import.go.
	PullRequests ChangePullRequestsCmd `cmd:"" name:"pull-requests" help:"Record the merged pull requests the code-hosting integration collected as changes."`
}

// ChangeListCmd lists changes.
type ChangeListCmd struct {
	listFlags
	Unapproved bool   `help:"Only changes without an independent approval."`
	From       string `help:"Implemented on or after (YYYY-MM-DD)."`
	To         string `help:"Implemented on or before (YYYY-MM-DD)."`
}

// Run lists changes.
func (c *ChangeListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	from, err := attest.ParseDate(c.From)
	if err != nil {
		return err
	}
	to, err := attest.ParseDate(c.To)
	if err != nil {
		return err
	}
	cs, total, err := a.db.FindChangePage(a.ctx, orgID, attest.ChangeFilter{Search: c.Q, Unapproved: c.Unapproved, From: from, To: to}, c.page())
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(cs)
	}
	tw := a.table()
	fprintf(tw, "ID\tIMPLEMENTED\tTITLE\tREQUESTER\tAPPROVER\tEMERGENCY\tFLAG\n")
	for _, x := range cs {
		flag := ""
		if x.Unapproved {
			flag = "no independent approval"
		}
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%v\t%s\n", x.ID, x.ImplementedOn, x.Title, dash(personName(x.Requester, x.RequesterNote)), dash(personName(x.Approver, x.ApproverNote)), x.Emergency, flag)
	}
	fprintf(tw, "%d of %d changes\n", len(cs), total)
	return tw.Flush()
}

// ChangeImportCmd imports changes.
type ChangeImportCmd struct {
	jsonFlag
	CSV string `name:"csv" required:"" help:"CSV file with title and implemented_on (required), description, system, requester, approver, approved_on, tests, emergency, rollback_plan, control_id, url, external_id (- reads standard input)." placeholder:"FILE"`
}

// Run imports changes, all or none.
func (c *ChangeImportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	users, err := a.db.FindUsers(a.ctx, orgID)
	if err != nil {
		return err
	}
	f, err := openCSV(c.CSV)
	if err != nil {
		return err
	}
	defer f.Close()
	changes, err := attest.ReadChangesCSV(f, users)
	if err != nil {
		return err
	}
	n, err := a.db.ImportChanges(a.ctx, orgID, changes)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(map[string]int{"added": n})
	}
	fprintf(a.out, "Imported %d changes.\n", n)
	return nil
}

// ChangeExportCmd exports changes.
type ChangeExportCmd struct{ csvFlags }

// Run writes the changes as CSV.
func (c *ChangeExportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	return a.exportCSV(c.Out, []string{"id", "title", "system", "requester", "approver", "approved_on", "implemented_on", "emergency", "independently_approved", "tests", "rollback_plan", "source", "external_id"},
		func(p attest.Page) ([][]string, int, error) {
			cs, total, err := a.db.FindChangePage(a.ctx, orgID, attest.ChangeFilter{}, p)
			rows := make([][]string, len(cs))
			for i, x := range cs {
				rows[i] = []string{strconv.FormatInt(x.ID, 10), x.Title, x.System, personName(x.Requester, x.RequesterNote), personName(x.Approver, x.ApproverNote), string(x.ApprovedOn),
					string(x.ImplementedOn), strconv.FormatBool(x.Emergency), strconv.FormatBool(!x.Unapproved), x.Tests, x.RollbackPlan, x.Source, x.ExternalID}
			}
			return rows, total, err
		})
}

// ControlTestCmd groups the internal control test commands.
type ControlTestCmd struct {
	List   ControlTestListCmd   `cmd:"" help:"List the internal audit plan and results."`
	Import ControlTestImportCmd `cmd:"" help:"Add planned or performed tests from a CSV file, all or none."`
	Export ControlTestExportCmd `cmd:"" help:"Write the tests as CSV."`
}

// ControlTestListCmd lists tests.
type ControlTestListCmd struct {
	listFlags
	Period string `help:"Only tests of this period (for example 2026-Q4)."`
	Result string `help:"planned, effective, deficiency or exception."`
}

// Run lists tests.
func (c *ControlTestListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	ts, total, err := a.db.FindControlTestPage(a.ctx, orgID, attest.ControlTestFilter{Search: c.Q, Period: c.Period, Result: c.Result}, c.page())
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(ts)
	}
	tw := a.table()
	fprintf(tw, "ID\tCONTROL\tPERIOD\tDUE\tPROCEDURE\tRESULT\tTESTED\tFOLLOW-UP\n")
	for _, t := range ts {
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.ControlID, t.Period, dash(string(t.DueDate)), dash(t.Procedure), dash(t.Result), dash(string(t.TestedOn)), dash(idOrEmpty(t.FollowUpTaskID)))
	}
	fprintf(tw, "%d of %d tests\n", len(ts), total)
	return tw.Flush()
}

func idOrEmpty(id int64) string {
	if id == 0 {
		return ""
	}
	return "task " + strconv.FormatInt(id, 10)
}

// ControlTestImportCmd imports tests.
type ControlTestImportCmd struct {
	jsonFlag
	CSV string `name:"csv" required:"" help:"CSV file with control_id and period (required), due_date, tester, procedure, sample, result, tested_on, notes (- reads standard input)." placeholder:"FILE"`
}

// Run imports tests, all or none.
func (c *ControlTestImportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	users, err := a.db.FindUsers(a.ctx, orgID)
	if err != nil {
		return err
	}
	f, err := openCSV(c.CSV)
	if err != nil {
		return err
	}
	defer f.Close()
	tests, err := attest.ReadControlTestsCSV(f, users)
	if err != nil {
		return err
	}
	if err := a.db.ImportControlTests(a.ctx, orgID, tests); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(tests)
	}
	fprintf(a.out, "Imported %d tests.\n", len(tests))
	return nil
}

// ControlTestExportCmd exports tests.
type ControlTestExportCmd struct{ csvFlags }

// Run writes the tests as CSV.
func (c *ControlTestExportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	return a.exportCSV(c.Out, []string{"id", "control_id", "period", "due_date", "tester", "procedure", "sample", "result", "tested_on", "notes", "follow_up_task_id"},
		func(p attest.Page) ([][]string, int, error) {
			ts, total, err := a.db.FindControlTestPage(a.ctx, orgID, attest.ControlTestFilter{}, p)
			rows := make([][]string, len(ts))
			for i, t := range ts {
				rows[i] = []string{strconv.FormatInt(t.ID, 10), t.ControlID, t.Period, string(t.DueDate), personName(t.Tester, ""), t.Procedure, t.Sample, t.Result, string(t.TestedOn), t.Notes, idOrEmpty(t.FollowUpTaskID)}
			}
			return rows, total, err
		})
}

// TrainingCmd groups the training commands.
type TrainingCmd struct {
	List    TrainingListCmd    `cmd:"" help:"List training campaigns."`
	Import  TrainingImportCmd  `cmd:"" help:"Add campaigns from a CSV file (title, kind, material, due_date, control_id), all or none."`
	Export  TrainingExportCmd  `cmd:"" help:"Write the campaigns as CSV."`
	Overdue TrainingOverdueCmd `cmd:"" help:"List who has not completed a training by its due date; exit 1 when anyone is late."`
}

// TrainingListCmd lists campaigns.
type TrainingListCmd struct{ listFlags }

// Run lists campaigns.
func (c *TrainingListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	cs, total, err := a.db.FindTrainingPage(a.ctx, orgID, attest.TrainingFilter{Search: c.Q}, c.page())
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(cs)
	}
	tw := a.table()
	fprintf(tw, "ID\tTITLE\tKIND\tDUE\tCOMPLETED\n")
	for _, x := range cs {
		fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d\n", x.ID, x.Title, x.Kind, x.DueDate, x.Completed, x.Assigned)
	}
	fprintf(tw, "%d of %d campaigns\n", len(cs), total)
	return tw.Flush()
}

// TrainingImportCmd imports campaigns.
type TrainingImportCmd struct {
	jsonFlag
	CSV    string `name:"csv" required:"" help:"CSV file (- reads standard input)." placeholder:"FILE"`
	Assign bool   `help:"Assign every active person of the roster to each campaign."`
}

// Run imports campaigns; they are created one by one, and a failure
// names the campaign (those before it are kept).
func (c *TrainingImportCmd) Run(a *App) error {
	f, err := openCSV(c.CSV)
	if err != nil {
		return err
	}
	defer f.Close()
	cs, err := attest.ReadTrainingCSV(f)
	if err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	for _, x := range cs {
		if err := a.db.CreateTrainingCampaign(a.ctx, orgID, x); err != nil {
			return err
		}
		if c.Assign {
			if _, err := a.db.AssignTraining(a.ctx, orgID, x.ID, nil); err != nil {
				return err
			}
		}
	}
	if c.JSON {
		return a.printJSON(cs)
	}
	fprintf(a.out, "Imported %d campaigns.\n", len(cs))
	return nil
}

// TrainingExportCmd exports campaigns.
type TrainingExportCmd struct{ csvFlags }

// Run writes the campaigns as CSV.
func (c *TrainingExportCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	return a.exportCSV(c.Out, []string{"id", "title", "kind", "material", "due_date", "assigned", "completed", "control_id"}, func(p attest.Page) ([][]string, int, error) {
		cs, total, err := a.db.FindTrainingPage(a.ctx, orgID, attest.TrainingFilter{}, p)
		rows := make([][]string, len(cs))
		for i, x := range cs {
			rows[i] = []string{strconv.FormatInt(x.ID, 10), x.Title, x.Kind, x.Material, string(x.DueDate), strconv.Itoa(x.Assigned), strconv.Itoa(x.Completed), x.ControlID}
		}
		return rows, total, err
	})
}

// TrainingOverdueCmd lists overdue training.
type TrainingOverdueCmd struct{ jsonFlag }

// Run lists the overdue assignments and fails when there are any.
func (c *TrainingOverdueCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	over, err := a.db.OverdueTraining(a.ctx, orgID, attest.DateOf(a.db.Now()))
	if err != nil {
		return err
	}
	if c.JSON {
		if err := a.printJSON(over); err != nil {
			return err
		}
	} else {
		tw := a.table()
		fprintf(tw, "PERSON\tEMAIL\tCAMPAIGN\tDUE\n")
		for _, x := range over {
			fprintf(tw, "%s\t%s\t%s\t%s\n", x.Person, x.Email, x.Campaign, x.DueDate)
		}
		tw.Flush()
	}
	if len(over) > 0 {
		return &thresholdError{msg: strconv.Itoa(len(over)) + " training assignments are overdue"}
	}
	return nil
}
