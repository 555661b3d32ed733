package main

import (
	"fmt"
	"strings"

	"github.com/attest-dev/attest"
)

// EvidenceListCmd lists evidence items.
type EvidenceListCmd struct {
	jsonFlag
	Control string `help:"Only items serving this control." placeholder:"ID"`
}

// Run lists the items, superseded ones included, newest first.
func (c *EvidenceListCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	items, err := a.db.FindEvidence(a.ctx, orgID, c.Control)
	if err != nil {
		return err
	}
	if c.JSON {
		if items == nil {
			items = []*attest.Evidence{}
		}
		return a.printJSON(items)
	}
	if len(items) == 0 {
		fprintf(a.out, "No evidence yet.\n")
		return nil
	}
	today := attest.DateOf(a.db.Now())
	tw := a.table()
	fprintf(tw, "ID\tKIND\tPERIOD\tSERVES\tSTATUS\tTITLE\n")
	for _, e := range items {
		status := "current"
		switch {
		case e.SupersededBy != 0:
			status = fmt.Sprintf("replaced by %d", e.SupersededBy)
		case e.Expired(today):
			status = "expired " + string(e.ValidUntil)
		}
		fprintf(tw, "%d\t%s\t%s to %s\t%s\t%s\t%s\n", e.ID, e.Kind, e.PeriodStart, e.PeriodEnd, links(e), status, e.Title)
	}
	return tw.Flush()
}

// links names the needs an item serves, as "ACC-05 need 0".
func links(e *attest.Evidence) string {
	var out []string
	for _, l := range e.Links {
		out = append(out, fmt.Sprintf("%s need %d", l.ControlID, l.Need))
	}
	return strings.Join(out, ", ")
}

// EvidenceRequestsCmd shows the request list, with the filters and orders
// of the web list.
type EvidenceRequestsCmd struct {
	jsonFlag
	Engagement int64  `help:"Engagement ID (default: the current one)." placeholder:"ID"`
	Missing    bool   `help:"Only the periods that have begun and are not covered (same as --state missing)."`
	State      string `help:"Only the periods in this state: missing, late, provided, not_applicable, deviation or upcoming." placeholder:"STATE"`
	Search     string `help:"Only controls whose ID, name or evidence need contains this text (any case)." placeholder:"TEXT"`
	Owner      string `help:"Only controls of this member (email, or exact name of one member)." placeholder:"EMAIL"`
	Category   string `help:"Only controls mapped to a criterion of this category (security, availability, ...)." placeholder:"ID"`
	Criterion  string `help:"Only controls mapped to this criterion (CC6.1 or cc6.1)." placeholder:"ID"`
	Sort       string `default:"control" enum:"control,due,status" help:"Order: control, due (earliest missing due date first) or status (late first)."`
}

// Run prints one row per need and period.
func (c *EvidenceRequestsCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if c.Missing {
		if c.State != "" && c.State != string(attest.SlotMissing) {
			return attest.Errorf(attest.EINVALID, "--missing and --state %s contradict each other", c.State)
		}
		c.State = string(attest.SlotMissing)
	}
	q := attest.RequestQuery{Search: c.Search, State: attest.SlotState(c.State), Category: c.Category, Criterion: c.Criterion, Sort: c.Sort}
	if err := q.Validate(a.db.Framework()); err != nil {
		return err
	}
	e, err := a.engagementOrCurrent(orgID, c.Engagement)
	if err != nil {
		return err
	}
	owner, err := a.ownerFilter(orgID, c.Owner)
	if err != nil {
		return err
	}
	controls, err := a.db.FindControls(a.ctx, orgID, attest.ControlFilter{OwnerID: owner})
	if err != nil {
		return err
	}
	var keep []*attest.Control
	for _, ctl := range controls {
		if q.MatchControl(ctl, a.db.Framework()) {
			keep = append(keep, ctl)
		}
	}
	all, err := a.db.ControlRequests(a.ctx, orgID, e, keep)
	if err != nil {
		return err
	}
	reqs := []*attest.EvidenceRequest{}
	for _, g := range q.Group(all) {
		for _, r := range g.Requests {
			cp := *r
			cp.Slots = r.SlotsIn(q.State)
			reqs = append(reqs, &cp)
		}
	}
	if c.JSON {
		return a.printJSON(reqs)
	}
	if len(reqs) == 0 {
		if q.State == attest.SlotMissing && c.Search == "" && c.Owner == "" && c.Category == "" && c.Criterion == "" {
			fprintf(a.out, "Nothing is missing.\n")
		} else {
			fprintf(a.out, "No request matches.\n")
		}
		return nil
	}
	tw := a.table()
	fprintf(tw, "CONTROL\tNEED\tFREQUENCY\tPERIOD\tDUE\tSTATE\tEVIDENCE\tWHAT\n")
	for _, r := range reqs {
		for _, s := range r.Slots {
			ids := make([]string, len(s.Evidence))
			for i, id := range s.Evidence {
				ids[i] = fmt.Sprint(id)
			}
			state := string(s.State)
			if s.Late {
				state = "late"
			}
			fprintf(tw, "%s\t%d\t%s\t%s to %s\t%s\t%s\t%s\t%s\n", r.ControlID, r.Need, r.Frequency, s.Start, s.End, s.Due, state, dash(strings.Join(ids, ",")), r.What)
		}
	}
	return tw.Flush()
}
