package auditpack

import (
	"context"
	"io"

	"github.com/attest-dev/attest"
)

// PopulationsFolder holds the populations of the engagement's window.
const PopulationsFolder = "populations"

// PopulationSource is what populations are read from; *store.DB is one.
// A source without populations writes none.
type PopulationSource interface {
	FindPopulation(ctx context.Context, orgID int64, kind string, from, to attest.Date) (*attest.Population, error)
}

// populations adds every population of the engagement's window, up to the
// day of export when the window is still running: the complete lists of
// hires, leavers, access grants and removals, changes and internal tests
// the auditor samples from. Each file's first line states the filter that
// built it. It returns the file of each kind, for the index's slots of the
// needs that name one.
func (r *records) populations(src PopulationSource, e *attest.Engagement) (map[string]string, error) {
	start, end := attest.EngagementPeriod(e)
	if start.IsZero() || end.IsZero() {
		return nil, nil
	}
	if day := attest.DateOf(r.at); day.Before(end) && !day.Before(start) {
		end = day
	}
	files := map[string]string{}
	for _, kind := range attest.PopulationKinds {
		p, err := src.FindPopulation(r.ctx, r.org, kind, start, end)
		if err != nil {
			return nil, err
		}
		name := PopulationsFolder + "/" + p.FileName()
		if err := r.add(name, p.Filter, func(w io.Writer) error { return p.WriteCSV(w) }); err != nil {
			return nil, err
		}
		files[kind] = name
	}
	return files, nil
}
