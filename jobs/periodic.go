package jobs

import (
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// minPeriod is the shortest Every: River's unique-per-period keys, which
// stop restarts from running a periodic job twice, work in whole seconds.
const minPeriod = time.Second

// defaultRetention is how long River keeps completed jobs (its default).
const defaultRetention = 24 * time.Hour

// Periodic is a job enqueued once per period, such as the daily reminder
// scan or readiness snapshot.
//
// Only the elected leader among the processes enqueues periodic jobs, and
// it keeps the schedule in memory, so a process that restarts more often
// than Every would never reach the next run. The leader therefore also
// enqueues each periodic job when it takes office, and the job is unique
// within its period (periods are aligned to UTC multiples of Every, so a
// daily job's period is the UTC day): a restart enqueues it only if it has
// not already run in the current period.
type Periodic struct {
	// Name identifies the schedule; it must be unique among Periodic.
	Name string
	// Every is the period, at least one second.
	Every time.Duration
	// Args is the job enqueued each period.
	Args river.JobArgs
}

// periodicJobs turns Periodic into River's periodic jobs. It also returns
// how long completed jobs must be kept: the uniqueness that stops a restart
// from repeating a run lasts only while the completed job is kept, so it
// must be kept for the longest period.
func periodicJobs(ps []Periodic) ([]*river.PeriodicJob, time.Duration, error) {
	retention := defaultRetention
	seen := map[string]bool{}
	out := make([]*river.PeriodicJob, 0, len(ps))
	for _, p := range ps {
		switch {
		case p.Name == "":
			return nil, 0, errors.New("periodic job without a name")
		case seen[p.Name]:
			return nil, 0, fmt.Errorf("periodic job %q listed twice", p.Name)
		case p.Every < minPeriod:
			return nil, 0, fmt.Errorf("periodic job %q: period %s is shorter than %s", p.Name, p.Every, minPeriod)
		case p.Args == nil:
			return nil, 0, fmt.Errorf("periodic job %q has no arguments", p.Name)
		}
		seen[p.Name] = true
		retention = max(retention, p.Every)
		args, every := p.Args, p.Every
		out = append(out, river.NewPeriodicJob(
			river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return args, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: every}}
			},
			&river.PeriodicJobOpts{ID: p.Name, RunOnStart: true},
		))
	}
	return out, retention, nil
}
