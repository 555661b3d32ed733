package check

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
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
	native, answered, reasons, reasonsAnswered := 0, 0, 0, 0
	for i, c := range all {
		act.lookups = tables[i]
		if c.nativeReason != nil {
			reasons++
		}
		if c.nativeCond == nil && c.nativeReason == nil {
			continue
		}
		if c.nativeCond != nil {
			native++
		}
		slow := *c
		slow.nativeCond, slow.nativeWhen, slow.nativeReason = nil, nil, nil
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
					if c.nativeCond != nil {
						if _, known := c.evaluateNative(&act.native); known {
							answered++
						}
					}
					if c.nativeReason != nil && got.Status == Fail {
						if _, known := c.nativeReason(&act.native); known {
							reasonsAnswered++
						}
					}
				}
			}
		}
	}
	t.Logf("%d of %d built-in checks have a native condition; it answered %d evaluations", native, len(all), answered)
	t.Logf("%d have a native reason; it gave %d reasons", reasons, reasonsAnswered)
	if native < len(all)/2 || answered == 0 {
		t.Errorf("native path used by %d checks, %d answers: the fast path has stopped applying", native, answered)
	}
	if reasons < len(all)/2 || reasonsAnswered == 0 {
		t.Errorf("native reasons in %d checks, %d answers: the fast path has stopped applying", reasons, reasonsAnswered)
	}
}

// TestNativeReasonsAgreeWithCEL: reasons of every shape the native path
// compiles give CEL's text, and CEL's error where CEL fails, over
// resources with every attribute in turn made null, a string, a number,
// a list or missing.
func TestNativeReasonsAgreeWithCEL(t *testing.T) {
	reasons := []string{
		`'keys: ' + resource.attributes.keys.filter(k, k.active == true && k.age > 90).map(k, k.id + ' (' + string(int(k.age)) + ' days)').join(', ')`,
		`resource.attributes.keys.map(k, k.active, k.id).join()`,
		`resource.attributes.keys.map(k, k.id).join(resource.attributes.sep)`,
		`resource.attributes.tags.join('/')`,
		`resource.name + ' (' + resource.id + ', ' + resource.type + ') has ' + string(size(resource.attributes.keys)) + ' keys'`,
		`string(resource.attributes.owner) + string(resource.attributes.count)`,
		`string(int(resource.attributes.count)) + ' of ' + string(int(resource.attributes.ratio))`,
		`resource.attributes.owner + ' left on ' + lookup('people', lower(resource.attributes.owner)).attributes.end_date`,
		`lookup('people', resource.attributes.owner).name + '/' + lookup('people', resource.attributes.owner).attributes.nested.deep`,
		`resource.attributes.a + resource.attributes.b + resource.attributes.c + resource.attributes.a + resource.attributes.b + resource.attributes.c + resource.attributes.a + resource.attributes.b + resource.attributes.c`,
		`resource.attributes.keys.filter(k, k.tags.exists(t, t == 'old')).map(k, k.id).join(',')`,
		`resource.attributes.nested.deep + resource.attributes.keys.filter(k, k.age > 1).map(k, string(k.id)).join(' ')`,
		// Written in place (native_append.go): filters chained under a
		// map, a map over a map, separators that are not literals.
		`resource.attributes.keys.filter(k, k.active == true).filter(j, j.age > 90).map(x, x.active, x.id + '/' + string(int(x.age))).join(resource.attributes.sep)`,
		`resource.attributes.keys.map(k, k.id).map(i, i + '!').join('-') + resource.attributes.tags.join(resource.attributes.a)`,
		`resource.attributes.tags.map(t, resource.attributes.keys.map(k, k.id).join(t)).join(', ')`,
	}
	people := []collect.Resource{
		{Type: "hr.person", ID: "p1", Name: "Ann", Attributes: map[string]any{"email": "Ann@example.com", "end_date": "2024-01-02", "nested": map[string]any{"deep": "d"}}},
		{Type: "hr.person", ID: "p2", Name: "Bob", Attributes: map[string]any{"email": "bob@example.com", "end_date": 7.0}},
	}
	base := collect.Resource{Type: "test.thing", ID: "t1", Name: "Thing One", Attributes: map[string]any{
		"keys": []any{
			map[string]any{"id": "AK1", "active": true, "age": 120.0, "tags": []any{"old", "x"}},
			map[string]any{"id": "AK2", "active": false, "age": 200.5, "tags": []any{}},
			map[string]any{"id": "AK3", "active": true, "age": 12.0},
		},
		"tags":   []any{"a", "b", "c"},
		"sep":    "; ",
		"owner":  "ann@example.com",
		"count":  42.0,
		"ratio":  -3.7,
		"a":      "x",
		"b":      "y",
		"c":      "z",
		"nested": map[string]any{"deep": "down"},
	}}
	resources := variants(base)
	// Vary list elements as well (maps of one key: CEL prints maps in
	// its error messages in no fixed order).
	for _, k := range []string{"keys", "tags"} {
		for _, el := range []any{nil, "x", 3.0, map[string]any{"id": 5.0}, map[string]any{"age": 100.0}, map[string]any{"active": true}, []any{}} {
			r := base
			r.Attributes = maps.Clone(base.Attributes)
			r.Attributes[k] = append(slices.Clone(base.Attributes[k].([]any)), el)
			resources = append(resources, r)
		}
	}
	for _, el := range []any{map[string]any{"id": 5.0, "active": true, "age": 100.0}, map[string]any{"id": "AK9", "active": true, "age": 1e300}} {
		r := base
		r.Attributes = maps.Clone(base.Attributes)
		r.Attributes["keys"] = append(slices.Clone(base.Attributes["keys"].([]any)), el)
		resources = append(resources, r)
	}
	for _, owner := range []string{"bob@example.com", "nobody@example.com"} {
		r := base
		r.Attributes = maps.Clone(base.Attributes)
		r.Attributes["owner"] = owner
		resources = append(resources, r)
	}
	src := NewMemorySource(append(slices.Clone(people), resources...))
	now := types.Timestamp{Time: synth.Now}
	for i, reason := range reasons {
		yaml := strings.Replace(goodCheck, "resource_types: [idp.user]",
			"resource_types: [test.thing]\nlookups:\n  - name: people\n    resource_type: hr.person\n    key: lower(resource.attributes.email)", 1)
		yaml = strings.Replace(yaml, "reason: resource.attributes.email + ' has no MFA'", "reason: >-\n  "+reason, 1)
		c, err := Parse("x.yaml", []byte(yaml))
		if err != nil {
			t.Fatalf("reason %d: %v", i, err)
		}
		if c.nativeReason == nil {
			t.Errorf("reason %d has no native path: %s", i, reason)
			continue
		}
		tables, err := buildLookups(context.Background(), []*Check{c}, src, now)
		if err != nil {
			t.Fatal(err)
		}
		slow := *c
		slow.nativeReason = nil
		act := newActivation(now)
		act.lookups = tables[0]
		answered, errs := 0, 0
		for _, r := range resources {
			act.set(r)
			got, want := c.fail(act, Result{}), slow.fail(act, Result{})
			if got != want {
				t.Fatalf("reason %d on %v:\nnative %q\nCEL    %q", i, r.Attributes, got.Reason, want.Reason)
			}
			if _, ok := c.nativeReason(&act.native); ok {
				answered++
			}
			if strings.HasPrefix(want.Reason, "(the reason could not be given") {
				errs++
			}
		}
		if answered == 0 || i < 10 && errs == 0 {
			t.Errorf("reason %d: %d native answers, %d CEL errors over %d resources", i, answered, errs, len(resources))
		}
	}
}

// TestNativeConditionsAgreeWithCEL: the direct comparisons of one
// attribute with a literal and the lookup(…) == null test give CEL's rows,
// errors included, over resources with every attribute in turn made null,
// a string, a number, a list or missing.
func TestNativeConditionsAgreeWithCEL(t *testing.T) {
	conditions := []string{
		`resource.attributes.flag == true`,
		`resource.attributes.flag != false`,
		`resource.attributes.state == 'on'`,
		`resource.attributes.state != 'on'`,
		`resource.attributes.count > 3`,
		`resource.attributes.count <= 42`,
		`resource.attributes.count == 42`,
		`resource.attributes.count != 42`,
		`resource.attributes.state == null`,
		`resource.attributes.state != null`,
		`has(resource.attributes.state) && resource.attributes.count > 3`,
		`lookup('people', lower(resource.attributes.owner)) == null`,
		`lookup('people', resource.attributes.owner) != null || resource.attributes.flag == false`,
	}
	people := []collect.Resource{{Type: "hr.person", ID: "p1", Name: "Ann", Attributes: map[string]any{"email": "Ann@example.com"}}}
	base := collect.Resource{Type: "test.thing", ID: "t1", Name: "Thing One", Attributes: map[string]any{
		"flag": true, "state": "on", "count": 42.0, "owner": "ann@example.com",
	}}
	resources := variants(base)
	for k, v := range map[string]any{"owner": "ANN@example.com", "flag": false} {
		r := base
		r.Attributes = maps.Clone(base.Attributes)
		r.Attributes[k] = v
		resources = append(resources, r)
	}
	src := NewMemorySource(append(slices.Clone(people), resources...))
	now := types.Timestamp{Time: synth.Now}
	for i, cond := range conditions {
		yaml := strings.Replace(goodCheck, "resource_types: [idp.user]",
			"resource_types: [test.thing]\nlookups:\n  - name: people\n    resource_type: hr.person\n    key: lower(resource.attributes.email)", 1)
		yaml = strings.Replace(yaml, "when: resource.attributes.suspended == false\n", "", 1)
		yaml = strings.Replace(yaml, "condition: resource.attributes.mfa_enrolled == true", "condition: >-\n  "+cond, 1)
		c, err := Parse("x.yaml", []byte(yaml))
		if err != nil {
			t.Fatalf("condition %d: %v", i, err)
		}
		if c.nativeCond == nil {
			t.Errorf("condition %d has no native path: %s", i, cond)
			continue
		}
		tables, err := buildLookups(context.Background(), []*Check{c}, src, now)
		if err != nil {
			t.Fatal(err)
		}
		slow := *c
		slow.nativeCond, slow.nativeReason = nil, nil
		act := newActivation(now)
		act.lookups = tables[0]
		answered, errs := 0, 0
		statuses := map[Status]bool{}
		for _, r := range resources {
			act.set(r)
			got, want := c.evaluate(act), slow.evaluate(act)
			if got != want {
				t.Fatalf("condition %d on %v:\nnative %+v\nCEL    %+v", i, r.Attributes, got, want)
			}
			act.native.attrs = r.Attributes
			act.native.lookups, _ = act.lookups.(*lookupTables)
			if _, known := c.evaluateNative(&act.native); known {
				answered++
			}
			if want.Status == Error {
				errs++
			}
			statuses[want.Status] = true
		}
		if answered == 0 || errs == 0 || !statuses[Pass] || !statuses[Fail] {
			t.Errorf("condition %d: %d native answers, %d errors, statuses %v over %d resources", i, answered, errs, statuses, len(resources))
		}
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
