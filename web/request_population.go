package web

import (
	"context"
	"fmt"

	"github.com/attest-dev/attest"
)

// A need whose events Attest records (hires, leavers, access grants and
// removals, changes, internal tests) names its population; the request
// list shows, beside each period of it that has begun, how many events
// the period holds and where the complete list is, since that list is
// what the auditor samples from. An empty population is the fact behind a
// "no events in this period" statement.

// populationRow is one period's population as a need row shows it.
type populationRow struct {
	Kind     string
	From, To attest.Date
	Count    int
	Page     string
	CSV      string
	// Label is the period's badge label, for needs of several periods.
	Label string
}

// populationKey names one slot of one need.
type populationKey struct {
	control string
	need    int
	start   attest.Date
}

// populations counts the population of every begun slot of the requests
// that name one, up to today (a period still running is counted so far).
// One count per slot: a page holds a few such needs.
func (s *Server) populations(ctx context.Context, orgID int64, groups []*attest.RequestGroup, today attest.Date) (map[populationKey]*populationRow, error) {
	out := map[populationKey]*populationRow{}
	for _, g := range groups {
		for _, rq := range g.Requests {
			if rq.PopulationKind == "" {
				continue
			}
			for i := range rq.Slots {
				sl := &rq.Slots[i]
				if today.Before(sl.Start) {
					continue
				}
				to := min(sl.End, today)
				n, err := s.svc.CountPopulation(ctx, orgID, rq.PopulationKind, sl.Start, to)
				if err != nil {
					return nil, fmt.Errorf("count population: %w", err)
				}
				page, csv := attest.PopulationLink(rq.PopulationKind, sl.Start, to)
				out[populationKey{rq.ControlID, rq.Need, sl.Start}] = &populationRow{Kind: rq.PopulationKind, From: sl.Start, To: to, Count: n,
					Page: page, CSV: csv, Label: slotLabel(rq, sl)}
			}
		}
	}
	return out, nil
}
