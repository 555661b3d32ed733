package main

import (
	"fmt"

	"github.com/attest-dev/attest"
)

// AccessReviewStartCmd starts a review from an integration's accounts.
type AccessReviewStartCmd struct {
	jsonFlag
	Integration string `required:"" help:"Integration name or ID whose latest accounts are reviewed."`
	System      string `required:"" help:"The system reviewed."`
	From        string `help:"Period start (default: the last quarter)."`
	To          string `help:"Period end."`
	Due         string `help:"Due date (default: 30 days after the period)."`
	Control     string `help:"Control the signed-off review evidences."`
}

// Run starts the review.
func (c *AccessReviewStartCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	in, err := a.db.FindIntegration(a.ctx, orgID, c.Integration)
	if err != nil {
		return err
	}
	r := &attest.AccessReview{System: c.System, PeriodStart: attest.Date(c.From), PeriodEnd: attest.Date(c.To), DueDate: attest.Date(c.Due), ControlID: c.Control}
	accounts, err := a.db.StartAccessReviewFrom(a.ctx, orgID, r, in.ID)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(r)
	}
	fprintf(a.out, "Access review %d of %s opened with %d accounts from %s, due %s.\n", r.ID, r.System, len(accounts), in.Name, r.DueDate)
	return nil
}

// AccessReviewScheduleCmd sets, lists or stops the schedules.
type AccessReviewScheduleCmd struct {
	jsonFlag
	Integration string `help:"Integration name or ID whose latest accounts each review takes (sets the system's schedule)."`
	System      string `help:"The system reviewed."`
	Every       int    `default:"3" help:"Months in a review's period."`
	From        string `help:"First day of the first period (default: the current quarter)."`
	Control     string `help:"Control the signed-off reviews evidence."`
	Stop        int64  `help:"Stop the schedule with this ID." placeholder:"ID"`
}

// Run saves a schedule when --integration is given, stops one with
// --stop, and lists the schedules.
func (c *AccessReviewScheduleCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	switch {
	case c.Stop != 0:
		if err := a.db.DeleteAccessReviewSchedule(a.ctx, orgID, c.Stop); err != nil {
			return err
		}
	case c.Integration != "":
		in, err := a.db.FindIntegration(a.ctx, orgID, c.Integration)
		if err != nil {
			return err
		}
		sc := &attest.AccessReviewSchedule{System: c.System, IntegrationID: in.ID, EveryMonths: c.Every, NextStart: attest.Date(c.From), ControlID: c.Control}
		if err := a.db.SaveAccessReviewSchedule(a.ctx, orgID, sc); err != nil {
			return err
		}
	case c.System != "":
		return attest.Errorf(attest.EINVALID, "name the integration whose accounts the reviews of %s take (--integration)", c.System)
	}
	list, err := a.db.FindAccessReviewSchedules(a.ctx, orgID)
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(list)
	}
	tw := a.table()
	fprintf(tw, "ID\tSYSTEM\tINTEGRATION\tEVERY\tNEXT PERIOD\tOPENS ON\tCONTROL\n")
	for _, sc := range list {
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", sc.ID, sc.System, sc.Integration, fmt.Sprintf("%d months", sc.EveryMonths), sc.NextStart, sc.OpensOn, sc.ControlID)
	}
	return tw.Flush()
}
