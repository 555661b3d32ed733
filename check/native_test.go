package check

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"cel.dev/cel-go/common/types"
	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/internal/synth"
)

// TestNativeAgreesWithCEL: wherever the native fast path answers, it
// gives CEL's row, for every built-in check over a synthetic organization
// and over variants of each resource with every attribute in turn made
// null, a string, a number, a list or missing.
func TestNativeAgreesWithCEL(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	src := NewMemorySource(synth.Resources(1500, 3))
	now := types.Timestamp{Time: synth.Now}
	tables, err := buildLookups(context.Background(), all, src, now)
	if err != nil {
		t.Fatal(err)
	}
	act := newActivation(now)
	native, answered := 0, 0
	for i, c := range all {
		act.lookups = tables[i]
		if c.nativeCond == nil {
			continue
		}
		native++
		slow := *c
		slow.nativeCond, slow.nativeWhen = nil, nil
		for _, typ := range c.ResourceTypes {
			for _, r := range src.byType[typ] {
				for _, v := range variants(r) {
					act.set(v)
					got, want := c.evaluate(act), slow.evaluate(act)
					if got != want {
						t.Fatalf("%s on %v:\nnative %+v\nCEL    %+v", c.ID, v.Attributes, got, want)
					}
					act.native.attrs = v.Attributes
					act.native.lookups, _ = act.lookups.(*lookupTables)
					if _, known := c.evaluateNative(&act.native); known {
						answered++
					}
				}
			}
		}
	}
	t.Logf("%d of %d built-in checks have a native path; it answered %d evaluations", native, len(all), answered)
	if native < len(all)/2 || answered == 0 {
		t.Errorf("native path used by %d checks, %d answers: the fast path has stopped applying", native, answered)
	}
}

// variants returns r and copies with each attribute (and each key of an
// object attribute) replaced or removed.
func variants(r collect.Resource) []collect.Resource {
	out := []collect.Resource{r}
	for _, m := range mapVariants(r.Attributes, 2) {
		out = append(out, collect.Resource{Type: r.Type, ID: r.ID, Name: r.Name, Attributes: m})
	}
	return out
}

func mapVariants(m map[string]any, depth int) []map[string]any {
	var out []map[string]any
	for k, old := range m {
		for _, v := range []any{nil, "x", 3.0, 1e300, []any{}, map[string]any{}, true, "delete"} {
			c := maps.Clone(m)
			if v == "delete" {
				delete(c, k)
			} else {
				c[k] = v
			}
			out = append(out, c)
		}
		if sub, ok := old.(map[string]any); ok && depth > 1 {
			for _, sv := range mapVariants(sub, depth-1) {
				c := maps.Clone(m)
				c[k] = sv
				out = append(out, c)
			}
		}
	}
	return out
}

// TestNativeLookupsAgree: lookup tables built with the native fast path
// equal those built by CEL alone, over roster entries with every
// attribute in turn made null, a string, a number or missing.
func TestNativeLookupsAgree(t *testing.T) {
	all, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var people []collect.Resource
	for _, r := range synth.Resources(2000, 5) {
		if r.Type == "hr.person" {
			for i, v := range variants(r) {
				v.ID = fmt.Sprintf("%s-%d", v.ID, i)
				people = append(people, v)
			}
		}
	}
	src := NewMemorySource(people)
	var slow []*Check
	for _, c := range all {
		s := *c
		s.lookups = slices.Clone(c.lookups)
		for i := range s.lookups {
			s.lookups[i].nativeWhen, s.lookups[i].nativeKey = nil, nil
		}
		slow = append(slow, &s)
	}
	now := types.Timestamp{Time: synth.Now}
	fast, err1 := buildLookups(context.Background(), all, src, now)
	want, err2 := buildLookups(context.Background(), slow, src, now)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !reflect.DeepEqual(fast, want) {
		t.Error("native lookups differ from CEL's")
	}
	n := 0
	for _, c := range all {
		for _, l := range c.lookups {
			if l.nativeKey != nil && (l.when == nil || l.nativeWhen != nil) {
				n++
			}
		}
	}
	if n == 0 {
		t.Error("no lookup has a native path")
	}
}
