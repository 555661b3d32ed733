package check

import (
	"context"
	"fmt"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"github.com/attest-dev/attest/collect"
)

// buildLookups fills every declared lookup of checks, reading each
// resource type once however many lookups use it. The result holds one
// value per check for its activation (null for a check without lookups).
//
// A resource whose lookup expressions fail to evaluate is left out of the
// table: a join must not invent a match, and the check's own rows still
// say what they found. When two resources share a key the first one
// stays.
func buildLookups(ctx context.Context, checks []*Check, src Source, now types.Timestamp) ([]ref.Val, error) {
	type use struct{ check, lookup int }
	var order []string
	uses := map[string][]use{}
	out := make([]ref.Val, len(checks))
	tables := make([]*lookupTables, len(checks))
	for i, c := range checks {
		out[i] = types.NullValue
		if len(c.lookups) == 0 {
			continue
		}
		tables[i] = &lookupTables{tables: make([]map[string]*lookupEntry, len(c.lookups))}
		out[i] = tables[i]
		for j, l := range c.lookups {
			tables[i].tables[j] = map[string]*lookupEntry{}
			if _, ok := uses[l.ResourceType]; !ok {
				order = append(order, l.ResourceType)
			}
			uses[l.ResourceType] = append(uses[l.ResourceType], use{i, j})
		}
	}
	act := newActivation(now)
	// Resources are taken a batch at a time, their keys computed in one
	// tight loop (as runTypeInline does) and then stored in order.
	batch := make([]collect.Resource, 0, batchSize)
	keys := make([]string, 0, batchSize)
	in := make([]bool, 0, batchSize)
	for _, typ := range order {
		us := uses[typ]
		flush := func() {
			for _, u := range us {
				l := &checks[u.check].lookups[u.lookup]
				keys, in = keys[:0], in[:0]
				for i := range batch {
					act.setAt(&batch[i])
					key, ok := lookupKey(l, act, batch[i].Attributes)
					keys, in = append(keys, key), append(in, ok)
				}
				t := tables[u.check].tables[u.lookup]
				for i, key := range keys {
					if !in[i] {
						continue
					}
					if _, dup := t[key]; !dup {
						t[key] = newLookupEntry(batch[i])
					}
				}
			}
			clear(batch)
			batch = batch[:0]
		}
		err := src.Resources(ctx, typ, func(r collect.Resource) error {
			batch = append(batch, r)
			if len(batch) == batchSize {
				if err := ctx.Err(); err != nil {
					return err
				}
				flush()
			}
			return nil
		})
		if err == nil {
			flush()
		}
		if err != nil {
			return nil, fmt.Errorf("build lookups from %s resources: %w", typ, err)
		}
	}
	return out, nil
}

// lookupKey evaluates a lookup's when and key on the resource in act,
// natively where it can; ok is false when the resource stays out.
func lookupKey(l *compiledLookup, act *activation, attrs map[string]any) (key string, ok bool) {
	act.native.attrs, act.native.lookups = attrs, nil
	known := false
	in := true
	if l.when != nil {
		if l.nativeWhen != nil {
			in, known = l.nativeWhen(&act.native)
		}
		if !known {
			act.need() // lookup expressions may read anything
			var err error
			if in, err = evalBool(l.when, act); err != nil {
				return "", false
			}
		}
		if !in {
			return "", false
		}
	}
	if l.nativeKey != nil {
		if s, ok := l.nativeKey(&act.native); ok {
			return s, true
		}
	}
	act.need()
	k, _, err := l.key.Eval(act)
	if err != nil {
		return "", false
	}
	s, isString := k.(types.String)
	return string(s), isString
}

// lookupEntry is a resource as a lookup table keeps it: its name, ID,
// type and attributes, without the map CEL sees (type, id, name,
// attributes), which costs several allocations per entry and is made
// only when a CEL program reads the entry. The native path reads the
// fields directly (field in native_string.go).
type lookupEntry struct {
	Type, ID, Name string
	Attributes     map[string]any
}

func newLookupEntry(r collect.Resource) *lookupEntry {
	return &lookupEntry{Type: r.Type, ID: r.ID, Name: r.Name, Attributes: r.Attributes}
}

// value is the entry as CEL sees it.
func (e *lookupEntry) value() map[string]any {
	return map[string]any{"type": e.Type, "id": e.ID, "name": e.Name, "attributes": e.Attributes}
}

// field reads one of the entry's fields as its map would give it.
func (e *lookupEntry) field(f string) (any, bool) {
	switch f {
	case "attributes":
		return e.Attributes, true
	case "name":
		return e.Name, true
	case "id":
		return e.ID, true
	case "type":
		return e.Type, true
	}
	return nil, false
}
