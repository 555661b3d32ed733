package main

import (
	"strings"

	"github.com/attest-dev/attest"
)

// EngagementCmd groups the engagement commands.
type EngagementCmd struct {
	Create       EngagementCreateCmd       `cmd:"" help:"Create an engagement."`
	List         EngagementListCmd         `cmd:"" help:"List engagements."`
	Show         EngagementShowCmd         `cmd:"" help:"Show an engagement."`
	Update       EngagementUpdateCmd       `cmd:"" help:"Change an engagement's objectives, type or dates."`
	Scope        EngagementScopeCmd        `cmd:"" help:"Show the scope, or set its categories with --categories."`
	AddSystem    EngagementAddSystemCmd    `cmd:"" name:"add-system" help:"Add a system to the scope."`
	RemoveSystem EngagementRemoveSystemCmd `cmd:"" name:"remove-system" help:"Remove a system from the scope."`
	SystemOwner  EngagementSystemOwnerCmd  `cmd:"" name:"system-owner" help:"Hand a system in scope to a member (systems from the asset inventory follow the asset's owner)."`
	Use          EngagementUseCmd          `cmd:"" help:"Make an engagement the current one (the default of the dashboard, evidence, readiness and export)."`
	Archive      EngagementArchiveCmd      `cmd:"" help:"Archive an engagement (it stays readable), or restore it with --restore."`
}

// engagementFields are the flags shared by create and update.
type engagementFields struct {
	Name        *string   `help:"Name of the engagement."`
	Type        *string   `help:"Report type: type1 or type2."`
	Driver      []string  `help:"Why the audit is done (repeatable)."`
	Customer    []string  `help:"Customer asking for the report (repeatable)."`
	Notes       *string   `help:"Notes."`
	Target      *string   `help:"Target report date, YYYY-MM-DD."`
	AsOf        *string   `name:"as-of" help:"Type I: the as-of date, YYYY-MM-DD."`
	WindowStart *string   `name:"window-start" help:"Type II: first day of the observation window."`
	WindowEnd   *string   `name:"window-end" help:"Type II: last day of the observation window (3 to 12 months)."`
	Categories  *[]string `help:"Categories in scope, comma-separated (security is always in)."`
}

// update turns the flags into an EngagementUpdate.
func (f *engagementFields) update() (attest.EngagementUpdate, error) {
	u := attest.EngagementUpdate{Name: f.Name, Notes: f.Notes, Categories: f.Categories}
	if f.Type != nil {
		t := attest.ReportType(*f.Type)
		u.ReportType = &t
	}
	if f.Driver != nil {
		u.Drivers = &f.Driver
	}
	if f.Customer != nil {
		u.Customers = &f.Customer
	}
	var err error
	for _, d := range []struct {
		name string
		src  *string
		dst  **attest.Date
	}{{"target", f.Target, &u.TargetDate}, {"as-of", f.AsOf, &u.AsOfDate}, {"window-start", f.WindowStart, &u.WindowStart}, {"window-end", f.WindowEnd, &u.WindowEnd}} {
		if *d.dst, err = parseDateFlag(d.name, d.src); err != nil {
			return u, err
		}
	}
	return u, nil
}

// EngagementCreateCmd creates an engagement.
type EngagementCreateCmd struct {
	jsonFlag
	engagementFields
	Current bool `help:"Make it the current engagement (the first one always is; later ones only with this flag)."`
}

// Run creates the engagement.
func (c *EngagementCreateCmd) Run(a *App) error {
	if c.Name == nil || c.Type == nil {
		return attest.Errorf(attest.EINVALID, "--name and --type (type1 or type2) are required")
	}
	u, err := c.update()
	if err != nil {
		return err
	}
	e := &attest.Engagement{Categories: []string{}, Current: c.Current}
	fw, err := catalogFramework()
	if err != nil {
		return err
	}
	if err := u.Apply(e, fw); err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if err := a.db.CreateEngagement(a.ctx, orgID, e); err != nil {
		return err
	}
	return a.printEngagement(e, c.JSON)
}

// EngagementListCmd lists engagements.
type EngagementListCmd struct{ jsonFlag }

// Run lists engagements.
func (c *EngagementListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	es, err := a.db.FindEngagements(a.ctx, orgID)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(es)
	}
	tw := a.table()
	fprintf(tw, "ID\tTYPE\tPERIOD\tTARGET\tCATEGORIES\tSTATUS\tNAME\n")
	for _, e := range es {
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.ReportType, period(e), dash(string(e.TargetDate)), strings.Join(e.Categories, ","), standing(e), e.Name)
	}
	return tw.Flush()
}

// standing says whether an engagement is current, active or archived.
func standing(e *attest.Engagement) string {
	switch {
	case e.Current:
		return "current"
	case e.Archived():
		return "archived"
	}
	return "active"
}

func period(e *attest.Engagement) string {
	if e.ReportType == attest.TypeI {
		return "as of " + string(e.AsOfDate)
	}
	return string(e.WindowStart) + " to " + string(e.WindowEnd)
}

// EngagementShowCmd shows one engagement.
type EngagementShowCmd struct {
	jsonFlag
	ID int64 `arg:"" optional:"" help:"Engagement ID (default: the current one)."`
}

// Run shows the engagement.
func (c *EngagementShowCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	e, err := a.engagementOrCurrent(orgID, c.ID)
	if err != nil {
		return err
	}
	return a.printEngagement(e, c.JSON)
}

func (a *App) printEngagement(e *attest.Engagement, asJSON bool) error {
	if asJSON {
		return a.printJSON(e)
	}
	tw := a.table()
	fprintf(tw, "ID\t%d\nName\t%s\nStatus\t%s\nReport\t%s\nPeriod\t%s\nTarget date\t%s\nCategories\t%s\n",
		e.ID, e.Name, standing(e), e.ReportType, period(e), dash(string(e.TargetDate)), strings.Join(e.Categories, ", "))
	for _, d := range e.Drivers {
		fprintf(tw, "Driver\t%s\n", d)
	}
	for _, cu := range e.Customers {
		fprintf(tw, "Customer\t%s\n", cu)
	}
	if e.Notes != "" {
		fprintf(tw, "Notes\t%s\n", e.Notes)
	}
	for _, s := range e.Systems {
		fprintf(tw, "System %d\t%s (%s, owner %s)\n", s.ID, s.Name, s.Kind, ownerText(s.Owner, s.OwnerNote))
	}
	return tw.Flush()
}

// EngagementUpdateCmd changes an engagement.
type EngagementUpdateCmd struct {
	jsonFlag
	ID int64 `arg:"" help:"Engagement ID."`
	engagementFields
}

// Run applies the change.
func (c *EngagementUpdateCmd) Run(a *App) error {
	u, err := c.update()
	if err != nil {
		return err
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	e, err := a.db.UpdateEngagement(a.ctx, orgID, c.ID, u)
	if err != nil {
		return err
	}
	return a.printEngagement(e, c.JSON)
}

// EngagementScopeCmd shows or sets the scope.
type EngagementScopeCmd struct {
	jsonFlag
	ID         int64     `arg:"" optional:"" help:"Engagement ID (default: the current one)."`
	Categories *[]string `help:"Set the categories in scope, comma-separated (security is always in)."`
}

// Run shows or sets the scope.
func (c *EngagementScopeCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	e, err := a.engagementOrCurrent(orgID, c.ID)
	if err != nil {
		return err
	}
	if c.Categories != nil {
		if _, err := a.db.UpdateEngagement(a.ctx, orgID, e.ID, attest.EngagementUpdate{Categories: c.Categories}); err != nil {
			return err
		}
	}
	sc, err := a.db.Scope(a.ctx, orgID, e.ID)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(sc)
	}
	fprintf(a.out, "Categories: %s\nCriteria in scope: %d\nControls in scope: %d\nSystems: %d\n",
		strings.Join(sc.Categories, ", "), len(sc.Criteria), len(sc.Controls), len(sc.Systems))
	return nil
}

// EngagementAddSystemCmd adds a system.
type EngagementAddSystemCmd struct {
	jsonFlag
	ID          int64  `arg:"" help:"Engagement ID."`
	Name        string `required:"" help:"System name."`
	Kind        string `default:"application" help:"application, infrastructure, database, cloud, saas, network, endpoint, data, people, process or other."`
	Owner       string `help:"The member who owns it: their email (or the exact name of one member)."`
	Description string `help:"Description."`
}

// Run adds the system.
func (c *EngagementAddSystemCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	owner, err := a.ownerID(orgID, c.Owner)
	if err != nil {
		return err
	}
	s := &attest.System{Name: c.Name, Kind: c.Kind, OwnerID: owner, Description: c.Description}
	if err := a.db.AddSystem(a.ctx, orgID, c.ID, s); err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(s)
	}
	fprintf(a.out, "Added system %d (%s) to engagement %d.\n", s.ID, s.Name, c.ID)
	return nil
}

// EngagementRemoveSystemCmd removes a system.
type EngagementRemoveSystemCmd struct {
	ID     int64 `arg:"" help:"Engagement ID."`
	System int64 `arg:"" help:"System ID."`
}

// Run removes the system.
func (c *EngagementRemoveSystemCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if err := a.db.RemoveSystem(a.ctx, orgID, c.ID, c.System); err != nil {
		return err
	}
	fprintf(a.out, "Removed system %d from engagement %d.\n", c.System, c.ID)
	return nil
}

// EngagementSystemOwnerCmd hands a system to a member.
type EngagementSystemOwnerCmd struct {
	jsonFlag
	ID     int64  `arg:"" help:"Engagement ID."`
	System int64  `arg:"" help:"System ID."`
	Owner  string `help:"The member who owns it: their email (or the exact name of one member); empty for nobody."`
}

// Run sets the owner.
func (c *EngagementSystemOwnerCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	owner, err := a.ownerID(orgID, c.Owner)
	if err != nil {
		return err
	}
	s, err := a.db.SetSystemOwner(a.ctx, orgID, c.ID, c.System, owner)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(s)
	}
	fprintf(a.out, "System %d (%s) is owned by %s.\n", s.ID, s.Name, ownerText(s.Owner, s.OwnerNote))
	return nil
}

// EngagementUseCmd makes an engagement the current one.
type EngagementUseCmd struct {
	jsonFlag
	ID int64 `arg:"" help:"Engagement ID."`
}

// Run switches the current engagement.
func (c *EngagementUseCmd) Run(a *App) error {
	yes := true
	return a.changeStanding(c.ID, attest.EngagementUpdate{Current: &yes}, c.JSON)
}

// EngagementArchiveCmd archives or restores an engagement.
type EngagementArchiveCmd struct {
	jsonFlag
	ID      int64 `arg:"" help:"Engagement ID."`
	Restore bool  `help:"Restore an archived engagement instead."`
}

// Run archives or restores the engagement.
func (c *EngagementArchiveCmd) Run(a *App) error {
	archived := !c.Restore
	return a.changeStanding(c.ID, attest.EngagementUpdate{Archived: &archived}, c.JSON)
}

// changeStanding applies a change of current or archived and reports the
// engagement's standing.
func (a *App) changeStanding(id int64, u attest.EngagementUpdate, asJSON bool) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	e, err := a.db.UpdateEngagement(a.ctx, orgID, id, u)
	if err != nil {
		return err
	}
	if asJSON {
		return a.printJSON(e)
	}
	fprintf(a.out, "Engagement %d (%s) is %s.\n", e.ID, e.Name, standing(e))
	return nil
}
