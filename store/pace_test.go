package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestPace: a background write pauses for the rest of its share after each
// transaction (at least that long: timers never fire early), not at all
// when it may write flat out, and stops pausing when its context ends.
func TestPace(t *testing.T) {
	s := &DB{BackgroundShare: 0.25}
	t0 := time.Now()
	if err := s.pace(context.Background(), 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(t0); waited < 30*time.Millisecond {
		t.Errorf("paused %v after a 10ms transaction at a quarter share, want at least 30ms", waited)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.pace(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("pace with a cancelled context = %v, want context.Canceled", err)
	}
	s.BackgroundShare = 1
	if err := s.pace(context.Background(), time.Hour); err != nil {
		t.Errorf("pace flat out = %v, want no pause and no error", err)
	}
}
