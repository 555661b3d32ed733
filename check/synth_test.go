package check

import (
	"context"
	"reflect"
	"testing"

	"github.com/attest-dev/attest/internal/synth"
)

// TestBuiltinOverSynth: every built-in check reads the synthetic
// organization without an error row (the generator and the checks agree
// on the contract), and the hand-written floor gives exactly the engine's
// rows for its two checks.
func TestBuiltinOverSynth(t *testing.T) {
	src := NewMemorySource(synth.Resources(20000, 1))
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]map[Status]int{}
	err = RunAt(context.Background(), synth.Now, all, src, func(r Result) error {
		if per[r.CheckID] == nil {
			per[r.CheckID] = map[Status]int{}
		}
		per[r.CheckID][r.Status]++
		if r.Status == Error {
			t.Errorf("%s on %s %s: %s", r.CheckID, r.ResourceType, r.ResourceID, r.Reason)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range all {
		if per[c.ID][Pass]+per[c.ID][Fail] == 0 {
			t.Errorf("%s: evaluated no resource of the synthetic organization", c.ID)
		}
	}
	if per["idp-leaver-suspended"][Fail] == 0 || per["aws-iam-key-age"][Fail] == 0 {
		t.Error("the synthetic organization should hold leavers with active accounts and old keys")
	}

	var engine, floor []Result
	two := []*Check{}
	for _, c := range all {
		if c.ID == "idp-leaver-suspended" || c.ID == "aws-iam-key-age" {
			two = append(two, c)
		}
	}
	if err := RunAt(context.Background(), synth.Now, two, src, func(r Result) error { engine = append(engine, r); return nil }); err != nil {
		t.Fatal(err)
	}
	collectFloor := func(r Result) error { floor = append(floor, r); return nil }
	if two[0].ID == "idp-leaver-suspended" {
		_ = floorLeaverSuspended(context.Background(), src, synth.Now, collectFloor)
		_ = floorKeyAge(context.Background(), src, collectFloor)
	} else {
		_ = floorKeyAge(context.Background(), src, collectFloor)
		_ = floorLeaverSuspended(context.Background(), src, synth.Now, collectFloor)
	}
	if !reflect.DeepEqual(engine, floor) {
		for i := range min(len(engine), len(floor)) {
			if engine[i] != floor[i] {
				t.Fatalf("row %d differs:\nengine %+v\nfloor  %+v", i, engine[i], floor[i])
			}
		}
		t.Fatalf("engine %d rows, floor %d", len(engine), len(floor))
	}
}
