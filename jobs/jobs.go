// Package jobs runs background work (notifications, reminder scans,
// readiness snapshots) on the River job queue, keeping River's tables in the
// application's own database, SQLite or PostgreSQL. Jobs survive restarts
// and crashes, several processes may share one database, and a job can be
// enqueued in the same transaction as the store write that causes it.
//
// Workers are ordinary river.Worker implementations registered on a
// river.Workers bundle. A worker returns river.JobCancel(err) for an error
// that retrying cannot fix (or the Config.Permanent classifier says so);
// any other error is retried with River's exponential backoff until the
// job's max attempts, after which the job is discarded and listed by Failed.
// Work may run more than once if a process dies mid-job, so workers must be
// idempotent.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
)

// Defaults for the zero values in Config.
const (
	DefaultConcurrency  = 10
	DefaultRescueAfter  = 5 * time.Minute
	DefaultJobTimeout   = time.Minute
	DefaultPollInterval = time.Second
)

// hardStopWait bounds how long Stop waits for cancelled jobs to return once
// its own context has run out.
const hardStopWait = 10 * time.Second

// Config configures a Queue. The zero value enqueues but cannot work jobs.
type Config struct {
	// Workers are the job kinds this process works. Nil makes an
	// enqueue-only queue, for processes that never call Start.
	Workers *river.Workers
	// Concurrency is how many jobs this process works at once.
	Concurrency int
	// Logger receives River's logs; slog.Default() when nil.
	Logger *slog.Logger
	// RescueAfter is how long a job may stay running before the elected
	// leader (in whichever process) assumes its worker died and schedules it
	// again. River has no heartbeat: this must exceed the longest job.
	RescueAfter time.Duration
	// JobTimeout cancels a job's context after this long; it must be shorter
	// than RescueAfter so a live job gives up before it is rescued. Defaults
	// to DefaultJobTimeout, or half of RescueAfter when that is shorter.
	JobTimeout time.Duration
	// PollInterval is how often idle processes look for new jobs. Jobs
	// enqueued outside a transaction by this process start at once; others
	// wait up to this long.
	PollInterval time.Duration
	// MaxAttempts is the default attempt limit; a kind overrides it by
	// implementing river.JobArgsWithInsertOpts (notifications use 8).
	// River's default (25, about three weeks of backoff) when zero.
	MaxAttempts int
	// RetryPolicy replaces River's exponential backoff; tests shorten it.
	RetryPolicy river.ClientRetryPolicy
	// Permanent, when set, marks errors that retrying cannot fix, so a
	// worker may return domain errors without wrapping them in
	// river.JobCancel.
	Permanent func(error) bool
	// Periodic are jobs enqueued on a schedule.
	Periodic []Periodic
}

// Queue enqueues jobs and, once started, works them.
type Queue struct {
	client  *river.Client[*sql.Tx]
	dialect string
	working bool
}

// New prepares River on db, whose dialect is "sqlite" or "postgres" (as
// store.DB.Dialect reports), and brings River's tables up to date. It is
// safe for several processes to call New at once on one database. A SQLite
// db must begin transactions IMMEDIATE (_txlock=immediate), as store's does.
func New(ctx context.Context, db *sql.DB, dialect string, cfg Config) (*Queue, error) {
	rcfg, err := riverConfig(cfg)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db, dialect, rcfg.Logger); err != nil {
		return nil, err
	}
	var client *river.Client[*sql.Tx]
	switch dialect {
	case "sqlite":
		client, err = river.NewClient(riversqlite.New(db), rcfg)
	case "postgres":
		// database/sql gives River no LISTEN connection, so it polls.
		rcfg.PollOnly = true
		client, err = river.NewClient(riverdatabasesql.New(db), rcfg)
	}
	if err != nil {
		return nil, fmt.Errorf("create job queue: %w", err)
	}
	return &Queue{client: client, dialect: dialect, working: cfg.Workers != nil}, nil
}

// riverConfig applies the defaults and checks the config.
func riverConfig(cfg Config) (*river.Config, error) {
	rescue := cmp.Or(cfg.RescueAfter, DefaultRescueAfter)
	timeout := cmp.Or(cfg.JobTimeout, min(DefaultJobTimeout, rescue/2))
	if timeout >= rescue {
		return nil, fmt.Errorf("job timeout %s must be shorter than the rescue delay %s", timeout, rescue)
	}
	poll := cmp.Or(cfg.PollInterval, DefaultPollInterval)
	rcfg := &river.Config{
		Logger:               cmp.Or(cfg.Logger, slog.Default()),
		JobTimeout:           timeout,
		RescueStuckJobsAfter: rescue,
		FetchPollInterval:    poll,
		FetchCooldown:        min(100*time.Millisecond, poll),
		MaxAttempts:          cfg.MaxAttempts,
		RetryPolicy:          cfg.RetryPolicy,
		Workers:              cfg.Workers,
	}
	if cfg.Workers == nil {
		if len(cfg.Periodic) > 0 {
			return nil, errors.New("periodic jobs need workers to run them")
		}
		return rcfg, nil
	}
	rcfg.Queues = map[string]river.QueueConfig{
		river.QueueDefault: {MaxWorkers: cmp.Or(cfg.Concurrency, DefaultConcurrency)},
	}
	if cfg.Permanent != nil {
		rcfg.Middleware = []rivertype.Middleware{&permanentErrors{is: cfg.Permanent}}
	}
	periodic, retention, err := periodicJobs(cfg.Periodic)
	if err != nil {
		return nil, err
	}
	rcfg.PeriodicJobs = periodic
	rcfg.CompletedJobRetentionPeriod = retention
	return rcfg, nil
}

// Start begins working jobs in the background until Stop or until ctx is
// cancelled. Queues made without Workers cannot start.
func (q *Queue) Start(ctx context.Context) error {
	if !q.working {
		return errors.New("start job queue: no workers configured")
	}
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for running ones to finish. When ctx
// ends first, running jobs have their contexts cancelled and are handed
// back to the queue as they return, without using up an attempt; Stop
// waits a little longer for that. A job that ignores its context and is
// still running when the process exits is rescued after RescueAfter.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return wrap("stop job queue", err)
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopWait)
	defer cancel()
	return wrap("stop job queue", errors.Join(err, q.client.StopAndCancel(hard)))
}

// Enqueue adds a job. opts may be nil. A job that repeats a unique job
// already queued is silently skipped.
func (q *Queue) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.client.Insert(ctx, args, opts)
	return wrap("enqueue "+args.Kind(), err)
}

// EnqueueTx adds a job within tx, so the job exists if and only if tx
// commits: a store write and the notification it causes cannot part.
func (q *Queue) EnqueueTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := q.client.InsertTx(ctx, tx, args, opts)
	return wrap("enqueue "+args.Kind(), err)
}

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, err)
}
