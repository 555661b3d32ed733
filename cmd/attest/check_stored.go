package main

import (
	"context"
	"fmt"

	"github.com/attest-dev/attest/check"
	"github.com/attest-dev/attest/jobs"
)

// runStored evaluates the checks over the resources the integrations
// stored, records the results (as state changes, like a run does) and
// prints the rows.
func (c *CheckRunCmd) runStored(a *App, checks []*check.Check) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	r, err := a.runner(false)
	if err != nil {
		return err
	}
	set := jobs.FromChecks(checks)
	var rows []check.Result
	eval := set.Eval
	set.Eval = func(ctx context.Context, ids []string, res jobs.ResourceFunc, emit func(check.Result) error) error {
		return eval(ctx, ids, res, func(x check.Result) error {
			rows = append(rows, x)
			return emit(x)
		})
	}
	r.Checks = set
	out, err := r.Evaluate(a.ctx, orgID, nil, nil)
	if err != nil {
		return err
	}
	counts := map[check.Status]int{}
	for _, x := range rows {
		counts[x.Status]++
	}
	if c.JSON {
		if rows == nil {
			rows = []check.Result{}
		}
		if err := a.printJSON(rows); err != nil {
			return err
		}
	} else {
		tw := a.table()
		fprintf(tw, "CHECK\tRESOURCE\tSTATUS\tREASON\n")
		for _, x := range rows {
			fprintf(tw, "%s\t%s %s\t%s\t%s\n", x.CheckID, x.ResourceType, x.ResourceID, x.Status, x.Reason)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	summary := fmt.Sprintf("%d checks over the stored resources: %d pass, %d fail, %d error, %d skip; %d results changed",
		len(checks), counts[check.Pass], counts[check.Fail], counts[check.Error], counts[check.Skip], out.Changes)
	if !c.JSON {
		fmt.Fprintln(a.errOut, summary)
	}
	if c.FailOn == "fail" && counts[check.Fail] > 0 || c.FailOn == "error" && counts[check.Fail]+counts[check.Error] > 0 {
		return &thresholdError{summary}
	}
	return nil
}
