package attest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

func TestPolicyGates(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	users := []*attest.User{
		{ID: 1, Name: "Ann", Role: attest.RoleAdmin, Active: true},
		{ID: 2, Name: "Bob", Role: attest.RoleEmployee, Active: true},
		{ID: 3, Name: "Aud", Role: attest.RoleAuditor, Active: true},
		{ID: 4, Name: "Old", Role: attest.RoleEmployee, Active: false},
	}
	templates := []*attest.PolicyTemplate{{Title: "Access", Controls: []string{"A-1", "A-2"}}, {Title: "Backup", Controls: []string{"B-1"}}}
	full := &attest.Policy{ID: 1, Title: "Access v2", Controls: []string{"A-1"}, PublishedVersion: "2.0", AckSince: now.AddDate(0, 0, -30)}
	half := &attest.Policy{ID: 2, Title: "Access old", Controls: []string{"A-1", "A-2"}, PublishedVersion: "1.1", AckSince: now.AddDate(0, 0, -30)}
	draft := &attest.Policy{ID: 3, Title: "Custom", Controls: []string{"C-1"}, CurrentVersion: "1.0"}
	acks := []*attest.Acknowledgement{
		{PolicyID: 1, Version: "2.0", UserID: 1}, {PolicyID: 1, Version: "2.0", UserID: 2},
		{PolicyID: 1, Version: "1.0", UserID: 3}, // an earlier major: does not count
		{PolicyID: 2, Version: "1.0", UserID: 1}, // the same major: counts
	}
	var standings []*attest.PolicyStanding
	for _, p := range []*attest.Policy{full, half, draft} {
		if st := attest.StandingOf(p, acks, users, 14, now); st != nil {
			standings = append(standings, st)
		}
	}
	if len(standings) != 2 || standings[0].Required != 2 || standings[0].Done != 2 || standings[1].Done != 1 || standings[1].Overdue != 1 {
		t.Fatalf("standings: %+v %+v", standings[0], standings[1])
	}
	gates := attest.PolicyGates(templates, []*attest.Policy{full, half, draft}, standings, 95)
	want := map[string]string{
		"A-2": `"Access old" is acknowledged by 50%`, // only the half-read policy names it
		"B-1": `such as the "Backup" template`,       // no policy adopted
		"C-1": `"Custom" is not published`,           // named only by the organization's draft
	}
	if _, held := gates["A-1"]; held || len(gates) != len(want) {
		t.Errorf("gates = %v: A-1 is covered by a policy in force", gates)
	}
	for id, w := range want {
		if !strings.Contains(gates[id], w) {
			t.Errorf("gate %s = %q, want it to say %q", id, gates[id], w)
		}
	}
	held := attest.HoldControls([]*attest.Control{{ID: "A-2", Status: attest.Implemented}, {ID: "A-1", Status: attest.Implemented}, {ID: "B-1", Status: attest.InProgress}}, gates)
	if held[0].Held == "" || held[1].Held != "" || held[2].Held != "" {
		t.Errorf("held controls: %+v %+v %+v", held[0], held[1], held[2])
	}
}
