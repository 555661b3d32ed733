package store

import (
	"context"
	"time"
)

// DefaultBackgroundShare is how much of its time a long background write
// spends writing by default while pages are being served (see
// DB.BackgroundShare).
const DefaultBackgroundShare = 0.25

// Serving marks a request of this process as being served until the
// returned function is called; the web server calls it for every request.
// Long background writes yield to pages only while there are pages to
// yield to.
func (s *DB) Serving() (done func()) {
	s.serving.Add(1)
	s.served.Add(1)
	return func() { s.serving.Add(-1) }
}

// pace pauses a long background write after one of its short transactions,
// which took took, for as long as keeps the write within its share of the
// time (DB.BackgroundShare): pages and other writers get the cores and the
// database in between. When this process served no request since the last
// pause and serves none now, nobody is waiting for the cores and the write
// goes on at once. It returns early, with the error, when ctx ends.
func (s *DB) pace(ctx context.Context, took time.Duration) error {
	share := s.BackgroundShare
	served := s.served.Load()
	idle := s.pacedAt.Swap(served) == served && s.serving.Load() == 0
	if idle || share <= 0 || share >= 1 {
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
