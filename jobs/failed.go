package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// DefaultFailedLimit is how many failed jobs Failed lists when asked for
// none or too many.
const DefaultFailedLimit = 100

// FailedJob is a job that gave up: it was discarded after its last attempt
// failed, or cancelled because its error was permanent. The admin page
// lists these so someone can fix the cause and, if need be, enqueue again.
type FailedJob struct {
	ID   int64
	Kind string
	// State is "discarded" (attempts ran out) or "cancelled" (permanent
	// error).
	State string
	// Args is the job's arguments as JSON.
	Args json.RawMessage
	// OrgID is the organization the job works for, read from the "org_id"
	// value of its arguments (0 when they have none). Filter on it, never
	// on the text of Args: SQLite and PostgreSQL space JSON differently.
	OrgID       int64
	Attempts    int
	MaxAttempts int
	// LastError is the error of the last attempt.
	LastError string
	// FailedAt is when the job gave up.
	FailedAt time.Time
}

// Failed lists failed jobs of a kind ("" for every kind), most recent first.
// River deletes them after seven days.
func (q *Queue) Failed(ctx context.Context, kind string, limit int) ([]FailedJob, error) {
	if limit <= 0 || limit > DefaultFailedLimit {
		limit = DefaultFailedLimit
	}
	params := river.NewJobListParams().
		States(rivertype.JobStateDiscarded, rivertype.JobStateCancelled).
		OrderBy(river.JobListOrderByFinalizedAt, river.SortOrderDesc).
		First(limit)
	if kind != "" {
		params = params.Kinds(kind)
	}
	res, err := q.client.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list failed jobs: %w", err)
	}
	out := make([]FailedJob, 0, len(res.Jobs))
	for _, j := range res.Jobs {
		f := FailedJob{
			ID:          j.ID,
			Kind:        j.Kind,
			State:       string(j.State),
			Args:        json.RawMessage(j.EncodedArgs),
			Attempts:    j.Attempt,
			MaxAttempts: j.MaxAttempts,
		}
		var owner struct {
			OrgID int64 `json:"org_id"`
		}
		if json.Unmarshal(j.EncodedArgs, &owner) == nil {
			f.OrgID = owner.OrgID
		}
		if n := len(j.Errors); n > 0 {
			// River records a cancelled job's error with its wrapper's name,
			// which means nothing to the person reading the admin page.
			f.LastError = strings.TrimPrefix(j.Errors[n-1].Error, "JobCancelError: ")
		}
		if j.FinalizedAt != nil {
			f.FailedAt = j.FinalizedAt.UTC()
		}
		out = append(out, f)
	}
	return out, nil
}

// permanentErrors cancels jobs whose errors Config.Permanent calls
// permanent, so workers can return the store's domain errors as they are.
type permanentErrors struct {
	river.MiddlewareDefaults
	is func(error) bool
}

// Work runs the job and turns a permanent error into river.JobCancel.
func (m *permanentErrors) Work(ctx context.Context, job *rivertype.JobRow, next func(context.Context) error) error {
	err := next(ctx)
	if err == nil || !m.is(err) {
		return err
	}
	// Snoozes are not failures, and cancellations need no second wrapping.
	var snooze *rivertype.JobSnoozeError
	var cancel *rivertype.JobCancelError
	if errors.As(err, &snooze) || errors.As(err, &cancel) {
		return err
	}
	return river.JobCancel(err)
}
