package main

import (
	"strings"

	"github.com/attest-dev/attest"
)

// CatalogCmd lists the criteria.
type CatalogCmd struct {
	jsonFlag
	Category string `help:"Only this category (security, availability, processing_integrity, confidentiality, privacy)."`
	Full     bool   `help:"Include guidance and points of focus."`
}

// criterionRow is a criterion as 'attest catalog --json' prints it.
type criterionRow struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	Series   string `json:"series"`
	Title    string `json:"title"`
}

// Run lists the criteria.
func (c *CatalogCmd) Run(a *App) error {
	fw, err := catalogFramework()
	if err != nil {
		return err
	}
	if c.Category != "" && fw.Category(c.Category) == nil {
		return attest.Errorf(attest.EINVALID, "unknown category %q", c.Category)
	}
	var full []attest.Criterion
	rows := []criterionRow{}
	for _, cr := range fw.Criteria {
		if c.Category != "" && cr.Category != c.Category {
			continue
		}
		full = append(full, cr)
		rows = append(rows, criterionRow{cr.ID, cr.Category, cr.Series, cr.Title})
	}
	if c.JSON && c.Full {
		return a.printJSON(full)
	}
	if c.JSON {
		return a.printJSON(rows)
	}
	tw := a.table()
	fprintf(tw, "ID\tCATEGORY\tTITLE\n")
	for _, cr := range full {
		fprintf(tw, "%s\t%s\t%s\n", cr.ID, cr.Category, cr.Title)
		if c.Full {
			fprintf(tw, "\t\t%s\n", cr.Guidance)
			for _, p := range cr.PointsOfFocus {
				fprintf(tw, "\t\t- %s\n", p)
			}
		}
	}
	return tw.Flush()
}

// ControlsCmd lists controls.
type ControlsCmd struct {
	jsonFlag
	Status    string `help:"Only controls with this status (not_started, in_progress, implemented, not_applicable)."`
	Owner     string `help:"Only controls of this member (email, or exact name of one member)."`
	Criterion string `help:"Only controls mapped to this criterion."`
	Category  string `help:"Only controls mapped to a criterion of this category."`
	Search    string `help:"Only controls whose ID or name holds this text (any case)."`
}

// Run lists controls.
func (c *ControlsCmd) Run(a *App) error {
	f := attest.ControlFilter{Status: attest.ControlStatus(c.Status), Criterion: c.Criterion, Category: c.Category, Search: c.Search}
	fw, err := catalogFramework()
	if err != nil {
		return err
	}
	switch {
	case f.Status != "" && !f.Status.Valid():
		return attest.Errorf(attest.EINVALID, "unknown status %q", c.Status)
	case f.Criterion != "" && fw.LookupCriterion(f.Criterion) == nil:
		return attest.Errorf(attest.EINVALID, "unknown criterion %q", c.Criterion)
	case f.Category != "" && fw.Category(strings.ToLower(f.Category)) == nil:
		return attest.Errorf(attest.EINVALID, "unknown category %q", c.Category)
	}
	if f.Criterion != "" { // typed in any case: cc6.1 is CC6.1
		f.Criterion = fw.LookupCriterion(f.Criterion).ID
	}
	f.Category = strings.ToLower(f.Category)
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if f.OwnerID, err = a.ownerFilter(orgID, c.Owner); err != nil {
		return err
	}
	controls, err := a.db.FindControls(a.ctx, orgID, f)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(controls)
	}
	tw := a.table()
	fprintf(tw, "ID\tSTATUS\tOWNER\tFREQUENCY\tCRITERIA\tNAME\n")
	for _, ctl := range controls {
		fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ctl.ID, ctl.Status, dash(ctl.OwnerName()), ctl.Frequency, strings.Join(ctl.Criteria, ","), ctl.Name)
	}
	return tw.Flush()
}

// ControlCmd groups the commands on one control.
type ControlCmd struct {
	Show  ControlShowCmd  `cmd:"" help:"Show a control."`
	Set   ControlSetCmd   `cmd:"" help:"Set a control's status, owner, due date, notes or justification."`
	Add   ControlAddCmd   `cmd:"" help:"Add a custom control."`
	Map   ControlMapCmd   `cmd:"" help:"Map a control to a criterion."`
	Unmap ControlUnmapCmd `cmd:"" help:"Remove a control's mapping to a criterion."`
}

// ControlShowCmd shows one control.
type ControlShowCmd struct {
	jsonFlag
	ID string `arg:"" help:"Control ID, for example ACC-05."`
}

// Run shows the control.
func (c *ControlShowCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	ctl, err := a.db.FindControlByID(a.ctx, orgID, c.ID)
	if err != nil {
		return err
	}
	return a.printControl(ctl, c.JSON)
}

func (a *App) printControl(ctl *attest.Control, asJSON bool) error {
	if asJSON {
		return a.printJSON(ctl)
	}
	tw := a.table()
	fprintf(tw, "ID\t%s\nName\t%s\nStatus\t%s\nOwner\t%s (role: %s)\nFrequency\t%s\nDue\t%s\nCriteria\t%s\nAutomatable\t%v\nCustom\t%v\n",
		ctl.ID, ctl.Name, ctl.Status, ownerText(ctl.Owner, ctl.OwnerNote), dash(ctl.OwnerRole), ctl.Frequency, dash(string(ctl.DueDate)),
		strings.Join(ctl.Criteria, ", "), ctl.Automatable, ctl.Custom)
	if ctl.Justification != "" {
		fprintf(tw, "Justification\t%s\n", ctl.Justification)
	}
	if ctl.Notes != "" {
		fprintf(tw, "Notes\t%s\n", ctl.Notes)
	}
	fprintf(tw, "Description\t%s\n", ctl.Description)
	for _, e := range ctl.Evidence {
		fprintf(tw, "Evidence\t%s (%s)\n", e.What, e.Frequency)
	}
	return tw.Flush()
}

// ControlSetCmd changes a control's state.
type ControlSetCmd struct {
	jsonFlag
	ID            string  `arg:"" help:"Control ID."`
	Status        *string `help:"not_started, in_progress, implemented or not_applicable."`
	Owner         *string `help:"The member who owns it: their email (or the exact name of one member); empty for nobody."`
	Due           *string `help:"Due date, YYYY-MM-DD (empty to clear)."`
	Notes         *string `help:"Notes."`
	Justification *string `help:"Why the control does not apply (required with not_applicable)."`
}

// Run applies the change.
func (c *ControlSetCmd) Run(a *App) error {
	u := attest.ControlUpdate{Notes: c.Notes, Justification: c.Justification}
	if c.Status != nil {
		s := attest.ControlStatus(*c.Status)
		u.Status = &s
	}
	due, err := parseDateFlag("due", c.Due)
	if err != nil {
		return err
	}
	u.DueDate = due
	if u == (attest.ControlUpdate{}) && c.Owner == nil {
		return attest.Errorf(attest.EINVALID, "nothing to change: give --status, --owner, --due, --notes or --justification")
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if c.Owner != nil {
		id, err := a.ownerID(orgID, *c.Owner)
		if err != nil {
			return err
		}
		u.OwnerID = &id
	}
	ctl, err := a.db.UpdateControl(a.ctx, orgID, c.ID, u)
	if err != nil {
		return err
	}
	return a.printControl(ctl, c.JSON)
}

// ControlAddCmd adds a custom control.
type ControlAddCmd struct {
	jsonFlag
	ID          string   `required:"" help:"New control ID, for example CUS-01."`
	Name        string   `required:"" help:"Name."`
	Description string   `help:"What the control does and how it is shown."`
	Criteria    []string `required:"" help:"Criteria it addresses, comma-separated."`
	Frequency   string   `default:"annually" help:"continuous, daily, weekly, monthly, quarterly, annually or per_event."`
	OwnerRole   string   `name:"owner-role" help:"Default owner role."`
	Owner       string   `help:"The member who owns it: their email (or the exact name of one member)."`
	Automatable bool     `help:"It can be tested automatically."`
}

// Run adds the control.
func (c *ControlAddCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	for i, id := range c.Criteria {
		c.Criteria[i] = criterionID(id)
	}
	owner, err := a.ownerID(orgID, c.Owner)
	if err != nil {
		return err
	}
	ctl := &attest.Control{ID: c.ID, Name: c.Name, Description: c.Description, Criteria: c.Criteria,
		Frequency: attest.Frequency(c.Frequency), OwnerRole: c.OwnerRole, OwnerID: owner, Automatable: c.Automatable}
	if err := a.db.CreateControl(a.ctx, orgID, ctl); err != nil {
		return err
	}
	return a.printControl(ctl, c.JSON)
}

// ControlMapCmd maps a control to a criterion.
type ControlMapCmd struct {
	jsonFlag
	ID        string `arg:"" help:"Control ID."`
	Criterion string `arg:"" help:"Criterion ID, for example CC6.1."`
}

// Run maps the control.
func (c *ControlMapCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if err := a.db.MapControl(a.ctx, orgID, c.ID, criterionID(c.Criterion)); err != nil {
		return err
	}
	return (&ControlShowCmd{jsonFlag: c.jsonFlag, ID: c.ID}).Run(a)
}

// ControlUnmapCmd removes a mapping.
type ControlUnmapCmd struct {
	jsonFlag
	ID        string `arg:"" help:"Control ID."`
	Criterion string `arg:"" help:"Criterion ID."`
}

// Run removes the mapping.
func (c *ControlUnmapCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if err := a.db.UnmapControl(a.ctx, orgID, c.ID, criterionID(c.Criterion)); err != nil {
		return err
	}
	return (&ControlShowCmd{jsonFlag: c.jsonFlag, ID: c.ID}).Run(a)
}

// criterionID is a criterion ID as typed, in the catalog's case: cc6.1 is
// CC6.1. An unknown ID is passed on as typed, for the store to refuse.
func criterionID(typed string) string {
	if fw, err := catalogFramework(); err == nil {
		if c := fw.LookupCriterion(typed); c != nil {
			return c.ID
		}
	}
	return typed
}
