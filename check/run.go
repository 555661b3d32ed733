package check

import (
	"context"
	"fmt"
	"runtime"
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
// each resource so evaluation allocates as little as possible.
type activation struct {
	resource ref.Val
	now      ref.Val
	lookups  ref.Val
	fields   map[string]any
}

func newActivation(now types.Timestamp) *activation {
	return &activation{now: now, lookups: types.NullValue, fields: make(map[string]any, 4)}
}

func (a *activation) set(r *collect.Resource) {
	a.fields["type"], a.fields["id"], a.fields["name"] = r.Type, r.ID, r.Name
	attrs := r.Attributes
	if attrs == nil {
		attrs = map[string]any{}
	}
	a.fields["attributes"] = attrs
	a.resource = types.NewStringInterfaceMap(types.DefaultTypeAdapter, a.fields)
}

// ResolveName implements interpreter.Activation.
func (a *activation) ResolveName(name string) (any, bool) {
	switch name {
	case resourceVar:
		return a.resource, true
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
func (c *Check) evaluate(act *activation, r *collect.Resource) Result {
	row := Result{CheckID: c.ID, ResourceType: r.Type, ResourceID: r.ID, ResourceName: r.Name}
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
		row.Status = Fail
		out, _, err := c.reason.Eval(act)
		if err != nil {
			row.Reason = "(the reason could not be given: " + err.Error() + ")"
		} else if s, ok := out.(types.String); ok {
			row.Reason = string(s)
		} else {
			row.Reason = fmt.Sprint(out.Value())
		}
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

// batch is a slice of resources evaluated by one worker; done carries its
// rows back to the emitter, which takes batches in order.
type batch struct {
	res  []collect.Resource
	rows []Result
	done chan struct{}
}

const batchSize = 512

// runType evaluates the checks selecting typ over its resources: the
// source feeds batches to one worker per core and the rows are emitted in
// the source's order.
func runType(ctx context.Context, typ string, checks []*Check, lts []ref.Val, src Source, emit func(Result) error, now types.Timestamp) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	work := make(chan *batch, workers)
	inOrder := make(chan *batch, workers*2)
	for range workers {
		go func() {
			act := newActivation(now)
			for b := range work {
				b.rows = b.rows[:0]
				for i := range b.res {
					r := &b.res[i]
					act.set(r)
					for j, c := range checks {
						act.lookups = lts[j]
						b.rows = append(b.rows, c.evaluate(act, r))
					}
				}
				close(b.done)
			}
		}()
	}
	srcErr := make(chan error, 1)
	go func() {
		defer close(inOrder)
		defer close(work)
		cur := &batch{done: make(chan struct{})}
		send := func() bool {
			select {
			case inOrder <- cur:
			case <-ctx.Done():
				return false
			}
			select {
			case work <- cur:
			case <-ctx.Done():
				return false
			}
			return true
		}
		err := src.Resources(ctx, typ, func(r collect.Resource) error {
			cur.res = append(cur.res, r)
			if len(cur.res) == batchSize {
				if !send() {
					return ctx.Err()
				}
				cur = &batch{res: make([]collect.Resource, 0, batchSize), done: make(chan struct{})}
			}
			return nil
		})
		if err == nil && len(cur.res) > 0 && !send() {
			err = ctx.Err()
		}
		srcErr <- err
	}()
	var emitErr error
	for b := range inOrder {
		select {
		case <-b.done:
		case <-ctx.Done():
		}
		if emitErr != nil || ctx.Err() != nil {
			continue
		}
		for _, row := range b.rows {
			if emitErr = emit(row); emitErr != nil {
				cancel()
				break
			}
		}
	}
	err := <-srcErr
	switch {
	case emitErr != nil:
		return emitErr
	case err != nil:
		return fmt.Errorf("read %s resources: %w", typ, err)
	}
	return ctx.Err()
}
