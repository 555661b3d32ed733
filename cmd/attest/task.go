package main

import (
	"github.com/attest-dev/attest"
)

// TaskCmd groups the task commands.
type TaskCmd struct {
	Add    TaskAddCmd    `cmd:"" help:"Add a remediation task."`
	List   TaskListCmd   `cmd:"" help:"List tasks."`
	Show   TaskShowCmd   `cmd:"" help:"Show a task."`
	Update TaskUpdateCmd `cmd:"" help:"Change a task."`
	Close  TaskCloseCmd  `cmd:"" help:"Close a task (mark it done)."`
	Import TaskImportCmd `cmd:"" help:"Add tasks from a CSV file, all or none."`
}

// TaskAddCmd adds a task.
type TaskAddCmd struct {
	jsonFlag
	Title       string `required:"" help:"What has to be done."`
	Owner       string `help:"The member who does it: their email (or the exact name of one member)."`
	Description string `help:"What is to be done, in more words."`
	Due         string `help:"Due date, YYYY-MM-DD."`
	Control     string `help:"Control it remediates."`
	Engagement  int64  `help:"Engagement it belongs to."`
	Notes       string `help:"Notes."`
}

// Run adds the task.
func (c *TaskAddCmd) Run(a *App) error {
	due, err := attest.ParseDate(c.Due)
	if err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	owner, err := a.ownerID(orgID, c.Owner)
	if err != nil {
		return err
	}
	t := &attest.Task{Title: c.Title, Description: c.Description, OwnerID: owner, DueDate: due, ControlID: c.Control, EngagementID: c.Engagement, Notes: c.Notes}
	if err := a.db.CreateTask(a.ctx, orgID, t); err != nil {
		return err
	}
	return a.printTask(t, c.JSON)
}

func (a *App) printTask(t *attest.Task, asJSON bool) error {
	if asJSON {
		return a.printJSON(t)
	}
	fprintf(a.out, "Task %d [%s] %s (owner %s, due %s, control %s)\n", t.ID, t.Status, t.Title, ownerText(t.Owner, t.OwnerNote), dash(string(t.DueDate)), dash(t.ControlID))
	return nil
}

// TaskListCmd lists tasks.
type TaskListCmd struct {
	jsonFlag
	Status     string `help:"Only tasks with this status (open, in_progress, done)."`
	Open       bool   `help:"Only tasks that are not done."`
	Owner      string `help:"Only tasks of this member (email, or exact name of one member)."`
	Control    string `help:"Only tasks of this control."`
	Engagement int64  `help:"Only tasks of this engagement."`
}

// Run lists tasks.
func (c *TaskListCmd) Run(a *App) error {
	if c.Status != "" && !attest.TaskStatus(c.Status).Valid() {
		return attest.Errorf(attest.EINVALID, "unknown task status %q (known: open, in_progress, done)", c.Status)
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	owner, err := a.ownerFilter(orgID, c.Owner)
	if err != nil {
		return err
	}
	tasks, err := a.db.FindTasks(a.ctx, orgID, attest.TaskFilter{Status: attest.TaskStatus(c.Status), Open: c.Open, OwnerID: owner, ControlID: c.Control, EngagementID: c.Engagement})
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(tasks)
	}
	today := attest.DateOf(a.db.Now())
	tw := a.table()
	fprintf(tw, "ID\tSTATUS\tDUE\tOWNER\tCONTROL\tTITLE\n")
	for _, t := range tasks {
		due := dash(string(t.DueDate))
		if t.Overdue(today) {
			due += " (overdue)"
		}
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Status, due, dash(t.OwnerName()), dash(t.ControlID), t.Title)
	}
	return tw.Flush()
}

// TaskShowCmd shows one task.
type TaskShowCmd struct {
	jsonFlag
	ID int64 `arg:"" help:"Task ID."`
}

// Run shows the task.
func (c *TaskShowCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	t, err := a.db.FindTaskByID(a.ctx, orgID, c.ID)
	if err != nil {
		return err
	}
	return a.printTask(t, c.JSON)
}

// TaskUpdateCmd changes a task.
type TaskUpdateCmd struct {
	jsonFlag
	ID          int64   `arg:"" help:"Task ID."`
	Title       *string `help:"Title."`
	Owner       *string `help:"The member who does it: their email (or the exact name of one member); empty for nobody."`
	Description *string `help:"What is to be done, in more words."`
	Control     *string `help:"Control it remediates (empty to detach it)."`
	Due         *string `help:"Due date, YYYY-MM-DD (empty to clear)."`
	Status      *string `help:"open, in_progress or done."`
	Notes       *string `help:"Notes."`
}

// Run applies the change.
func (c *TaskUpdateCmd) Run(a *App) error {
	u := attest.TaskUpdate{Title: c.Title, Description: c.Description, ControlID: c.Control, Notes: c.Notes}
	if c.Owner != nil {
		orgID, err := a.OrgID()
		if err != nil {
			return err
		}
		id, err := a.ownerID(orgID, *c.Owner)
		if err != nil {
			return err
		}
		u.OwnerID = &id
	}
	if c.Status != nil {
		s := attest.TaskStatus(*c.Status)
		u.Status = &s
	}
	due, err := parseDateFlag("due", c.Due)
	if err != nil {
		return err
	}
	u.DueDate = due
	return a.updateTask(c.ID, u, c.JSON)
}

func (a *App) updateTask(id int64, u attest.TaskUpdate, asJSON bool) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	t, err := a.db.UpdateTask(a.ctx, orgID, id, u)
	if err != nil {
		return err
	}
	return a.printTask(t, asJSON)
}

// TaskCloseCmd closes a task.
type TaskCloseCmd struct {
	jsonFlag
	ID int64 `arg:"" help:"Task ID."`
}

// Run closes the task.
func (c *TaskCloseCmd) Run(a *App) error {
	done := attest.TaskDone
	return a.updateTask(c.ID, attest.TaskUpdate{Status: &done}, c.JSON)
}
