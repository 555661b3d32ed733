package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// TestPace: while pages are served, a background write pauses for the rest
// of its share after each transaction (at least that long: timers never
// fire early); it does not pause when no request came since its last
// pause, nor when it may write flat out, and stops pausing when its
// context ends.
func TestPace(t *testing.T) {
	s := &DB{BackgroundShare: 0.25}
	paused := func(took time.Duration) time.Duration {
		t.Helper()
		t0 := time.Now()
		if err := s.pace(context.Background(), took); err != nil {
			t.Fatal(err)
		}
		return time.Since(t0)
	}
	if waited := paused(time.Hour); waited > time.Second {
		t.Errorf("paused %v with no page served, want no pause", waited)
	}
	done := s.Serving()
	if waited := paused(10 * time.Millisecond); waited < 30*time.Millisecond {
		t.Errorf("paused %v after a 10ms transaction at a quarter share while a page is served, want at least 30ms", waited)
	}
	done()
	// A request served and finished since the last pause still counts:
	// pages come and go between two transactions.
	s.Serving()()
	if waited := paused(10 * time.Millisecond); waited < 30*time.Millisecond {
		t.Errorf("paused %v after a page was served since the last pause, want at least 30ms", waited)
	}
	if waited := paused(time.Hour); waited > time.Second {
		t.Errorf("paused %v when no page came since the last pause, want no pause", waited)
	}
	defer s.Serving()()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.pace(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("pace with a cancelled context = %v, want context.Canceled", err)
	}
	s.BackgroundShare = 1
	if waited := paused(time.Hour); waited > time.Second {
		t.Errorf("paused %v flat out, want no pause", waited)
	}
}

// TestBackgroundResources: the paced read gives what Resources gives, in
// the same order, over more rows than it reads between pauses, with a page
// being served so that it pauses (TestPace holds pace to its pauses).
func TestBackgroundResources(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		in := newIntegration(t, db, org, "hosts")
		run, err := db.StartRun(ctx, org, in.ID, "test", "proc", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		rs := make([]collect.Resource, 2*pacedRows+3)
		for i := range rs {
			rs[i] = collect.Resource{Type: "linux.host", ID: fmt.Sprintf("h%04d", i), Attributes: map[string]any{"n": float64(i)}, CollectedAt: db.now()}
		}
		if err := db.ReplaceResources(ctx, org, in.ID, run.ID, rs); err != nil {
			t.Fatal(err)
		}
		run.Resources = len(rs)
		if err := db.FinishRun(ctx, org, run, attest.RunSucceeded, ""); err != nil {
			t.Fatal(err)
		}
		read := func(f func(context.Context, int64, string, func(int64, collect.Resource) error) error) []string {
			var out []string
			err := f(ctx, org, "linux.host", func(_ int64, r collect.Resource) error {
				out = append(out, fmt.Sprint(r.ID, r.Attributes["n"]))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		want := read(db.Resources)
		db.BackgroundShare = 0.5
		done := db.Serving()
		got := read(db.BackgroundResources)
		done()
		if len(want) != len(rs) || !slices.Equal(got, want) {
			t.Fatalf("paced read gave %d resources, plain read %d of %d, or another order", len(got), len(want), len(rs))
		}
	})
}
