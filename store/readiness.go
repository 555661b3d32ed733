package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/attest-dev/attest"
)

// Readiness computes the engagement's readiness as of today. The result is
// shared with other callers through a cache: it must not be modified.
func (s *DB) Readiness(ctx context.Context, orgID, engagementID int64) (*attest.Readiness, error) {
	e, err := s.FindEngagementByID(ctx, orgID, engagementID)
	if err != nil {
		return nil, err
	}
	return s.readinessOf(ctx, orgID, e)
}

// ReadinessOf is Readiness for an engagement the caller has already loaded.
func (s *DB) ReadinessOf(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, error) {
	return s.readinessOf(ctx, orgID, e)
}

// ReadinessAndScores returns what a dashboard shows of an engagement: its
// readiness and its daily scores, checked against one reading of the audit
// sequence number.
func (s *DB) ReadinessAndScores(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, []*attest.Snapshot, error) {
	seq, err := s.auditSeq(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	key := readinessKey{seq: seq, day: s.today()}
	r, err := s.readinessAt(ctx, orgID, e, key)
	if err != nil {
		return nil, nil, err
	}
	sc, err := s.scoresAt(ctx, orgID, e.ID, key)
	return r, sc, err
}

// readinessKey identifies a computed readiness. Every change to what
// readiness depends on (controls, mappings, engagements, tasks) appends to
// the organization's audit log, so the audit sequence number and the day
// (overdue tasks) say when a cached result is stale — in this process and
// after changes made by another process sharing the database.
type readinessKey struct {
	seq int64
	day attest.Date
}

// cache keeps one value per engagement with the key it was computed for.
type cache[V any] struct {
	mu sync.Mutex
	m  map[int64]cacheEntry[V] // by engagement ID
}

type cacheEntry[V any] struct {
	key readinessKey
	v   V
}

func (c *cache[V]) get(engagementID int64, k readinessKey) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[engagementID]; ok && e.key == k {
		return e.v
	}
	var zero V
	return zero
}

// lookup is get that also says whether the key was found, for values whose
// zero is a valid result (an organization without published policies).
func (c *cache[V]) lookup(id int64, k readinessKey) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[id]; ok && e.key == k {
		return e.v, true
	}
	var zero V
	return zero, false
}

func (c *cache[V]) put(engagementID int64, k readinessKey, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]cacheEntry[V]{}
	}
	c.m[engagementID] = cacheEntry[V]{k, v}
}

func (c *cache[V]) drop(engagementID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, engagementID)
}

// auditSeq returns the organization's latest audit sequence number.
func (s *DB) auditSeq(ctx context.Context, orgID int64) (int64, error) {
	var seq int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT seq FROM audit_heads WHERE org_id = ?`), orgID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read audit head: %w", err)
	}
	return seq, nil
}

// readinessOf returns the engagement's readiness from the cache, or computes
// and caches it. The sequence number is read before the data, so a result
// is never older than its key.
func (s *DB) readinessOf(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, error) {
	seq, err := s.auditSeq(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return s.readinessAt(ctx, orgID, e, readinessKey{seq: seq, day: s.today()})
}

func (s *DB) readinessAt(ctx context.Context, orgID int64, e *attest.Engagement, key readinessKey) (*attest.Readiness, error) {
	if r := s.readiness.get(e.ID, key); r != nil {
		return r, nil
	}
	r, err := s.computeReadiness(ctx, orgID, e, key.day)
	if err != nil {
		return nil, err
	}
	s.readiness.put(e.ID, key, r)
	return r, nil
}

func (s *DB) computeReadiness(ctx context.Context, orgID int64, e *attest.Engagement, today attest.Date) (*attest.Readiness, error) {
	controls, err := s.FindControls(ctx, orgID, attest.ControlFilter{})
	if err != nil {
		return nil, err
	}
	// Only overdue tasks matter to readiness: those of this engagement and
	// those tied to no engagement.
	tasks, err := s.queryTasks(ctx, orgID, `SELECT `+taskColumns+` FROM tasks WHERE org_id = ? AND status <> 'done' AND due_date <> '' AND due_date < ? AND (engagement_id IS NULL OR engagement_id = ?) ORDER BY due_date, id`,
		orgID, today, e.ID)
	if err != nil {
		return nil, err
	}
	gates, err := s.policyGates(ctx, orgID)
	if err != nil {
		return nil, err
	}
	r := attest.ComputeReadiness(s.fw, e.Categories, attest.HoldControls(controls, gates), tasks, today)
	reqs, err := s.requestsOf(ctx, orgID, e, controls, today)
	if err != nil {
		return nil, err
	}
	attest.ApplyCoverage(r, reqs)
	r.EngagementID, r.Engagement = e.ID, e.Name
	return r, nil
}

// RecordSnapshots records today's readiness of each of the organization's
// engagements, replacing any snapshot taken earlier today.
func (s *DB) RecordSnapshots(ctx context.Context, orgID int64) error {
	engagements, err := s.FindEngagements(ctx, orgID)
	if err != nil {
		return err
	}
	for _, e := range engagements {
		r, err := s.readinessOf(ctx, orgID, e)
		if err != nil {
			return err
		}
		if err := s.SaveSnapshot(ctx, orgID, attest.SnapshotOf(r, s.now())); err != nil {
			return err
		}
	}
	return nil
}

// recordSnapshots is RecordSnapshots after a change: the change is already
// committed, so a failure here is reported with that said.
func (s *DB) recordSnapshots(ctx context.Context, orgID int64) error {
	if err := s.RecordSnapshots(ctx, orgID); err != nil {
		return fmt.Errorf("the change was saved, but recording the readiness snapshot failed: %w", err)
	}
	return nil
}

// SaveSnapshot stores a snapshot, replacing the one of the same day.
func (s *DB) SaveSnapshot(ctx context.Context, orgID int64, sn *attest.Snapshot) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO readiness_snapshots (org_id, engagement_id, day, score, ready, partial, gap, categories, taken_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (engagement_id, day) DO UPDATE SET score = excluded.score, ready = excluded.ready, partial = excluded.partial,
			gap = excluded.gap, categories = excluded.categories, taken_at = excluded.taken_at`),
		orgID, sn.EngagementID, sn.Date, sn.Score, sn.Ready, sn.Partial, sn.Gap, jsonText(sn.Categories), sn.TakenAt)
	if err != nil {
		return fmt.Errorf("save snapshot: %w", s.dialect.normalize(err))
	}
	s.scores.drop(sn.EngagementID)
	return nil
}

// FindSnapshots returns the engagement's snapshots, oldest first.
func (s *DB) FindSnapshots(ctx context.Context, orgID, engagementID int64) ([]*attest.Snapshot, error) {
	if _, err := s.FindEngagementByID(ctx, orgID, engagementID); err != nil {
		return nil, err
	}
	return queryAll(ctx, s.db, "find snapshots", func(row rowScanner) (*attest.Snapshot, error) {
		sn := &attest.Snapshot{}
		var cats string
		if err := row.Scan(&sn.EngagementID, &sn.Date, &sn.Score, &sn.Ready, &sn.Partial, &sn.Gap, &cats, &sn.TakenAt); err != nil {
			return nil, err
		}
		return sn, fromJSON(cats, &sn.Categories)
	}, s.q(`SELECT engagement_id, day, score, ready, partial, gap, categories, taken_at FROM readiness_snapshots WHERE org_id = ? AND engagement_id = ? ORDER BY day`), orgID, engagementID)
}

// scoresAt returns an engagement's daily scores, oldest first, without the
// per-category detail: what a trend chart needs. Snapshots follow audited
// changes (and the hourly recording, which repeats today's score), so the
// series is cached by audit sequence number and day; the result is shared
// and must not be modified.
func (s *DB) scoresAt(ctx context.Context, orgID, engagementID int64, key readinessKey) ([]*attest.Snapshot, error) {
	if sc := s.scores.get(engagementID, key); sc != nil {
		return sc, nil
	}
	sc, err := s.readScores(ctx, orgID, engagementID)
	if err != nil {
		return nil, err
	}
	s.scores.put(engagementID, key, sc)
	return sc, nil
}

func (s *DB) readScores(ctx context.Context, orgID, engagementID int64) ([]*attest.Snapshot, error) {
	return queryAll(ctx, s.db, "find scores", func(row rowScanner) (*attest.Snapshot, error) {
		sn := &attest.Snapshot{EngagementID: engagementID}
		return sn, row.Scan(&sn.Date, &sn.Score)
	}, s.q(`SELECT day, score FROM readiness_snapshots WHERE org_id = ? AND engagement_id = ? ORDER BY day`), orgID, engagementID)
}
