package attest

import "io"

// CSV imports of the registers. Each reads the whole file first, checking
// every row and naming the line and column of the first bad one; the
// store then writes all rows in one transaction or none.

// RosterCSVColumns are the columns of a roster CSV.
var RosterCSVColumns = []string{"name", "email", "department", "employment_type", "start_date", "end_date"}

// ReadRosterCSV reads people: name and email required.
func ReadRosterCSV(in io.Reader) ([]*RosterPerson, error) {
	var out []*RosterPerson
	err := ReadCSV(in, RosterCSVColumns, []string{"name", "email"}, func(row CSVRow) error {
		p := &RosterPerson{Name: row.Get("name"), Email: row.Get("email"), Department: row.Get("department"),
			EmploymentType: EmploymentType(row.Get("employment_type")), Source: SourceCSV}
		var err error
		if p.StartDate, err = row.Date("start_date"); err != nil {
			return err
		}
		if p.EndDate, err = row.Date("end_date"); err != nil {
			return err
		}
		if err := p.Validate(); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AccountCSVColumns are the columns of an access review's accounts CSV.
var AccountCSVColumns = []string{"account", "name", "email", "privileges"}

// ReadAccountsCSV reads the accounts of a system: account required.
func ReadAccountsCSV(in io.Reader) ([]*AccessAccount, error) {
	var out []*AccessAccount
	seen := map[string]int{}
	err := ReadCSV(in, AccountCSVColumns, []string{"account"}, func(row CSVRow) error {
		a := &AccessAccount{Account: row.Get("account"), DisplayName: row.Get("name"), Email: row.Get("email"), Privileges: row.Get("privileges")}
		if err := a.Validate(); err != nil {
			return err
		}
		if line, dup := seen[a.Account]; dup {
			return row.Errorf("account", "%q is listed on line %d already", a.Account, line)
		}
		seen[a.Account] = row.Line
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ChangeCSVColumns are the columns of a change CSV.
var ChangeCSVColumns = []string{"title", "description", "system", "requester", "approver", "approved_on", "tests", "implemented_on", "emergency", "rollback_plan", "control_id", "url", "external_id"}

// ReadChangesCSV reads changes; requester and approver name members of
// users (an ID, an email or an exact name).
func ReadChangesCSV(in io.Reader, users []*User) ([]*ChangeRecord, error) {
	var out []*ChangeRecord
	err := ReadCSV(in, ChangeCSVColumns, []string{"title", "implemented_on"}, func(row CSVRow) error {
		c := &ChangeRecord{Title: row.Get("title"), Description: row.Get("description"), System: row.Get("system"), Tests: row.Get("tests"),
			RollbackPlan: row.Get("rollback_plan"), ControlID: row.Get("control_id"), URL: row.Get("url"), ExternalID: row.Get("external_id"), Source: SourceCSV}
		var err error
		if c.RequesterID, err = csvMember(row, users, "requester"); err != nil {
			return err
		}
		if c.ApproverID, err = csvMember(row, users, "approver"); err != nil {
			return err
		}
		if c.ImplementedOn, err = row.Date("implemented_on"); err != nil {
			return err
		}
		if c.ApprovedOn, err = row.Date("approved_on"); err != nil {
			return err
		}
		if c.Emergency, err = row.Bool("emergency"); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ControlTestCSVColumns are the columns of an internal audit plan CSV.
var ControlTestCSVColumns = []string{"control_id", "period", "due_date", "tester", "procedure", "sample", "result", "tested_on", "notes"}

// ReadControlTestsCSV reads planned or performed control tests.
func ReadControlTestsCSV(in io.Reader, users []*User) ([]*ControlTest, error) {
	var out []*ControlTest
	err := ReadCSV(in, ControlTestCSVColumns, []string{"control_id", "period"}, func(row CSVRow) error {
		t := &ControlTest{ControlID: row.Get("control_id"), Period: row.Get("period"), Procedure: row.Get("procedure"), Sample: row.Get("sample"),
			Result: row.Get("result"), Notes: row.Get("notes")}
		var err error
		if t.TesterID, err = csvMember(row, users, "tester"); err != nil {
			return err
		}
		if t.DueDate, err = row.Date("due_date"); err != nil {
			return err
		}
		if t.TestedOn, err = row.Date("tested_on"); err != nil {
			return err
		}
		if err := t.Validate(); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TrainingCSVColumns are the columns of a training campaigns CSV.
var TrainingCSVColumns = []string{"title", "kind", "material", "due_date", "control_id"}

// ReadTrainingCSV reads training campaigns.
func ReadTrainingCSV(in io.Reader) ([]*TrainingCampaign, error) {
	var out []*TrainingCampaign
	err := ReadCSV(in, TrainingCSVColumns, []string{"title", "due_date"}, func(row CSVRow) error {
		c := &TrainingCampaign{Title: row.Get("title"), Kind: row.Get("kind"), Material: row.Get("material"), ControlID: row.Get("control_id")}
		var err error
		if c.DueDate, err = row.Date("due_date"); err != nil {
			return err
		}
		if err := c.Validate(); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// csvMember resolves the member a cell names ("" is nobody).
func csvMember(row CSVRow, users []*User, column string) (int64, error) {
	u, err := ResolvePerson(users, PersonRef(row.Get(column)))
	if err != nil {
		return 0, row.Errorf(column, "%s", ErrorMessage(err))
	}
	if u == nil {
		return 0, nil
	}
	return u.ID, nil
}
