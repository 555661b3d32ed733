package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

// auditLog returns the organization's whole audit log, oldest first.
func auditLog(t *testing.T, db *DB, orgID int64) []*attest.AuditEntry {
	t.Helper()
	var all []*attest.AuditEntry
	f := attest.AuditFilter{Limit: maxAuditLimit}
	for {
		page, err := db.FindAuditLog(context.Background(), orgID, f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < f.Limit {
			break
		}
		f.BeforeSeq = page[len(page)-1].Seq
	}
	slices.Reverse(all)
	return all
}

// decodeAudit decodes an entry's before or after; nil when empty.
func decodeAudit(t *testing.T, raw json.RawMessage) map[string]any {
	t.Helper()
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return m
}

// verifyIntact fails the test if any audit chain has a problem.
func verifyIntact(t *testing.T, db *DB) {
	t.Helper()
	problems, err := db.VerifyAuditLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("audit problem: %+v", p)
	}
}

func TestAuditEveryChange(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := attest.WithActor(context.Background(), "user:ana@example.com")
		o := &attest.Organization{Name: "Acme"}
		if err := db.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
		org := o.ID
		other := newOrg(t, db, "Other")
		fw := catalog.MustSOC2()

		// A new organization: its creation, then the library in one entry.
		log := auditLog(t, db, org)
		if len(log) != 2 || log[0].Action != "organization.create" || log[1].Action != "control_library.sync" {
			t.Fatalf("a new organization's log: %v", actions(log))
		}
		if after := decodeAudit(t, log[0].After); after["name"] != "Acme" || log[0].EntityID != strconv.FormatInt(org, 10) || log[0].Before != nil {
			t.Errorf("organization.create: %s %s → %s", log[0].EntityID, log[0].Before, log[0].After)
		}
		if added := decodeAudit(t, log[1].After)["added"].([]any); len(added) != len(fw.Controls) || added[0] != fw.Controls[0].ID {
			t.Errorf("control_library.sync lists %d controls, want the %d of the library", len(added), len(fw.Controls))
		}

		first := fw.Controls[0].ID
		alice := member(t, db, org, "Alice")
		var unmapped string // a criterion the first control is not mapped to
		for _, c := range fw.Criteria {
			if !slices.Contains(fw.Controls[0].Criteria, c.ID) {
				unmapped = c.ID
				break
			}
		}
		const passwordHash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$hashhashhash"
		var (
			secret string
			tok    = &attest.Token{OrgID: org, Name: "ci", Role: attest.RoleViewer}
			eng    = &attest.Engagement{Name: "SOC 2 Type II", ReportType: attest.TypeII, WindowStart: "2026-01-01", WindowEnd: "2026-06-30"}
			sys    = &attest.System{Name: "API", Kind: "application"}
			task   = &attest.Task{Title: "Write the policy", ControlID: first}
		)
		id := func(n *int64) func() string { return func() string { return strconv.FormatInt(*n, 10) } }
		fixed := func(s string) func() string { return func() string { return s } }
		steps := []struct {
			action, entity string
			entityID       func() string
			do             func() error
			check          func(t *testing.T, before, after map[string]any)
		}{
			{"user.create", "user", fixed(strconv.FormatInt(alice+1, 10)), func() error {
				return db.CreateUser(ctx, &attest.User{OrgID: org, Email: "Ana@Example.com", Name: "Ana", Role: attest.RoleAdmin, PasswordHash: passwordHash})
			}, func(t *testing.T, before, after map[string]any) {
				if before != nil || after["email"] != "ana@example.com" || after["role"] != "admin" {
					t.Errorf("got %v → %v", before, after)
				}
			}},
			{"token.create", "token", id(&tok.ID), func() (err error) {
				secret, err = db.CreateToken(ctx, tok)
				return err
			}, func(t *testing.T, before, after map[string]any) {
				if before != nil || after["name"] != "ci" || after["role"] != "viewer" {
					t.Errorf("got %v → %v", before, after)
				}
			}},
			{"token.revoke", "token", id(&tok.ID), func() error { return db.RevokeToken(ctx, org, tok.ID) },
				func(t *testing.T, before, after map[string]any) {
					if before["revoked_at"] != nil || after["revoked_at"] == nil || after["name"] != "ci" {
						t.Errorf("got %v → %v", before, after)
					}
				}},
			{"control.create", "control", fixed("CUS-01"), func() error {
				return db.CreateControl(ctx, org, &attest.Control{ID: "CUS-01", Name: "Custom", Frequency: attest.Monthly, Criteria: []string{"CC6.1"}})
			}, func(t *testing.T, before, after map[string]any) {
				if before != nil || after["id"] != "CUS-01" || after["custom"] != true || fmt.Sprint(after["criteria"]) != "[CC6.1]" {
					t.Errorf("got %v → %v", before, after)
				}
			}},
			{"control.update", "control", fixed(first), func() error {
				_, err := db.UpdateControl(ctx, org, first, attest.ControlUpdate{Status: ptr(attest.Implemented), OwnerID: ptr(alice)})
				return err
			}, func(t *testing.T, before, after map[string]any) {
				owner, _ := after["owner"].(map[string]any)
				if before["status"] != "not_started" || before["owner"] != nil || after["status"] != "implemented" || owner["name"] != "Alice" {
					t.Errorf("got %v → %v", before, after)
				}
			}},
			{"control.map", "control", fixed(first), func() error { return db.MapControl(ctx, org, first, unmapped) },
				func(t *testing.T, before, after map[string]any) {
					if after["criterion"] != unmapped || slices.Contains(before["criteria"].([]any), any(unmapped)) || !slices.Contains(after["criteria"].([]any), any(unmapped)) {
						t.Errorf("got %v → %v", before, after)
					}
				}},
			{"control.unmap", "control", fixed(first), func() error { return db.UnmapControl(ctx, org, first, unmapped) },
				func(t *testing.T, before, after map[string]any) {
					if before["criterion"] != unmapped || !slices.Contains(before["criteria"].([]any), any(unmapped)) || slices.Contains(after["criteria"].([]any), any(unmapped)) {
						t.Errorf("got %v → %v", before, after)
					}
				}},
			{"engagement.create", "engagement", id(&eng.ID), func() error { return db.CreateEngagement(ctx, org, eng) },
				func(t *testing.T, before, after map[string]any) {
					if before != nil || after["name"] != "SOC 2 Type II" || after["report_type"] != "type2" {
						t.Errorf("got %v → %v", before, after)
					}
				}},
			{"engagement.update", "engagement", id(&eng.ID), func() error {
				_, err := db.UpdateEngagement(ctx, org, eng.ID, attest.EngagementUpdate{Name: ptr("FY26 Type II"), Categories: &[]string{"security", "availability"}})
				return err
			}, func(t *testing.T, before, after map[string]any) {
				if before["name"] != "SOC 2 Type II" || after["name"] != "FY26 Type II" || len(before["categories"].([]any)) != 1 || len(after["categories"].([]any)) != 2 {
					t.Errorf("got %v → %v", before, after)
				}
			}},
			{"system.add", "system", id(&sys.ID), func() error { return db.AddSystem(ctx, org, eng.ID, sys) },
				func(t *testing.T, before, after map[string]any) {
					if before != nil || after["name"] != "API" || after["engagement_id"] != float64(eng.ID) {
						t.Errorf("got %v → %v", before, after)
					}
				}},
			{"system.remove", "system", id(&sys.ID), func() error { return db.RemoveSystem(ctx, org, eng.ID, sys.ID) },
				func(t *testing.T, before, after map[string]any) {
					if before["name"] != "API" || before["kind"] != "application" || after != nil {
						t.Errorf("got %v → %v", before, after)
					}
				}},
			{"task.create", "task", id(&task.ID), func() error { return db.CreateTask(ctx, org, task) },
				func(t *testing.T, before, after map[string]any) {
					if before != nil || after["title"] != "Write the policy" || after["status"] != "open" || after["control_id"] != first {
						t.Errorf("got %v → %v", before, after)
					}
				}},
			{"task.update", "task", id(&task.ID), func() error {
				_, err := db.UpdateTask(ctx, org, task.ID, attest.TaskUpdate{Status: ptr(attest.TaskDone)})
				return err
			}, func(t *testing.T, before, after map[string]any) {
				if before["status"] != "open" || before["closed_at"] != nil || after["status"] != "done" || after["closed_at"] == nil {
					t.Errorf("got %v → %v", before, after)
				}
			}},
		}
		for _, st := range steps {
			t.Run(st.action, func(t *testing.T) {
				n := len(auditLog(t, db, org))
				if err := st.do(); err != nil {
					t.Fatal(err)
				}
				log := auditLog(t, db, org)
				if len(log) != n+1 {
					t.Fatalf("the change appended %d entries, want 1: %v", len(log)-n, actions(log[n:]))
				}
				e := log[n]
				if e.Seq != int64(n+1) || e.Action != st.action || e.Entity != st.entity || e.EntityID != st.entityID() || e.Actor != "user:ana@example.com" || e.OrgID != org {
					t.Errorf("entry = seq %d %s %s %s by %s in org %d; want seq %d %s %s %s by user:ana@example.com in org %d",
						e.Seq, e.Action, e.Entity, e.EntityID, e.Actor, e.OrgID, n+1, st.action, st.entity, st.entityID(), org)
				}
				if e.PrevHash != log[n-1].Hash || e.Hash != e.ComputeHash() {
					t.Errorf("entry %d is not chained to the one before", e.Seq)
				}
				for _, s := range []string{passwordHash, "hashhashhash", secret, attest.HashToken(secret)} {
					if s != "" && (strings.Contains(string(e.Before), s) || strings.Contains(string(e.After), s)) {
						t.Errorf("the entry records a secret %q: %s → %s", s, e.Before, e.After)
					}
				}
				st.check(t, decodeAudit(t, e.Before), decodeAudit(t, e.After))
			})
		}

		// Refused changes and changes that change nothing append nothing.
		n := len(auditLog(t, db, org))
		refused := []struct {
			name string
			do   func() error
		}{
			{"not applicable without justification", func() error {
				_, err := db.UpdateControl(ctx, org, first, attest.ControlUpdate{Status: ptr(attest.NotApplicable)})
				return err
			}},
			{"unknown control", func() error {
				_, err := db.UpdateControl(ctx, org, "NOPE-01", attest.ControlUpdate{OwnerNote: ptr("x")})
				return err
			}},
			{"duplicate control", func() error {
				return db.CreateControl(ctx, org, &attest.Control{ID: "CUS-01", Name: "Again", Frequency: attest.Monthly, Criteria: []string{"CC6.1"}})
			}},
			{"duplicate user", func() error { return db.CreateUser(ctx, &attest.User{OrgID: org, Email: "ana@example.com"}) }},
			{"revoked token", func() error { return db.RevokeToken(ctx, org, tok.ID) }},
			{"unmapped criterion", func() error { return db.UnmapControl(ctx, org, first, unmapped) }},
			{"bad window", func() error {
				_, err := db.UpdateEngagement(ctx, org, eng.ID, attest.EngagementUpdate{WindowEnd: ptr(attest.Date("2025-01-01"))})
				return err
			}},
			{"other organization's engagement", func() error { return db.AddSystem(ctx, other, eng.ID, &attest.System{Name: "X"}) }},
			{"unknown system", func() error { return db.RemoveSystem(ctx, org, eng.ID, 9999) }},
			{"bad task status", func() error {
				_, err := db.UpdateTask(ctx, org, task.ID, attest.TaskUpdate{Status: ptr(attest.TaskStatus("nope"))})
				return err
			}},
		}
		for _, r := range refused {
			if err := r.do(); err == nil {
				t.Errorf("%s: accepted", r.name)
			}
		}
		if err := db.MapControl(ctx, org, "CUS-01", "CC6.1"); err != nil {
			t.Errorf("mapping again: %v", err)
		}
		if err := db.RecordSnapshots(ctx, org); err != nil {
			t.Fatal(err)
		}
		if log := auditLog(t, db, org); len(log) != n {
			t.Errorf("refused changes, a repeated mapping and snapshots appended %v", actions(log[n:]))
		}
		if log := auditLog(t, db, other); len(log) != 2 {
			t.Errorf("the other organization's log: %v", actions(log))
		}
		verifyIntact(t, db)
	})
}

func actions(log []*attest.AuditEntry) []string {
	out := []string{}
	for _, e := range log {
		out = append(out, e.Action)
	}
	return out
}

// TestAuditTimestamps: an entry's time round-trips exactly (to the
// microsecond PostgreSQL keeps, in UTC), so its hash verifies.
func TestAuditTimestamps(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		zone := time.FixedZone("CET", 3600)
		at := func(ns int) time.Time { return time.Date(2026, 3, 4, 5, 6, 7, ns, zone) }
		times := []time.Time{at(123456789), at(123457000), at(999999999)}
		org := newOrg(t, db, "Acme")
		for _, tm := range times {
			db.Now = func() time.Time { return tm }
			if _, err := db.UpdateControl(ctx, org, "GOV-01", attest.ControlUpdate{Notes: ptr(tm.String())}); err != nil {
				t.Fatal(err)
			}
		}
		log := auditLog(t, db, org)[2:]
		for i, e := range log {
			want := times[i].UTC().Truncate(time.Microsecond)
			if !e.At.Equal(want) || e.At.Location() != time.UTC || e.At.Format(time.RFC3339Nano) != want.Format(time.RFC3339Nano) {
				t.Errorf("entry %d at %s, want %s", e.Seq, e.At.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
			}
			if e.ComputeHash() != e.Hash {
				t.Errorf("entry %d does not hash to its stored hash after a round trip", e.Seq)
			}
		}
		verifyIntact(t, db)

		// Since is inclusive, Until exclusive.
		find := func(f attest.AuditFilter) []int64 {
			f.Action = "control.update"
			got, err := db.FindAuditLog(ctx, org, f)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, e := range got {
				seqs = append(seqs, e.Seq)
			}
			return seqs
		}
		if got := find(attest.AuditFilter{Since: times[0]}); fmt.Sprint(got) != "[5 4 3]" {
			t.Errorf("since the first change: %v, want [5 4 3]", got)
		}
		if got := find(attest.AuditFilter{Since: times[1]}); fmt.Sprint(got) != "[5 4]" {
			t.Errorf("since the second change: %v, want [5 4]", got)
		}
		if got := find(attest.AuditFilter{Until: times[1]}); fmt.Sprint(got) != "[3]" {
			t.Errorf("until the second change: %v, want [3]", got)
		}
		if got := find(attest.AuditFilter{Since: times[1], Until: times[2]}); fmt.Sprint(got) != "[4]" {
			t.Errorf("between: %v, want [4]", got)
		}
	})
}

func TestFindAuditLog(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ana := attest.WithActor(context.Background(), "user:ana")
		ci := attest.WithActor(context.Background(), "token:ci")
		org := newOrg(t, db, "Acme")
		for i, id := range []string{"GOV-01", "GOV-02", "GOV-03", "GOV-01"} {
			ctx := ana
			if i%2 == 1 {
				ctx = ci
			}
			if _, err := db.UpdateControl(ctx, org, id, attest.ControlUpdate{Notes: ptr(fmt.Sprint(i))}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateTask(ci, org, &attest.Task{Title: "t"}); err != nil {
			t.Fatal(err)
		}
		// Entries 1 and 2 are the organization's creation and library.
		tests := []struct {
			name string
			f    attest.AuditFilter
			want string
		}{
			{"all, newest first", attest.AuditFilter{}, "[7 6 5 4 3 2 1]"},
			{"actor", attest.AuditFilter{Actor: "user:ana"}, "[5 3]"},
			{"system actor", attest.AuditFilter{Actor: "system"}, "[2 1]"},
			{"action", attest.AuditFilter{Action: "task.create"}, "[7]"},
			{"entity", attest.AuditFilter{Entity: "control"}, "[6 5 4 3]"},
			{"entity and ID", attest.AuditFilter{Entity: "control", EntityID: "GOV-01"}, "[6 3]"},
			{"actor and action", attest.AuditFilter{Actor: "token:ci", Action: "control.update"}, "[6 4]"},
			{"limit", attest.AuditFilter{Limit: 2}, "[7 6]"},
			{"page back", attest.AuditFilter{Limit: 2, BeforeSeq: 6}, "[5 4]"},
			{"nothing", attest.AuditFilter{Actor: "nobody"}, "[]"},
		}
		for _, tc := range tests {
			got, err := db.FindAuditLog(ana, org, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			seqs := []int64{}
			for _, e := range got {
				seqs = append(seqs, e.Seq)
			}
			if fmt.Sprint(seqs) != tc.want {
				t.Errorf("%s: %v, want %s", tc.name, seqs, tc.want)
			}
		}
		if _, err := db.FindAuditLog(ana, org, attest.AuditFilter{Limit: -1}); attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("negative limit: %v, want invalid", err)
		}
		if got, err := db.FindAuditLog(ana, newOrg(t, db, "Other"), attest.AuditFilter{}); err != nil || len(got) != 2 {
			t.Errorf("another organization sees %d entries (%v), want its own 2", len(got), err)
		}

		// The default limit is 100 and no caller gets more than 1000.
		err := db.change(ana, org, func(tx *sql.Tx) error {
			for i := range 1100 {
				if err := db.appendAudit(ana, tx, org, "test.bulk", "test", strconv.Itoa(i), nil, map[string]int{"i": i}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct{ limit, want int }{{0, 100}, {1000, 1000}, {5000, 1000}} {
			got, err := db.FindAuditLog(ana, org, attest.AuditFilter{Limit: tc.limit})
			if err != nil || len(got) != tc.want {
				t.Errorf("limit %d: %d entries, %v; want %d", tc.limit, len(got), err, tc.want)
			}
		}
		verifyIntact(t, db)
	})
}

// seedAudit makes changes in two organizations, interleaved.
func seedAudit(t *testing.T, db *DB) (a, b int64) {
	t.Helper()
	ctx := attest.WithActor(context.Background(), "user:ana")
	a, b = newOrg(t, db, "Acme"), newOrg(t, db, "Beta")
	eng := newEngagement(t, db, a, "security")
	for i, id := range []string{"GOV-01", "GOV-02", "GOV-03", "GOV-04", "GOV-05"} {
		for _, org := range []int64{a, b} {
			if _, err := db.UpdateControl(ctx, org, id, attest.ControlUpdate{Status: ptr(attest.InProgress), OwnerNote: ptr(fmt.Sprint("owner", i))}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.CreateTask(ctx, a, &attest.Task{Title: "Task " + id, ControlID: id, EngagementID: eng.ID}); err != nil {
			t.Fatal(err)
		}
	}
	return a, b
}

func TestAuditChainVerifies(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		a, b := seedAudit(t, db)
		c, err := db.CheckAuditLog(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		na, nb := len(auditLog(t, db, a)), len(auditLog(t, db, b))
		if len(c.Problems) != 0 || c.Organizations != 2 || c.Entries != int64(na+nb) || len(c.Heads) != 2 {
			t.Fatalf("check: %d entries in %d organizations, %d heads, problems %v; want %d in 2, none", c.Entries, c.Organizations, len(c.Heads), c.Problems, na+nb)
		}
		if h := c.Heads[0]; h.OrgID != a || h.Seq != int64(na) || h.Hash != auditLog(t, db, a)[na-1].Hash {
			t.Errorf("head of %d: %+v", a, h)
		}
	})
}

// TestAuditTamper changes the database behind Attest's back, as someone with
// access to it could, and checks that verification names what was done.
func TestAuditTamper(t *testing.T) {
	type want struct {
		seq  int64
		kind string
	}
	const k = 5 // a middle entry
	// rehash recomputes an entry's own hash, as a tamperer who knows the
	// scheme would.
	rehash := func(t *testing.T, db *DB, org, seq int64, change func(e *attest.AuditEntry)) {
		var e *attest.AuditEntry
		for _, x := range auditLog(t, db, org) {
			if x.Seq == seq {
				e = x
			}
		}
		change(e)
		e.Hash = e.ComputeHash()
		exec(t, db, `UPDATE audit_log SET after = ?, hash = ? WHERE org_id = ? AND seq = ?`, string(e.After), e.Hash, org, seq)
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, db *DB, org, last int64)
		want   func(last int64) []want
	}{
		{"after altered", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `UPDATE audit_log SET after = ? WHERE org_id = ? AND seq = ?`, `{"status":"implemented"}`, org, k)
		}, func(int64) []want { return []want{{k, "altered"}} }},
		{"actor altered", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `UPDATE audit_log SET actor = 'user:mallory' WHERE org_id = ? AND seq = ?`, org, k)
		}, func(int64) []want { return []want{{k, "altered"}} }},
		{"time altered", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `UPDATE audit_log SET at = ? WHERE org_id = ? AND seq = ?`, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), org, k)
		}, func(int64) []want { return []want{{k, "altered"}} }},
		{"first entry deleted", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `DELETE FROM audit_log WHERE org_id = ? AND seq = 1`, org)
		}, func(int64) []want { return []want{{1, "missing"}, {2, "broken_link"}} }},
		{"middle entry deleted", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `DELETE FROM audit_log WHERE org_id = ? AND seq = ?`, org, k)
		}, func(int64) []want { return []want{{k, "missing"}, {k + 1, "broken_link"}} }},
		{"two entries swapped", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `UPDATE audit_log SET seq = -1 WHERE org_id = ? AND seq = ?`, org, k)
			exec(t, db, `UPDATE audit_log SET seq = ? WHERE org_id = ? AND seq = ?`, k, org, k+1)
			exec(t, db, `UPDATE audit_log SET seq = ? WHERE org_id = ? AND seq = -1`, k+1, org)
		}, func(int64) []want {
			return []want{{k, "altered"}, {k, "broken_link"}, {k + 1, "altered"}, {k + 1, "broken_link"}, {k + 2, "broken_link"}}
		}},
		{"middle entry altered and rehashed", func(t *testing.T, db *DB, org, last int64) {
			rehash(t, db, org, k, func(e *attest.AuditEntry) { e.After = json.RawMessage(`{"status":"implemented"}`) })
		}, func(int64) []want { return []want{{k + 1, "broken_link"}} }},
		{"last entry deleted", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `DELETE FROM audit_log WHERE org_id = ? AND seq = ?`, org, last)
		}, func(last int64) []want { return []want{{last, "missing"}} }},
		{"last two entries deleted", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `DELETE FROM audit_log WHERE org_id = ? AND seq >= ?`, org, last-1)
		}, func(last int64) []want { return []want{{last - 1, "missing"}} }},
		{"last entry altered and rehashed", func(t *testing.T, db *DB, org, last int64) {
			rehash(t, db, org, last, func(e *attest.AuditEntry) { e.After = json.RawMessage(`{}`) })
		}, func(last int64) []want { return []want{{last, "altered"}} }},
		{"head deleted", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `DELETE FROM audit_heads WHERE org_id = ?`, org)
		}, func(last int64) []want { return []want{{last, "missing"}} }},
		{"whole log deleted", func(t *testing.T, db *DB, org, last int64) {
			exec(t, db, `DELETE FROM audit_log WHERE org_id = ?`, org)
			exec(t, db, `DELETE FROM audit_heads WHERE org_id = ?`, org)
		}, func(last int64) []want { return []want{{1, "missing"}} }},
		{"entry appended outside Attest", func(t *testing.T, db *DB, org, last int64) {
			log := auditLog(t, db, org)
			e := *log[len(log)-1]
			e.Seq, e.PrevHash, e.After = last+1, e.Hash, json.RawMessage(`{"forged":true}`)
			e.Hash = e.ComputeHash()
			exec(t, db, `INSERT INTO audit_log (`+auditColumns+`) VALUES (`+placeholders(11)+`)`,
				e.OrgID, e.Seq, e.At, e.Actor, e.Action, e.Entity, e.EntityID, string(e.Before), string(e.After), e.PrevHash, e.Hash)
		}, func(last int64) []want { return []want{{last + 1, "broken_link"}} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			each(t, func(t *testing.T, db *DB) {
				a, b := seedAudit(t, db)
				verifyIntact(t, db)
				last := int64(len(auditLog(t, db, a)))
				tc.tamper(t, db, a, last)
				problems, err := db.VerifyAuditLog(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				var got []want
				for _, p := range problems {
					got = append(got, want{p.Seq, p.Kind})
					if p.OrgID != a {
						t.Errorf("a problem in the untouched organization %d: %+v", b, p)
					}
					if !strings.HasPrefix(p.Message, fmt.Sprintf("organization %d: ", a)) || !strings.Contains(p.Message, strconv.FormatInt(p.Seq, 10)) && p.Seq != 1 {
						t.Errorf("message does not name the organization and entry: %q", p.Message)
					}
					t.Logf("%s: %s", p.Kind, p.Message)
				}
				cmp := func(x, y want) int {
					if x.seq != y.seq {
						return int(x.seq - y.seq)
					}
					return strings.Compare(x.kind, y.kind)
				}
				slices.SortFunc(got, cmp)
				if w := tc.want(last); !slices.Equal(got, w) {
					t.Errorf("problems %v, want %v", got, w)
				}
			})
		})
	}
}

// exec runs a statement against the database directly, as a tamperer would.
func exec(t *testing.T, db *DB, query string, args ...any) {
	t.Helper()
	res, err := db.db.Exec(db.q(query), args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed nothing", query)
	}
}

// TestAuditConcurrent: writers changing one organization at once leave one
// chain without gaps or forks.
func TestAuditConcurrent(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		org := newOrg(t, db, "Acme")
		newEngagement(t, db, org, "security")
		controls := catalog.MustSOC2().Controls
		const writers, changes = 8, 5
		var wg sync.WaitGroup
		errs := make(chan error, writers*changes)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx := attest.WithActor(context.Background(), fmt.Sprint("writer:", w))
				for i := range changes {
					var err error
					if i%2 == 0 {
						// Every writer also changes the same control.
						_, err = db.UpdateControl(ctx, org, controls[0].ID, attest.ControlUpdate{Notes: ptr(fmt.Sprint(w, "/", i))})
					} else {
						_, err = db.UpdateControl(ctx, org, controls[w+1].ID, attest.ControlUpdate{OwnerNote: ptr(fmt.Sprint("owner", i))})
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		log := auditLog(t, db, org)
		if len(log) != 3+writers*changes {
			t.Fatalf("%d entries, want %d", len(log), 3+writers*changes)
		}
		for i, e := range log {
			if e.Seq != int64(i+1) {
				t.Fatalf("entry %d has seq %d", i+1, e.Seq)
			}
		}
		// Writers of the shared control queued: each entry's "before" is
		// what the entry before it on that control left.
		var notes string
		for _, e := range log[3:] {
			if e.EntityID != controls[0].ID {
				continue
			}
			before, after := decodeAudit(t, e.Before), decodeAudit(t, e.After)
			if got, _ := before["notes"].(string); got != notes {
				t.Errorf("entry %d: before notes %q, want %q left by the change before", e.Seq, got, notes)
			}
			notes, _ = after["notes"].(string)
		}
		verifyIntact(t, db)
	})
}

// TestAuditLibraryUpgrade: reopening with a larger library records what it
// added in one entry, attributed to the system; reopening again adds none.
func TestAuditLibraryUpgrade(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := o.open(t)
			full := catalog.MustSOC2()
			small := *full
			small.Controls = full.Controls[:10]
			db, err := Open(ctx, cfg, &small)
			if err != nil {
				t.Fatal(err)
			}
			org := newOrg(t, db, "Acme")
			db.Close()
			for range 2 {
				if db, err = Open(ctx, cfg, full); err != nil {
					t.Fatal(err)
				}
				log := auditLog(t, db, org)
				db.Close()
				if got := actions(log); fmt.Sprint(got) != "[organization.create control_library.sync control_library.sync]" {
					t.Fatalf("log after upgrade: %v", got)
				}
				added := decodeAudit(t, log[2].After)["added"].([]any)
				if len(added) != len(full.Controls)-10 || added[0] != full.Controls[10].ID || log[2].Actor != "system" {
					t.Errorf("upgrade entry by %s lists %d controls, want %d by system", log[2].Actor, len(added), len(full.Controls)-10)
				}
			}
		})
	}
}

// TestAuditMigration: organizations from before the audit log get an empty
// chain, then their entries.
func TestAuditMigration(t *testing.T) {
	for _, o := range openers(t) {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cfg := o.open(t)
			d, dsn, err := dialectFor(cfg)
			if err != nil {
				t.Fatal(err)
			}
			init, err := fs.ReadFile(d.migrations(), "00001_init.sql")
			if err != nil {
				t.Fatal(err)
			}
			raw, err := d.open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			if err := migrate(ctx, raw, d, fstest.MapFS{"00001_init.sql": {Data: init}}); err != nil {
				t.Fatal(err)
			}
			if _, err := raw.ExecContext(ctx, d.rebind(`INSERT INTO organizations (name, created_at) VALUES (?, ?)`), "Old", time.Now().UTC()); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			db, err := Open(ctx, cfg, catalog.MustSOC2())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			c, err := db.CheckAuditLog(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Problems) != 0 || c.Organizations != 1 || c.Entries != 1 {
				t.Fatalf("after migrating: %d entries in %d organizations, problems %v", c.Entries, c.Organizations, c.Problems)
			}
			if log := auditLog(t, db, 1); log[0].Seq != 1 || log[0].Action != "control_library.sync" || log[0].PrevHash != "" {
				t.Errorf("first entry of an old organization: %+v", log[0])
			}
		})
	}
}
