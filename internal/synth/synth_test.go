package synth

import (
	"reflect"
	"testing"
)

// TestGenerate: the same size and seed give the same organization, a
// different seed another one, and the size is respected.
func TestGenerate(t *testing.T) {
	a, b, c := Resources(5000, 1), Resources(5000, 1), Resources(5000, 2)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed, different resources")
	}
	if reflect.DeepEqual(a, c) {
		t.Error("different seed, same resources")
	}
	if len(a) < 4900 || len(a) > 5003 {
		t.Errorf("%d resources for 5000", len(a))
	}
	types := map[string]int{}
	for _, r := range a {
		types[r.Type]++
		if r.ID == "" || r.Attributes == nil {
			t.Fatalf("incomplete resource %+v", r)
		}
	}
	if len(types) != len(share)+3 {
		t.Errorf("%d types: %v", len(types), types)
	}
}
