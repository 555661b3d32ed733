package jobs

import (
	"context"
	"time"

	"github.com/attest-dev/attest/store"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// RefreshArgs recomputes one organization's derived figures (readiness,
// coverage and today's snapshot of each engagement) after changes to its
// facts. It is unique per organization while waiting or running, so a
// burst of changes, in one process or several sharing the database, costs
// one recomputation.
type RefreshArgs struct {
	OrgID int64 `json:"org_id"`
}

// Kind names the job.
func (RefreshArgs) Kind() string { return "readiness_refresh" }

// InsertOpts makes the job unique per organization among the jobs not yet
// finished (River requires the running state in the set: a change that
// comes in while the job runs is caught by the job itself, see Work).
func (RefreshArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateScheduled, rivertype.JobStateRetryable,
	}}}
}

// RequestRefresh enqueues a RefreshArgs job for the organization and
// reports whether one was already waiting or running: a store.Scheduler
// (see store.DB.SetScheduler).
func (q *Queue) RequestRefresh(ctx context.Context, orgID int64) (duplicate bool, err error) {
	res, err := q.client.Insert(ctx, RefreshArgs{OrgID: orgID}, nil)
	if err != nil {
		return false, wrap("enqueue readiness_refresh", err)
	}
	return res.UniqueSkippedAsDuplicate, nil
}

type refreshWorker struct {
	river.WorkerDefaults[RefreshArgs]
	d Deps
}

// refreshRounds bounds how many refreshes one job makes while changes keep
// coming in, before it hands its place back to the queue.
const refreshRounds = 20

// Work refreshes the organization's figures unless they are already up to
// date (another job got there first). While changes keep coming in during
// a refresh, the job refreshes again a delay later: a stream of changes
// costs one recomputation per delay, and none is missed although River
// lets no second job of the organization in while this one runs.
func (w *refreshWorker) Work(ctx context.Context, job *river.Job[RefreshArgs]) error {
	delay := w.d.DB.RefreshDelay()
	for range refreshRounds {
		again, err := w.d.DB.RefreshIfStale(ctx, job.Args.OrgID)
		if err != nil || !again {
			return err
		}
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return river.JobSnooze(0)
		}
	}
	return river.JobSnooze(0)
}

// Derive hands the store's derived figures to q: changes ask for a
// RefreshArgs job delay after them (store.DefaultRefreshDelay when 0), and
// pages read what the jobs stored. q need not work jobs itself (serve
// --jobs 0): other processes sharing the database do.
func Derive(db *store.DB, q *Queue, delay time.Duration) {
	db.SetScheduler(q.RequestRefresh, delay, nil)
}
