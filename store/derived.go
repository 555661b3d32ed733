package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/attest-dev/attest"
)

// Derived figures. Writes record facts and return: every audited change
// advances the organization's audit head in the change's own transaction,
// and that sequence number is what marks the derived figures stale.
// Readiness, coverage and the day's snapshot of each engagement are then
// recomputed from the facts by Refresh, after the write, and stored in
// readiness_results with the sequence number they reflect; pages read that
// one row.
//
// Who runs Refresh depends on the process:
//
//   - With a scheduler (SetScheduler: `attest serve`), a change asks for a
//     recomputation of its organization a short delay later, at most once
//     per delay in each process; the scheduler queues a job unique per
//     organization, so processes sharing one database compute it once.
//     Reads never compute: they return the stored figures, marked Stale
//     while a recomputation is due, and ask for one if none seems to be.
//   - Without one (the CLI, tests, a program embedding the store), a read
//     that finds the stored figures stale refreshes them first, once for
//     all concurrent readers: nothing else would.
//
// Either way an organization without stored figures gets them computed on
// its first read.

// DefaultRefreshDelay is how long after a change its organization's figures
// are recomputed when SetScheduler is given no delay: a burst of changes
// within it costs one recomputation.
const DefaultRefreshDelay = time.Second

// Scheduler asks for an organization's derived figures to be recomputed
// (by calling RefreshIfStale) by whichever process works background jobs.
// It reports whether an identical request was already waiting or running.
type Scheduler func(ctx context.Context, orgID int64) (duplicate bool, err error)

// maxRetries bounds how often a request found already waiting is made again
// before the process gives up on it until the next change or read.
const maxRetries = 5

// deriver keeps the per-process state of derived figures.
type deriver struct {
	mu       sync.Mutex
	schedule Scheduler
	delay    time.Duration
	log      *slog.Logger
	timers   map[int64]*time.Timer // organizations with a request due
	retries  map[int64]int
	closed   bool
	wg       sync.WaitGroup

	orgLocks sync.Map // org ID → *sync.Mutex: one refresh at a time per organization in this process

	rmu     sync.Mutex
	results map[int64]*storedResult // by engagement ID: the last stored result decoded

	// computed counts the organizations' recomputations in this process.
	computed atomic.Int64
}

// storedResult is an engagement's readiness as last derived.
type storedResult struct {
	seq int64
	day attest.Date
	at  time.Time
	r   *attest.Readiness
}

// SetScheduler hands the recomputation of derived figures to schedule
// (a job queue) and stops reads from computing them. A change asks for a
// recomputation delay after it (DefaultRefreshDelay when 0). Failures to
// ask are logged to log (slog.Default when nil); the next change or read
// asks again.
func (s *DB) SetScheduler(schedule Scheduler, delay time.Duration, log *slog.Logger) {
	if delay <= 0 {
		delay = DefaultRefreshDelay
	}
	if log == nil {
		log = slog.Default()
	}
	s.derive.mu.Lock()
	defer s.derive.mu.Unlock()
	s.derive.schedule, s.derive.delay, s.derive.log = schedule, delay, log
}

// RefreshDelay returns the delay between a change and the recomputation it
// asks for.
func (s *DB) RefreshDelay() time.Duration {
	s.derive.mu.Lock()
	defer s.derive.mu.Unlock()
	if s.derive.delay == 0 {
		return DefaultRefreshDelay
	}
	return s.derive.delay
}

// Refreshes returns how many times this handle recomputed an
// organization's derived figures: a measure for tests and benchmarks.
func (s *DB) Refreshes() int64 { return s.derive.computed.Load() }

func (s *DB) deferred() bool {
	s.derive.mu.Lock()
	defer s.derive.mu.Unlock()
	return s.derive.schedule != nil
}

// changed notes that the organization's facts changed (or that its stored
// figures were found stale): with a scheduler, a request is made after the
// delay unless one is already due in this process.
func (s *DB) changed(orgID int64) {
	d := &s.derive
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.schedule == nil || d.closed || d.timers[orgID] != nil {
		return
	}
	if d.timers == nil {
		d.timers, d.retries = map[int64]*time.Timer{}, map[int64]int{}
	}
	d.wg.Add(1)
	d.timers[orgID] = time.AfterFunc(d.delay, func() { defer d.wg.Done(); s.request(orgID) })
}

// request asks the scheduler for a recomputation. A request that finds one
// already waiting or running is made again after the delay (a running one
// may have read the facts before the change), a few times at most.
func (s *DB) request(orgID int64) {
	d := &s.derive
	d.mu.Lock()
	delete(d.timers, orgID)
	schedule, closed, log := d.schedule, d.closed, d.log
	d.mu.Unlock()
	if closed {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dup, err := schedule(ctx, orgID)
	if err != nil {
		log.Error("request the recomputation of readiness", "org", orgID, "err", err)
		return
	}
	d.mu.Lock()
	retry := dup && d.retries[orgID] < maxRetries
	if retry {
		d.retries[orgID]++
	} else {
		delete(d.retries, orgID)
	}
	d.mu.Unlock()
	if retry {
		s.changed(orgID)
	}
}

// FlushRequests makes the requests for recomputation that wait for their
// delay now: before a process stops, so that its last changes are not left
// to the next read, and in tests.
func (s *DB) FlushRequests() {
	d := &s.derive
	d.mu.Lock()
	var orgs []int64
	for org, t := range d.timers {
		if t.Stop() {
			d.wg.Done()
		}
		delete(d.timers, org)
		orgs = append(orgs, org)
	}
	d.mu.Unlock()
	for _, org := range orgs {
		s.request(org)
	}
}

// closeDeriver stops pending requests and waits for those under way.
func (s *DB) closeDeriver() {
	d := &s.derive
	d.mu.Lock()
	d.closed = true
	for org, t := range d.timers {
		if t.Stop() {
			d.wg.Done()
		}
		delete(d.timers, org)
	}
	d.mu.Unlock()
	d.wg.Wait()
}

// lockOrg serializes this process's refreshes of one organization.
func (s *DB) lockOrg(orgID int64) func() {
	m, _ := s.derive.orgLocks.LoadOrStore(orgID, &sync.Mutex{})
	mu := m.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// Refresh recomputes the readiness and coverage of each of the
// organization's engagements from the facts, stores them and records
// today's snapshot of each (replacing one taken earlier today). The CLI
// and tests call it directly; background jobs call RefreshIfStale.
func (s *DB) Refresh(ctx context.Context, orgID int64) error {
	defer s.lockOrg(orgID)()
	_, err := s.refresh(ctx, orgID)
	return err
}

// RefreshIfStale refreshes the organization's figures unless they already
// reflect its latest change and today. It reports whether a change came in
// while it computed, so that another refresh is due.
func (s *DB) RefreshIfStale(ctx context.Context, orgID int64) (again bool, err error) {
	defer s.lockOrg(orgID)()
	stale, err := s.stale(ctx, orgID)
	if err != nil || !stale {
		return false, err
	}
	seq, err := s.refresh(ctx, orgID)
	if err != nil {
		return false, err
	}
	head, err := s.auditSeq(ctx, orgID)
	return head > seq, err
}

// stale reports whether any engagement's stored figures are older than the
// organization's latest change or than today, or missing.
func (s *DB) stale(ctx context.Context, orgID int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM engagements e
		LEFT JOIN readiness_results r ON r.org_id = e.org_id AND r.engagement_id = e.id
		WHERE e.org_id = ? AND (r.seq IS NULL OR r.day <> ? OR r.seq < COALESCE((SELECT seq FROM audit_heads WHERE org_id = ?), 0))`),
		orgID, s.today(), orgID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check readiness results: %w", err)
	}
	return n > 0, nil
}

// refresh computes and stores every engagement's figures as of the audit
// sequence number it returns (read before the facts, so the figures are
// never older than it says). The caller holds the organization's lock.
func (s *DB) refresh(ctx context.Context, orgID int64) (int64, error) {
	seq, err := s.auditSeq(ctx, orgID)
	if err != nil {
		return 0, err
	}
	engagements, err := s.FindEngagements(ctx, orgID)
	if err != nil {
		return 0, err
	}
	today, now := s.today(), s.now()
	results := make([]*attest.Readiness, 0, len(engagements))
	for _, e := range engagements {
		r, err := s.computeReadiness(ctx, orgID, e, today)
		if err != nil {
			return 0, fmt.Errorf("compute readiness of engagement %d: %w", e.ID, err)
		}
		results = append(results, r)
	}
	// A result never replaces one that reflects a later change.
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, r := range results {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO readiness_results (org_id, engagement_id, seq, day, computed_at, result) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (org_id, engagement_id) DO UPDATE SET seq = excluded.seq, day = excluded.day, computed_at = excluded.computed_at, result = excluded.result
				WHERE excluded.seq >= readiness_results.seq`),
				orgID, r.EngagementID, seq, today, now, jsonText(r)); err != nil {
				return fmt.Errorf("store readiness: %w", s.dialect.normalize(err))
			}
			if err := s.saveSnapshot(ctx, tx, orgID, attest.SnapshotOf(r, now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.derive.computed.Add(1)
	return seq, nil
}

// readiness returns the engagement's stored readiness, computing it first
// when none is stored, or when it is stale and no scheduler will.
func (s *DB) readiness(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, error) {
	sr, head, err := s.storedReadinessFor(ctx, orgID, e.ID)
	if err != nil {
		return nil, err
	}
	stale := sr != nil && (sr.seq < head || sr.day != s.today())
	deferred := s.deferred()
	if sr == nil || (stale && !deferred) {
		unlock := s.lockOrg(orgID)
		// Another reader may have refreshed meanwhile.
		if sr, head, err = s.storedReadiness(ctx, orgID, e.ID); err == nil && (sr == nil || sr.seq < head || sr.day != s.today()) {
			_, err = s.refresh(ctx, orgID)
			if err == nil {
				sr, head, err = s.storedReadiness(ctx, orgID, e.ID)
			}
		}
		unlock()
		if err != nil {
			return nil, err
		}
		if sr == nil {
			return nil, fmt.Errorf("readiness of engagement %d was computed but not stored", e.ID)
		}
		stale = false
	} else if stale {
		s.changed(orgID) // in case the change's own request was lost with its process
	}
	r := *sr.r // the decoded result is shared: a shallow copy carries this read's staleness
	r.UpdatedAt, r.Stale = sr.at, stale
	return &r, nil
}

// storedReadinessFor is storedReadiness, from the versions read with the
// session when they hold the engagement's stamp (it is the current one):
// then, while the decoded result is kept, there is no query.
func (s *DB) storedReadinessFor(ctx context.Context, orgID, engagementID int64) (*storedResult, int64, error) {
	v := attest.VersionsFrom(ctx, orgID)
	if v == nil || v.CurrentEngagement != engagementID || v.Derived.Seq < 0 {
		return s.storedReadiness(ctx, orgID, engagementID)
	}
	if sr := s.keptResult(engagementID, v.Derived.Seq, v.Derived.Day, v.Derived.At); sr != nil {
		return sr, v.Head, nil
	}
	return s.storedReadiness(ctx, orgID, engagementID)
}

// keptResult returns the engagement's decoded result when it is the one
// stored from change seq on day at at, else nil.
func (s *DB) keptResult(engagementID, seq int64, day attest.Date, at time.Time) *storedResult {
	d := &s.derive
	d.rmu.Lock()
	sr := d.results[engagementID]
	d.rmu.Unlock()
	if sr != nil && sr.seq == seq && sr.day == day && sr.at.Equal(at) {
		return sr
	}
	return nil
}

// storedReadiness returns the engagement's stored result (nil if none) and
// the organization's audit sequence number. The decoded result is kept
// until the stored one changes, so most reads are one indexed row.
func (s *DB) storedReadiness(ctx context.Context, orgID, engagementID int64) (*storedResult, int64, error) {
	var seq, head int64
	var day attest.Date
	var at time.Time
	err := s.db.QueryRowContext(ctx, s.q(`SELECT r.seq, r.day, r.computed_at, COALESCE((SELECT seq FROM audit_heads WHERE org_id = ?), 0)
		FROM readiness_results r WHERE r.org_id = ? AND r.engagement_id = ?`), orgID, orgID, engagementID).Scan(&seq, &day, &at, &head)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read readiness: %w", err)
	}
	if sr := s.keptResult(engagementID, seq, day, at); sr != nil {
		return sr, head, nil
	}
	sr := &storedResult{r: &attest.Readiness{}}
	var text string
	err = s.db.QueryRowContext(ctx, s.q(`SELECT seq, day, computed_at, result FROM readiness_results WHERE org_id = ? AND engagement_id = ?`), orgID, engagementID).
		Scan(&sr.seq, &sr.day, &sr.at, &text)
	if err != nil {
		return nil, 0, fmt.Errorf("read readiness: %w", err)
	}
	if err := fromJSON(text, sr.r); err != nil {
		return nil, 0, fmt.Errorf("read readiness: %w", err)
	}
	sr.at = sr.at.UTC()
	d := &s.derive
	d.rmu.Lock()
	if d.results == nil {
		d.results = map[int64]*storedResult{}
	}
	d.results[engagementID] = sr
	d.rmu.Unlock()
	return sr, head, nil
}

// ensureFresh refreshes the organization's figures when they are stale and
// no scheduler will: what reads of snapshots need in a process without
// background jobs.
func (s *DB) ensureFresh(ctx context.Context, orgID int64) error {
	if s.deferred() {
		return nil
	}
	defer s.lockOrg(orgID)()
	stale, err := s.stale(ctx, orgID)
	if err != nil || !stale {
		return err
	}
	_, err = s.refresh(ctx, orgID)
	return err
}
