package store

import (
	"context"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestTouchSessionOncePerBurst: requests of one session that all find its
// activity due write it once; the others go on without writing, and the
// next minute writes again.
func TestTouchSessionOncePerBurst(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		ann := &attest.User{OrgID: org, Email: "ann@acme.example", Name: "Ann", Active: true}
		if err := db.CreateUser(ctx, ann); err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return t0 }
		if err := db.CreateSession(ctx, "h", &attest.Session{UserID: ann.ID, OrgID: org, CSRF: "c", Stage: attest.StageFull}); err != nil {
			t.Fatal(err)
		}
		lastSeen := func() time.Time {
			t.Helper()
			si, err := db.FindSessionUser(ctx, "h")
			if err != nil {
				t.Fatal(err)
			}
			return si.Session.LastSeen.UTC()
		}
		// Two requests read the session before either touches it.
		a, _ := db.FindSessionUser(ctx, "h")
		b, _ := db.FindSessionUser(ctx, "h")
		t1 := t0.Add(2 * time.Minute)
		db.Now = func() time.Time { return t1 }
		if err := db.TouchSession(ctx, "h", a.Session); err != nil {
			t.Fatal(err)
		}
		if got := lastSeen(); !got.Equal(t1) {
			t.Fatalf("after the first touch last seen %v, want %v", got, t1)
		}
		// Mark the row so that a second write would show.
		if _, err := db.db.ExecContext(ctx, db.q(`UPDATE sessions SET last_seen = ? WHERE token_hash = ?`), t0, "h"); err != nil {
			t.Fatal(err)
		}
		if err := db.TouchSession(ctx, "h", b.Session); err != nil {
			t.Fatal(err)
		}
		if got := lastSeen(); !got.Equal(t0) {
			t.Errorf("the second request of the burst wrote last seen %v", got)
		}
		t2 := t1.Add(2 * time.Minute)
		db.Now = func() time.Time { return t2 }
		if err := db.TouchSession(ctx, "h", b.Session); err != nil {
			t.Fatal(err)
		}
		if got := lastSeen(); !got.Equal(t2) {
			t.Errorf("a minute later last seen %v, want %v", got, t2)
		}
	})
}
