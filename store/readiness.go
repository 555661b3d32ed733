package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/attest-dev/attest"
)

// Readiness returns the engagement's readiness as last derived from the
// facts (see derived.go). The result shares its slices with other callers:
// it must not be modified.
func (s *DB) Readiness(ctx context.Context, orgID, engagementID int64) (*attest.Readiness, error) {
	e, err := s.FindEngagementByID(ctx, orgID, engagementID)
	if err != nil {
		return nil, err
	}
	return s.readiness(ctx, orgID, e)
}

// ReadinessOf is Readiness for an engagement the caller has already loaded.
func (s *DB) ReadinessOf(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, error) {
	return s.readiness(ctx, orgID, e)
}

// ReadinessAndScores returns what a dashboard shows of an engagement: its
// readiness and its daily scores. Snapshots are recorded with the derived
// readiness, so the scores are kept in memory until that changes.
func (s *DB) ReadinessAndScores(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, []*attest.Snapshot, error) {
	r, err := s.readiness(ctx, orgID, e)
	if err != nil {
		return nil, nil, err
	}
	sc, err := s.scoresAt(ctx, orgID, e.ID, scoresKey{at: r.UpdatedAt.UnixNano(), day: r.Date})
	return r, sc, err
}

// scoresKey identifies a reading of an engagement's snapshots: they change
// when readiness is derived again (or SaveSnapshot is called here).
type scoresKey struct {
	at  int64 // UnixNano of the derivation
	day attest.Date
}

// scoresCache keeps each engagement's daily scores with their key.
type scoresCache struct {
	mu sync.Mutex
	m  map[int64]scoresEntry // by engagement ID
}

type scoresEntry struct {
	key scoresKey
	v   []*attest.Snapshot
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
	if gates, err = s.deviationGates(ctx, orgID, gates, e, controls, today); err != nil {
		return nil, err
	}
	r := attest.ComputeReadiness(s.fw, e.Categories, attest.HoldControls(controls, gates), tasks, today)
	reqs, err := s.requestsOf(ctx, orgID, e, controls, today)
	if err != nil {
		return nil, err
	}
	attest.ApplyCoverage(r, reqs)
	if err := s.registerGaps(ctx, orgID, r, today); err != nil {
		return nil, err
	}
	if r.Gaps, err = s.appendRecordGaps(ctx, orgID, r.Gaps, today); err != nil { // people, training, reviews, changes, tests
		return nil, err
	}
	r.EngagementID, r.Engagement = e.ID, e.Name
	return r, nil
}

// RecordSnapshots derives today's readiness of each of the organization's
// engagements now and records it, replacing any snapshot taken earlier
// today: Refresh, under the name of the ReadinessService.
func (s *DB) RecordSnapshots(ctx context.Context, orgID int64) error {
	return s.Refresh(ctx, orgID)
}

// SaveSnapshot stores a snapshot, replacing the one of the same day.
func (s *DB) SaveSnapshot(ctx context.Context, orgID int64, sn *attest.Snapshot) error {
	return s.saveSnapshot(ctx, s.db, orgID, sn)
}

func (s *DB) saveSnapshot(ctx context.Context, x queryer, orgID int64, sn *attest.Snapshot) error {
	_, err := x.ExecContext(ctx, s.q(`INSERT INTO readiness_snapshots (org_id, engagement_id, day, score, ready, partial, gap, categories, taken_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (engagement_id, day) DO UPDATE SET score = excluded.score, ready = excluded.ready, partial = excluded.partial,
			gap = excluded.gap, categories = excluded.categories, taken_at = excluded.taken_at`),
		orgID, sn.EngagementID, sn.Date, sn.Score, sn.Ready, sn.Partial, sn.Gap, jsonText(sn.Categories), sn.TakenAt)
	if err != nil {
		return fmt.Errorf("save snapshot: %w", s.dialect.normalize(err))
	}
	s.scores.mu.Lock()
	delete(s.scores.m, sn.EngagementID)
	s.scores.mu.Unlock()
	return nil
}

// FindSnapshots returns the engagement's snapshots, oldest first.
func (s *DB) FindSnapshots(ctx context.Context, orgID, engagementID int64) ([]*attest.Snapshot, error) {
	if _, err := s.FindEngagementByID(ctx, orgID, engagementID); err != nil {
		return nil, err
	}
	if err := s.ensureFresh(ctx, orgID); err != nil {
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
// per-category detail: what a trend chart needs. The series is kept until
// readiness is derived again (which records today's snapshot); the result
// is shared and must not be modified.
func (s *DB) scoresAt(ctx context.Context, orgID, engagementID int64, key scoresKey) ([]*attest.Snapshot, error) {
	s.scores.mu.Lock()
	e, ok := s.scores.m[engagementID]
	s.scores.mu.Unlock()
	if ok && e.key == key {
		return e.v, nil
	}
	sc, err := s.readScores(ctx, orgID, engagementID)
	if err != nil {
		return nil, err
	}
	s.scores.mu.Lock()
	if s.scores.m == nil {
		s.scores.m = map[int64]scoresEntry{}
	}
	s.scores.m[engagementID] = scoresEntry{key, sc}
	s.scores.mu.Unlock()
	return sc, nil
}

func (s *DB) readScores(ctx context.Context, orgID, engagementID int64) ([]*attest.Snapshot, error) {
	return queryAll(ctx, s.db, "find scores", func(row rowScanner) (*attest.Snapshot, error) {
		sn := &attest.Snapshot{EngagementID: engagementID}
		return sn, row.Scan(&sn.Date, &sn.Score)
	}, s.q(`SELECT day, score FROM readiness_snapshots WHERE org_id = ? AND engagement_id = ? ORDER BY day`), orgID, engagementID)
}
