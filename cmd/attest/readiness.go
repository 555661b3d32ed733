package main

import (
	"fmt"

	"github.com/attest-dev/attest"
)

// ReadinessCmd reports readiness.
type ReadinessCmd struct {
	jsonFlag
	Engagement int64    `help:"Engagement ID (default: the current one)."`
	FailUnder  *float64 `name:"fail-under" help:"Exit 1 when the score is below this percentage (0–100)." placeholder:"N"`
	All        bool     `help:"List every criterion, not only those that are not ready."`
}

// Run reports readiness and applies the threshold.
func (c *ReadinessCmd) Run(a *App) error {
	if c.FailUnder != nil && (*c.FailUnder < 0 || *c.FailUnder > 100) {
		return attest.Errorf(attest.EINVALID, "--fail-under must be between 0 and 100")
	}
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	e, err := a.engagementOrCurrent(orgID, c.Engagement)
	if err != nil {
		return err
	}
	r, err := a.db.Readiness(a.ctx, orgID, e.ID)
	if err != nil {
		return err
	}
	if c.JSON {
		err = a.printJSON(r)
	} else {
		err = a.printReadiness(r, c.All)
	}
	if err != nil {
		return err
	}
	if c.FailUnder != nil && r.Score < *c.FailUnder {
		return &thresholdError{fmt.Sprintf("readiness %.1f%% is under the threshold of %.1f%%", r.Score, *c.FailUnder)}
	}
	return nil
}

func (a *App) printReadiness(r *attest.Readiness, all bool) error {
	fprintf(a.out, "Readiness of %q on %s: %.1f%%  (%d ready, %d partial, %d gap of %d criteria)\n\n",
		r.Engagement, r.Date, r.Score, r.Ready, r.Partial, r.Gap, len(r.Criteria))
	tw := a.table()
	fprintf(tw, "CATEGORY\tSCORE\tREADY\tPARTIAL\tGAP\n")
	for _, c := range r.Categories {
		fprintf(tw, "%s\t%.1f%%\t%d\t%d\t%d\n", c.Name, c.Score, c.Ready, c.Partial, c.Gap)
	}
	fprintf(tw, "\nCRITERION\tSTATE\tSCORE\tREASON\n")
	for _, c := range r.Criteria {
		if all || c.State != attest.Ready {
			fprintf(tw, "%s\t%s\t%.1f%%\t%s\n", c.ID, c.State, c.Score, c.Reason)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Gaps) > 0 {
		fprintf(a.out, "\nGaps (%d):\n", len(r.Gaps))
		for _, g := range r.Gaps {
			fprintf(a.out, "  [%s] %s\n", g.Kind, g.Message)
		}
	}
	return nil
}
