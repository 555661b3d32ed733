package attest_test

import (
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

func TestRequestQuery(t *testing.T) {
	fw := &attest.Framework{Categories: []attest.Category{{ID: "security", Name: "Security"}, {ID: "availability", Name: "Availability"}},
		Criteria: []attest.Criterion{{ID: "CC6.1", Category: "security"}, {ID: "A1.2", Category: "availability"}}}
	fw.Index()
	for _, c := range []struct {
		q    attest.RequestQuery
		want string
	}{
		{attest.RequestQuery{State: "lost"}, "unknown slot state"},
		{attest.RequestQuery{Sort: "sideways"}, "unknown order"},
		{attest.RequestQuery{Criterion: "CC9.9"}, "unknown criterion"},
		{attest.RequestQuery{Category: "nope"}, "unknown category"},
	} {
		if err := c.q.Validate(fw); attest.ErrorCode(err) != attest.EINVALID || !strings.Contains(attest.ErrorMessage(err), c.want) {
			t.Errorf("Validate(%+v) = %v, want %q", c.q, err, c.want)
		}
	}
	q := attest.RequestQuery{Criterion: " cc6.1 ", Search: "LOG"}
	if err := q.Validate(fw); err != nil || q.Criterion != "CC6.1" || q.Sort != attest.SortByControl || q.NeedsSlots() {
		t.Fatalf("Validate: %v, %+v", err, q)
	}
	ctl := func(id, name string, crit string, needs ...string) *attest.Control {
		c := &attest.Control{ID: id, Name: name, Criteria: []string{crit}}
		for _, n := range needs {
			c.Evidence = append(c.Evidence, attest.EvidenceNeed{What: n, Frequency: attest.Monthly})
		}
		return c
	}
	for _, c := range []struct {
		c    *attest.Control
		want bool
	}{
		{ctl("ACC-01", "Access", "CC6.1", "Login review"), true},   // need text
		{ctl("LOG-02", "Alerts", "CC6.1", "x"), true},              // ID
		{ctl("MON-01", "Central logging", "CC6.1", "x"), true},     // name
		{ctl("LOG-03", "Logs", "A1.2", "x"), false},                // other criterion
		{ctl("ACC-02", "Access", "CC6.1", "Badge records"), false}, // no match
	} {
		if got := q.MatchControl(c.c, fw); got != c.want {
			t.Errorf("MatchControl(%s) = %v", c.c.ID, got)
		}
	}

	slot := func(start attest.Date, st attest.SlotState, late bool) attest.Slot {
		return attest.Slot{Start: start, End: start, Due: start, State: st, Late: late}
	}
	reqs := []*attest.EvidenceRequest{
		{ControlID: "A", Need: 0, Slots: []attest.Slot{slot("2026-01-01", attest.SlotProvided, false), slot("2026-02-01", attest.SlotUpcoming, false)}},
		{ControlID: "B", Need: 0, Slots: []attest.Slot{slot("2026-01-01", attest.SlotMissing, false)}},
		{ControlID: "B", Need: 1, Slots: []attest.Slot{slot("2026-01-01", attest.SlotProvided, false)}},
		{ControlID: "C", Need: 0, Slots: []attest.Slot{slot("2025-12-01", attest.SlotMissing, true), slot("2026-03-01", attest.SlotMissing, false)}},
		{ControlID: "D", Need: 0, Slots: []attest.Slot{slot("2026-01-01", attest.SlotNotApplicable, false)}},
	}
	order := func(gs []*attest.RequestGroup) string {
		var s []string
		for _, g := range gs {
			s = append(s, g.ControlID)
		}
		return strings.Join(s, "")
	}
	for _, c := range []struct {
		q    attest.RequestQuery
		want string
	}{
		{attest.RequestQuery{}, "ABCD"},
		{attest.RequestQuery{Sort: attest.SortByDue}, "CBAD"},
		{attest.RequestQuery{Sort: attest.SortByStatus}, "CBAD"},
		{attest.RequestQuery{State: attest.SlotMissing}, "BC"},
		{attest.RequestQuery{State: attest.SlotLate}, "C"},
		// Counts are of the requests kept: B shows its provided need only.
		{attest.RequestQuery{State: attest.SlotProvided, Sort: attest.SortByStatus}, "AB"},
	} {
		if got := order(c.q.Group(reqs)); got != c.want {
			t.Errorf("Group(%+v) = %s, want %s", c.q, got, c.want)
		}
	}
	g := (&attest.RequestQuery{State: attest.SlotMissing}).Group(reqs)
	if len(g[0].Requests) != 1 || g[0].Missing != 1 || g[1].Late != 1 || g[1].Missing != 2 || g[1].NextDue != "2025-12-01" {
		t.Errorf("missing groups: B %d requests, %d missing; C %d late, %d missing, next due %s", len(g[0].Requests), g[0].Missing, g[1].Late, g[1].Missing, g[1].NextDue)
	}
	if n := len(reqs[3].SlotsIn(attest.SlotLate)); n != 1 {
		t.Errorf("late slots of C: %d", n)
	}
}
