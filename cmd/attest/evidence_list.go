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

// EvidenceRequestsCmd shows the request list.
type EvidenceRequestsCmd struct {
	jsonFlag
	Engagement int64 `help:"Engagement ID (default: the current one)." placeholder:"ID"`
	Missing    bool  `help:"Only the periods that have begun and are not covered."`
}

// Run prints one row per need and period.
func (c *EvidenceRequestsCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	e, err := a.engagementOrCurrent(orgID, c.Engagement)
	if err != nil {
		return err
	}
	reqs, err := a.db.Requests(a.ctx, orgID, e.ID)
	if err != nil {
		return err
	}
	if c.Missing {
		reqs = onlyMissing(reqs)
	}
	if c.JSON {
		if reqs == nil {
			reqs = []*attest.EvidenceRequest{}
		}
		return a.printJSON(reqs)
	}
	if len(reqs) == 0 && c.Missing {
		fprintf(a.out, "Nothing is missing.\n")
		return nil
	}
	tw := a.table()
	fprintf(tw, "CONTROL\tNEED\tFREQUENCY\tPERIOD\tSTATE\tEVIDENCE\tWHAT\n")
	for _, r := range reqs {
		for _, s := range r.Slots {
			ids := make([]string, len(s.Evidence))
			for i, id := range s.Evidence {
				ids[i] = fmt.Sprint(id)
			}
			fprintf(tw, "%s\t%d\t%s\t%s to %s\t%s\t%s\t%s\n", r.ControlID, r.Need, r.Frequency, s.Start, s.End, s.State, dash(strings.Join(ids, ",")), r.What)
		}
	}
	return tw.Flush()
}

// onlyMissing keeps the missing slots, and the requests that have any.
func onlyMissing(reqs []*attest.EvidenceRequest) []*attest.EvidenceRequest {
	var out []*attest.EvidenceRequest
	for _, r := range reqs {
		var slots []attest.Slot
		for _, s := range r.Slots {
			if s.State == attest.SlotMissing {
				slots = append(slots, s)
			}
		}
		if len(slots) > 0 {
			cp := *r
			cp.Slots = slots
			out = append(out, &cp)
		}
	}
	return out
}
