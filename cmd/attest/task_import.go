package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/attest-dev/attest"
)

// TaskImportCmd adds tasks from a CSV file, all or none.
type TaskImportCmd struct {
	jsonFlag
	File       string `arg:"" help:"CSV file with a header row: title (required), owner (a member's email or exact name), due_date, control_id, status, notes. - reads standard input."`
	Engagement int64  `help:"Engagement the tasks belong to."`
}

// taskColumns are the CSV columns an import understands.
var taskColumns = map[string]bool{"title": true, "owner": true, "due_date": true, "control_id": true, "status": true, "notes": true}

// Run imports the tasks.
func (c *TaskImportCmd) Run(a *App) error {
	var in io.Reader = os.Stdin
	if c.File != "-" {
		f, err := os.Open(c.File)
		if err != nil {
			return attest.Errorf(attest.EINVALID, "cannot read %s: %v", c.File, err)
		}
		defer f.Close()
		in = f
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	// Members are read once and every owner resolved against them, as
	// attest.ResolvePerson does for a single owner.
	users, err := a.db.FindUsers(a.ctx, orgID)
	if err != nil {
		return err
	}
	tasks, err := readTaskCSV(in, c.Engagement, func(ref string) (int64, error) {
		u, err := attest.ResolvePerson(users, attest.PersonRef(ref))
		if err != nil || u == nil {
			return 0, err
		}
		return u.ID, nil
	})
	if err != nil {
		return err
	}
	if err := a.db.ImportTasks(a.ctx, orgID, tasks); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(tasks)
	}
	fprintf(a.out, "Imported %d tasks.\n", len(tasks))
	return nil
}

// readTaskCSV parses the file, resolving each owner with owner; every
// error names the line.
func readTaskCSV(in io.Reader, engagementID int64, owner func(ref string) (int64, error)) ([]*attest.Task, error) {
	r := csv.NewReader(in)
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, attest.Errorf(attest.EINVALID, "the CSV file is empty")
	}
	if err != nil {
		return nil, attest.Errorf(attest.EINVALID, "CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		if err := attest.ValidText(fmt.Sprintf("CSV line 1, column %d", i+1), h); err != nil {
			return nil, err
		}
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !taskColumns[h] {
			return nil, attest.Errorf(attest.EINVALID, "CSV line 1: unknown column %q (known: title, owner, due_date, control_id, status, notes)", h)
		}
		col[h] = i
	}
	if _, ok := col["title"]; !ok {
		return nil, attest.Errorf(attest.EINVALID, "CSV line 1: a title column is required")
	}
	var tasks []*attest.Task
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, attest.Errorf(attest.EINVALID, "CSV: %v", err)
		}
		line, _ := r.FieldPos(0)
		for i, v := range rec {
			name := fmt.Sprintf("column %d", i+1)
			if i < len(header) {
				name = "column " + strings.TrimSpace(header[i])
			}
			if err := attest.ValidText(fmt.Sprintf("CSV line %d, %s", line, name), v); err != nil {
				return nil, err
			}
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		due, err := attest.ParseDate(get("due_date"))
		if err != nil {
			return nil, attest.Errorf(attest.EINVALID, "CSV line %d: %s", line, attest.ErrorMessage(err))
		}
		ownerID, err := owner(get("owner"))
		if err != nil {
			return nil, attest.Errorf(attest.EINVALID, "CSV line %d: owner: %s", line, attest.ErrorMessage(err))
		}
		t := &attest.Task{Title: get("title"), OwnerID: ownerID, DueDate: due, ControlID: get("control_id"),
			Status: attest.TaskStatus(get("status")), Notes: get("notes"), EngagementID: engagementID}
		if err := t.Validate(); err != nil {
			return nil, attest.Errorf(attest.EINVALID, "CSV line %d: %s", line, attest.ErrorMessage(err))
		}
		tasks = append(tasks, t)
	}
	if len(tasks) == 0 {
		return nil, attest.Errorf(attest.EINVALID, "the CSV file has no tasks")
	}
	return tasks, nil
}
