package check

import (
	"context"
	"fmt"
	"slices"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
	"github.com/attest-dev/attest/collect"
)

// Source gives the engine the resources of one type. Resources calls fn
// once per resource and stops at the first error fn returns. The engine
// may keep a resource (and its attribute map) until the run ends, so a
// source must not change one after handing it over.
type Source interface {
	Resources(ctx context.Context, typ string, fn func(collect.Resource) error) error
}

// Run evaluates checks over the resources src gives and calls emit once
// per check and selected resource, in a stable order: resource types in
// the order the checks first name them, resources in the source's order,
// checks in the given order. An expression that fails on one resource
// gives an Error row; Run itself fails only when the source, emit or the
// context does. Lookups are built first, one pass over each type they
// read. Evaluation runs on every core.
func Run(ctx context.Context, checks []*Check, src Source, emit func(Result) error) error {
	now := types.Timestamp{Time: time.Now().UTC()}
	return run(ctx, checks, src, emit, now)
}

// RunAt is Run with a given clock, for tests and reproducible runs.
func RunAt(ctx context.Context, at time.Time, checks []*Check, src Source, emit func(Result) error) error {
	return run(ctx, checks, src, emit, types.Timestamp{Time: at.UTC()})
}

func run(ctx context.Context, checks []*Check, src Source, emit func(Result) error, now types.Timestamp) error {
	tables, err := buildLookups(ctx, checks, src, now)
	if err != nil {
		return err
	}
	var order []string
	byType := map[string][]int{}
	for i, c := range checks {
		for _, t := range c.ResourceTypes {
			if _, ok := byType[t]; !ok {
				order = append(order, t)
			}
			if !slices.Contains(byType[t], i) {
				byType[t] = append(byType[t], i)
			}
		}
	}
	for _, t := range order {
		sel := make([]*Check, len(byType[t]))
		lts := make([]ref.Val, len(byType[t]))
		for j, i := range byType[t] {
			sel[j], lts[j] = checks[i], tables[i]
		}
		if err := runType(ctx, t, sel, lts, src, emit, now); err != nil {
			return err
		}
	}
	return nil
}

// activation is what an expression sees; one per worker, refilled for
// each resource so evaluation allocates as little as possible. The
// resource is handed to CEL as a plain Go map: CEL's attribute access
// reads map[string]any natively, without wrapping every level it passes.
type activation struct {
	now     ref.Val
	lookups ref.Val
	fields  map[string]any
	res     *collect.Resource // the resource in view: own, or a batch's
	own     collect.Resource  // set's copy, so the caller's resource does not escape
	full    bool              // fields holds type, id and name as well as attributes
	filled  bool              // fields holds this resource's attributes
	native  nenv              // what the native fast path reads
}

func newActivation(now types.Timestamp) *activation {
	a := &activation{now: now, lookups: types.NullValue, fields: make(map[string]any, 4), native: nenv{now: now.Time}}
	a.res = &a.own
	a.native.res = a.res
	return a
}

// set makes r the resource in view. Only its attributes are put in the
// map: most conditions read nothing else, and boxing the other fields
// for every resource costs three allocations. need adds them.
func (a *activation) set(r collect.Resource) {
	a.own = r
	a.setAt(&a.own)
}

// setAt is set without the copy, for a resource held in a batch that
// stays put while it is evaluated.
func (a *activation) setAt(r *collect.Resource) {
	if a.full {
		delete(a.fields, "type")
		delete(a.fields, "id")
		delete(a.fields, "name")
		a.full = false
	}
	a.res, a.native.res = r, r
	a.filled = false
}

// fill puts the resource's attributes in the map CEL reads, the first
// time CEL asks: a resource the native path decides costs nothing here.
func (a *activation) fill() {
	attrs := a.res.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	a.fields["attributes"] = attrs
	a.filled = true
}

// need adds the resource's type, id and name for an expression that
// reads them.
func (a *activation) need() {
	if !a.full {
		a.fields["type"], a.fields["id"], a.fields["name"] = a.res.Type, a.res.ID, a.res.Name
		a.full = true
	}
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case resourceVar:
		if !a.filled {
			a.fill()
		}
		return a.fields, true
	case nowVar:
		return a.now, true
	case lookupsVar:
		return a.lookups, true
	}
	return nil, false
}

// Parent implements interpreter.Activation.
func (a *activation) Parent() interpreter.Activation { return nil }

// evaluate gives the row of one check on the resource in act.
func (c *Check) evaluate(act *activation) Result {
	r := act.res
	row := Result{CheckID: c.ID, ResourceType: r.Type, ResourceID: r.ID, ResourceName: r.Name}
	if c.nativeCond != nil && (c.when == nil || c.nativeWhen != nil) {
		act.native.attrs = r.Attributes
		act.native.lookups, _ = act.lookups.(*lookupTables)
		if status, known := c.evaluateNative(&act.native); known {
			if status == Fail {
				return c.fail(act, row)
			}
			row.Status = status
			return row
		}
	}
	if c.readsMeta {
		act.need()
	}
	if c.whenCondition != nil {
		if out, _, err := c.whenCondition.Eval(act); err == nil {
			switch out {
			case types.IntZero:
				return c.fail(act, row)
			case types.IntOne:
				row.Status = Pass
				return row
			case types.Int(2):
				row.Status = Skip
				return row
			}
		}
	}
	if c.when != nil {
		ok, err := evalBool(c.when, act)
		if err != nil {
			row.Status, row.Reason = Error, "when: "+err.Error()
			return row
		}
		if !ok {
			row.Status = Skip
			return row
		}
	}
	ok, err := evalBool(c.condition, act)
	switch {
	case err != nil:
		row.Status, row.Reason = Error, "condition: "+err.Error()
	case ok:
		row.Status = Pass
	default:
		return c.fail(act, row)
	}
	return row
}

// evaluateNative is the native fast path; known is false when CEL must
// decide.
func (c *Check) evaluateNative(n *nenv) (status Status, known bool) {
	if c.nativeWhen != nil {
		w, ok := c.nativeWhen(n)
		if !ok {
			return "", false
		}
		if !w {
			return Skip, true
		}
	}
	v, ok := c.nativeCond(n)
	switch {
	case !ok:
		return "", false
	case v:
		return Pass, true
	}
	return Fail, true
}

// fail completes a failing row with its reason.
func (c *Check) fail(act *activation, row Result) Result {
	row.Status = Fail
	if c.nativeReason != nil {
		act.native.attrs = act.res.Attributes
		act.native.lookups, _ = act.lookups.(*lookupTables)
		if s, ok := c.nativeReason(&act.native); ok {
			row.Reason = s
			return row
		}
	}
	act.need()
	out, _, err := c.reason.Eval(act)
	if err != nil {
		row.Reason = "(the reason could not be given: " + err.Error() + ")"
	} else if s, ok := out.(types.String); ok {
		row.Reason = string(s)
	} else {
		row.Reason = fmt.Sprint(out.Value())
	}
	return row
}

func evalBool(p cel.Program, act interpreter.Activation) (bool, error) {
	out, _, err := p.Eval(act)
	if err != nil {
		return false, err
	}
	b, ok := out.(types.Bool)
	if !ok {
		return false, fmt.Errorf("want true or false, got %s", out.Type().TypeName())
	}
	return bool(b), nil
}
