package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/attest-dev/attest"
)

// TestGroupCommit: many changes of one organization at once, some of
// which fail in the database (a taken email) and some in Go (an unknown
// control): each success is stored with its audit entry, each failure
// leaves nothing and gets its own error, and the chain verifies. On
// PostgreSQL the changes are committed in groups; on SQLite one by one.
func TestGroupCommit(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Group")
		other := newOrg(t, db, "Other")
		controls := db.Framework().Controls
		before, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		const writers, each = 16, 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		var ok, failed int
		wrong := map[string]int{}
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					var err error
					var want string
					switch i % 4 {
					case 0: // a new user: stored
						err = db.CreateUser(ctx, &attest.User{OrgID: org, Email: fmt.Sprintf("u%d-%d@group.example", w, i), Role: attest.RoleViewer})
					case 1: // a taken email: a unique violation inside the group
						err = db.CreateUser(ctx, &attest.User{OrgID: org, Email: "taken@group.example", Role: attest.RoleViewer})
						if err == nil {
							mu.Lock()
							wrong["first taken"]++ // exactly one writer creates it
							mu.Unlock()
						}
						want = attest.ECONFLICT
					case 2: // a control update: stored
						_, err = db.UpdateControl(ctx, org, controls[(w*each+i)%len(controls)].ID, attest.ControlUpdate{Notes: new(fmt.Sprintf("w%d i%d", w, i))})
					case 3: // an unknown control: refused in Go
						_, err = db.UpdateControl(ctx, org, "NOPE-99", attest.ControlUpdate{Notes: new("x")})
						want = attest.ENOTFOUND
					}
					// Another organization's writes interleave.
					if i == 5 {
						if _, err := db.UpdateControl(ctx, other, controls[w].ID, attest.ControlUpdate{Notes: new("other")}); err != nil {
							t.Error(err)
						}
					}
					mu.Lock()
					switch {
					case err == nil:
						ok++
					case want != "" && attest.ErrorCode(err) == want:
						failed++
					default:
						wrong[fmt.Sprintf("case %d: %v", i%4, err)]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wrong["first taken"] != 1 {
			t.Errorf("the taken email was created %d times, want once", wrong["first taken"])
		}
		delete(wrong, "first taken")
		if len(wrong) > 0 {
			t.Fatalf("unexpected outcomes: %v", wrong)
		}
		after, err := db.FindAuditLog(ctx, org, attest.AuditFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		// One entry per success; the first "taken" counts among failures
		// above as a success it is (ok includes it).
		if got := len(after) - len(before); got != ok {
			t.Errorf("%d audit entries for %d successful changes (%d refused)", got, ok, failed)
		}
		users, err := db.FindUsers(ctx, org)
		if err != nil {
			t.Fatal(err)
		}
		if want := writers*each/4 + 1; len(users) != want {
			t.Errorf("%d users, want %d", len(users), want)
		}
		db.group.mu.Lock()
		largest := db.group.largest
		db.group.mu.Unlock()
		if db.dialect == postgresDialect && largest < 2 {
			t.Errorf("on PostgreSQL no changes were committed together (largest group %d)", largest)
		}
		problems, err := db.VerifyAuditLog(ctx)
		if err != nil || len(problems) != 0 {
			t.Fatalf("audit chain after concurrent changes: %v %v", problems, err)
		}
	})
}
