package store

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

// TestOrganizationIsolation gives organization A an engagement with a
// system, a custom control and a task, then has B reach for each of them.
func TestOrganizationIsolation(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := newOrg(t, db, "Acme"), newOrg(t, db, "Globex")
		eng := newEngagement(t, db, a, "privacy")
		sys := &attest.System{Name: "API", Kind: "application"}
		if err := db.AddSystem(ctx, a, eng.ID, sys); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateControl(ctx, a, &attest.Control{ID: "CUS-01", Name: "Acme only", Frequency: attest.Daily, Criteria: []string{"CC6.1"}}); err != nil {
			t.Fatal(err)
		}
		task := &attest.Task{Title: "Acme task", ControlID: "CUS-01", EngagementID: eng.ID}
		if err := db.CreateTask(ctx, a, task); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			do   func() error
			code string
		}{
			{"find engagement", func() error { _, err := db.FindEngagementByID(ctx, b, eng.ID); return err }, attest.ENOTFOUND},
			{"update engagement", func() error {
				_, err := db.UpdateEngagement(ctx, b, eng.ID, attest.EngagementUpdate{Name: ptr("Stolen")})
				return err
			}, attest.ENOTFOUND},
			{"add system", func() error { return db.AddSystem(ctx, b, eng.ID, &attest.System{Name: "x"}) }, attest.ENOTFOUND},
			{"remove system", func() error { return db.RemoveSystem(ctx, b, eng.ID, sys.ID) }, attest.ENOTFOUND},
			{"scope", func() error { _, err := db.Scope(ctx, b, eng.ID); return err }, attest.ENOTFOUND},
			{"readiness", func() error { _, err := db.Readiness(ctx, b, eng.ID); return err }, attest.ENOTFOUND},
			{"snapshots", func() error { _, err := db.FindSnapshots(ctx, b, eng.ID); return err }, attest.ENOTFOUND},
			{"find control", func() error { _, err := db.FindControlByID(ctx, b, "CUS-01"); return err }, attest.ENOTFOUND},
			{"update control", func() error {
				_, err := db.UpdateControl(ctx, b, "CUS-01", attest.ControlUpdate{Status: ptr(attest.Implemented)})
				return err
			}, attest.ENOTFOUND},
			{"map control", func() error { return db.MapControl(ctx, b, "CUS-01", "CC7.1") }, attest.ENOTFOUND},
			{"unmap control", func() error { return db.UnmapControl(ctx, b, "CUS-01", "CC6.1") }, attest.ENOTFOUND},
			{"find task", func() error { _, err := db.FindTaskByID(ctx, b, task.ID); return err }, attest.ENOTFOUND},
			{"update task", func() error {
				_, err := db.UpdateTask(ctx, b, task.ID, attest.TaskUpdate{Status: ptr(attest.TaskDone)})
				return err
			}, attest.ENOTFOUND},
			{"task on A's control", func() error { return db.CreateTask(ctx, b, &attest.Task{Title: "x", ControlID: "CUS-01"}) }, attest.EINVALID},
			{"task on A's engagement", func() error { return db.CreateTask(ctx, b, &attest.Task{Title: "x", EngagementID: eng.ID}) }, attest.EINVALID},
		}
		for _, tt := range tests {
			if err := tt.do(); attest.ErrorCode(err) != tt.code {
				t.Errorf("B: %s: %v, want %s", tt.name, err, tt.code)
			}
		}
		// Lists of B show nothing of A's.
		if list, err := db.FindEngagements(ctx, b); err != nil || len(list) != 0 {
			t.Errorf("B's engagements: %d, %v", len(list), err)
		}
		if list, err := db.FindTasks(ctx, b, attest.TaskFilter{}); err != nil || len(list) != 0 {
			t.Errorf("B's tasks: %d, %v", len(list), err)
		}
		if list, err := db.FindControls(ctx, b, attest.ControlFilter{Criterion: "CC6.1"}); err != nil {
			t.Fatal(err)
		} else {
			for _, c := range list {
				if c.ID == "CUS-01" {
					t.Error("B's controls include A's custom control")
				}
			}
		}
		// A's rows are as A left them.
		got, err := db.FindEngagementByID(ctx, a, eng.ID)
		if err != nil || got.Name != eng.Name || len(got.Systems) != 1 {
			t.Errorf("A's engagement after B's attempts: %+v, %v", got, err)
		}
		if c, err := db.FindControlByID(ctx, a, "CUS-01"); err != nil || c.Status != attest.NotStarted || !reflect.DeepEqual(c.Criteria, []string{"CC6.1"}) {
			t.Errorf("A's custom control after B's attempts: %+v, %v", c, err)
		}
		if tk, err := db.FindTaskByID(ctx, a, task.ID); err != nil || tk.Status != attest.TaskOpen {
			t.Errorf("A's task after B's attempts: %+v, %v", tk, err)
		}

		// Each organization has its own copy of a library control.
		beforeA, _ := db.FindControlByID(ctx, a, "GOV-01")
		if _, err := db.UpdateControl(ctx, b, "GOV-01", attest.ControlUpdate{Status: ptr(attest.Implemented), OwnerNote: ptr("bob")}); err != nil {
			t.Fatal(err)
		}
		if err := db.UnmapControl(ctx, b, "GOV-01", beforeA.Criteria[0]); err != nil {
			t.Fatal(err)
		}
		afterA, _ := db.FindControlByID(ctx, a, "GOV-01")
		if !reflect.DeepEqual(afterA, beforeA) {
			t.Errorf("B's change to GOV-01 reached A: %+v, was %+v", afterA, beforeA)
		}
	})
}

func TestTokens(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a, b := newOrg(t, db, "Acme"), newOrg(t, db, "Globex")
		for _, bad := range []*attest.Token{{OrgID: a, Name: " "}, {OrgID: a, Name: "ci", Role: "root"}} {
			_, err := db.CreateToken(ctx, bad)
			wantCode(t, err, attest.EINVALID)
		}
		tok := &attest.Token{OrgID: a, Name: "ci", Role: attest.RoleViewer}
		secret, err := db.CreateToken(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, attest.TokenPrefix) || tok.ID == 0 {
			t.Fatalf("secret %q, id %d: want an attest_ secret and an id", secret, tok.ID)
		}
		used := clock(db, time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC))
		got, err := db.Authenticate(ctx, secret)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != tok.ID || got.OrgID != a || got.Role != attest.RoleViewer {
			t.Errorf("authenticated as %+v, want token %d of org %d, viewer", got, tok.ID, a)
		}
		list, err := db.FindTokens(ctx, a)
		if err != nil || len(list) != 1 || list[0].LastUsed == nil || !list[0].LastUsed.Equal(used) {
			t.Errorf("after use: %+v (%v), want last used %v", list, err, used)
		}
		// Last use is written at most once a minute.
		for _, step := range []struct {
			at, want time.Time
		}{
			{used.Add(30 * time.Second), used},
			{used.Add(2 * time.Minute), used.Add(2 * time.Minute)},
		} {
			clock(db, step.at)
			if _, err := db.Authenticate(ctx, secret); err != nil {
				t.Fatal(err)
			}
			if list, _ := db.FindTokens(ctx, a); len(list) != 1 || list[0].LastUsed == nil || !list[0].LastUsed.Equal(step.want) {
				t.Errorf("used at %v: last used %v, want %v", step.at, list[0].LastUsed, step.want)
			}
		}
		if list, _ := db.FindTokens(ctx, b); len(list) != 0 {
			t.Errorf("B lists %d tokens, want none", len(list))
		}
		tests := []struct {
			name   string
			secret string
		}{
			{"wrong secret", secret + "x"},
			{"empty secret", ""},
			{"the hash is not the secret", attest.HashToken(secret)},
		}
		for _, tt := range tests {
			_, err := db.Authenticate(ctx, tt.secret)
			if attest.ErrorCode(err) != attest.EUNAUTHORIZED {
				t.Errorf("%s: %v, want EUNAUTHORIZED", tt.name, err)
			}
		}
		wantCode(t, db.RevokeToken(ctx, b, tok.ID), attest.ENOTFOUND)
		if _, err := db.Authenticate(ctx, secret); err != nil {
			t.Fatalf("another organization's revocation took effect: %v", err)
		}
		wantCode(t, db.RevokeToken(ctx, a, tok.ID), "")
		_, err = db.Authenticate(ctx, secret)
		wantCode(t, err, attest.EUNAUTHORIZED)
		wantCode(t, db.RevokeToken(ctx, a, tok.ID), attest.ENOTFOUND)
		if list, _ := db.FindTokens(ctx, a); len(list) != 1 || list[0].RevokedAt == nil {
			t.Errorf("revoked token listed as %+v, want a revocation time", list)
		}
	})
}

func TestCreateUser(t *testing.T) {
	tests := []struct {
		name string
		user attest.User
		code string
	}{
		{"first", attest.User{Email: "Ann@Acme.example", Name: "Ann"}, ""},
		{"same email, other case", attest.User{Email: " ann@acme.example ", Name: "Ann again"}, attest.ECONFLICT},
		{"not an email", attest.User{Email: "ann"}, attest.EINVALID},
		{"unknown role", attest.User{Email: "bob@acme.example", Role: "root"}, attest.EINVALID},
	}
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		for _, tt := range tests {
			u := tt.user
			u.OrgID = org
			wantCode(t, db.CreateUser(ctx, &u), tt.code)
			if tt.code == "" && (u.ID == 0 || u.Email != "ann@acme.example" || u.Role != attest.RoleEmployee) {
				t.Errorf("%s: stored %+v, want an id, a lower-case email, role employee", tt.name, u)
			}
		}
		// An email is unique across organizations too: it is how one signs in.
		other := newOrg(t, db, "Globex")
		wantCode(t, db.CreateUser(ctx, &attest.User{OrgID: other, Email: "ann@acme.example"}), attest.ECONFLICT)
	})
}

// TestTimestamps checks that every stored time comes back as written: in
// UTC and within a second of the clock.
func TestTimestamps(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		// A local clock: the store must still store and return UTC.
		now := clock(db, time.Date(2026, 3, 10, 23, 30, 15, 123456789, time.FixedZone("PDT", -7*3600)))
		o := &attest.Organization{Name: "Acme"}
		if err := db.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
		e := newEngagement(t, db, o.ID)
		task := &attest.Task{Title: "t"}
		if err := db.CreateTask(ctx, o.ID, task); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateTask(ctx, o.ID, task.ID, attest.TaskUpdate{Status: ptr(attest.TaskDone)}); err != nil {
			t.Fatal(err)
		}
		tok := &attest.Token{OrgID: o.ID, Name: "ci"}
		if _, err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		orgs, err := db.FindOrganizations(ctx)
		if err != nil || len(orgs) != 1 {
			t.Fatalf("organizations: %v, %v", orgs, err)
		}
		eng, err := db.FindEngagementByID(ctx, o.ID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		c, err := db.FindControlByID(ctx, o.ID, "GOV-01")
		if err != nil {
			t.Fatal(err)
		}
		tk, err := db.FindTaskByID(ctx, o.ID, task.ID)
		if err != nil || tk.ClosedAt == nil {
			t.Fatalf("task: %+v, %v", tk, err)
		}
		toks, err := db.FindTokens(ctx, o.ID)
		if err != nil || len(toks) != 1 {
			t.Fatalf("tokens: %v, %v", toks, err)
		}
		snaps, err := db.FindSnapshots(ctx, o.ID, e.ID)
		if err != nil || len(snaps) != 1 {
			t.Fatalf("snapshots: %v, %v", snaps, err)
		}
		if snaps[0].Date != "2026-03-11" {
			t.Errorf("snapshot day %s, want the UTC day 2026-03-11", snaps[0].Date)
		}
		for _, tt := range []struct {
			name string
			got  time.Time
		}{
			{"organization created", orgs[0].CreatedAt},
			{"engagement created", eng.CreatedAt},
			{"control updated", c.UpdatedAt},
			{"task created", tk.CreatedAt},
			{"task closed", *tk.ClosedAt},
			{"token created", toks[0].CreatedAt},
			{"snapshot taken", snaps[0].TakenAt},
		} {
			if d := tt.got.Sub(now); d < -time.Second || d > time.Second || tt.got.Location() != time.UTC {
				t.Errorf("%s at %v, want %v in UTC", tt.name, tt.got, now.UTC())
			}
		}
	})
}

func TestCreateOrganizationInvalid(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for _, name := range []string{"", strings.Repeat("x", 201)} {
			wantCode(t, db.CreateOrganization(ctx, &attest.Organization{Name: name}), attest.EINVALID)
		}
		if orgs, err := db.FindOrganizations(ctx); err != nil || len(orgs) != 0 {
			t.Errorf("after refused creations: %d organizations (%v), want none", len(orgs), err)
		}
	})
}
