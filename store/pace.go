package store

import (
	"context"
	"time"
)

// DefaultBackgroundShare is how much of its time a long background write
// spends writing by default (see DB.BackgroundShare).
const DefaultBackgroundShare = 0.5

// pace pauses a long background write after one of its short transactions,
// which took took, for as long as keeps the write within its share of the
// time (DB.BackgroundShare): pages and other writers get the cores and the
// database in between. It returns early, with the error, when ctx ends.
func (s *DB) pace(ctx context.Context, took time.Duration) error {
	share := s.BackgroundShare
	if share <= 0 || share >= 1 {
		return ctx.Err()
	}
	t := time.NewTimer(time.Duration(float64(took) * (1/share - 1)))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
