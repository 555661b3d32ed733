package store

import (
	"context"
	"fmt"

	"github.com/attest-dev/attest"
)

// Readiness computes the engagement's readiness as of today.
func (s *DB) Readiness(ctx context.Context, orgID, engagementID int64) (*attest.Readiness, error) {
	e, err := s.FindEngagementByID(ctx, orgID, engagementID)
	if err != nil {
		return nil, err
	}
	return s.readinessOf(ctx, orgID, e)
}

func (s *DB) readinessOf(ctx context.Context, orgID int64, e *attest.Engagement) (*attest.Readiness, error) {
	controls, err := s.FindControls(ctx, orgID, attest.ControlFilter{})
	if err != nil {
		return nil, err
	}
	today := s.today()
	// Only overdue tasks matter to readiness: those of this engagement and
	// those tied to no engagement.
	tasks, err := s.queryTasks(ctx, `SELECT `+taskColumns+` FROM tasks WHERE org_id = ? AND status <> 'done' AND due_date <> '' AND due_date < ? AND (engagement_id IS NULL OR engagement_id = ?) ORDER BY due_date, id`,
		orgID, today, e.ID)
	if err != nil {
		return nil, err
	}
	r := attest.ComputeReadiness(s.fw, e.Categories, controls, tasks, today)
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
	return nil
}

// FindSnapshots returns the engagement's snapshots, oldest first.
func (s *DB) FindSnapshots(ctx context.Context, orgID, engagementID int64) ([]*attest.Snapshot, error) {
	if _, err := s.FindEngagementByID(ctx, orgID, engagementID); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT engagement_id, day, score, ready, partial, gap, categories, taken_at FROM readiness_snapshots WHERE org_id = ? AND engagement_id = ? ORDER BY day`), orgID, engagementID)
	if err != nil {
		return nil, fmt.Errorf("find snapshots: %w", err)
	}
	defer rows.Close()
	out := []*attest.Snapshot{}
	for rows.Next() {
		sn := &attest.Snapshot{}
		var cats string
		if err := rows.Scan(&sn.EngagementID, &sn.Date, &sn.Score, &sn.Ready, &sn.Partial, &sn.Gap, &cats, &sn.TakenAt); err != nil {
			return nil, fmt.Errorf("find snapshots: %w", err)
		}
		if err := fromJSON(cats, &sn.Categories); err != nil {
			return nil, err
		}
		out = append(out, sn)
	}
	return out, rows.Err()
}
