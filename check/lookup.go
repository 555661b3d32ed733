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
		tables[i] = &lookupTables{tables: make([]map[string]any, len(c.lookups))}
		out[i] = tables[i]
		for j, l := range c.lookups {
			tables[i].tables[j] = map[string]any{}
			if _, ok := uses[l.ResourceType]; !ok {
				order = append(order, l.ResourceType)
			}
			uses[l.ResourceType] = append(uses[l.ResourceType], use{i, j})
		}
	}
	act := newActivation(now)
	for _, typ := range order {
		err := src.Resources(ctx, typ, func(r collect.Resource) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			act.set(&r)
			var value map[string]any
			for _, u := range uses[typ] {
				l := checks[u.check].lookups[u.lookup]
				if l.when != nil {
					if ok, err := evalBool(l.when, act); err != nil || !ok {
						continue
					}
				}
				k, _, err := l.key.Eval(act)
				if err != nil {
					continue
				}
				key, ok := k.(types.String)
				if !ok {
					continue
				}
				t := tables[u.check].tables[u.lookup]
				if _, dup := t[string(key)]; dup {
					continue
				}
				if value == nil {
					value = map[string]any{"type": r.Type, "id": r.ID, "name": r.Name, "attributes": r.Attributes}
				}
				t[string(key)] = value
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("build lookups from %s resources: %w", typ, err)
		}
	}
	return out, nil
}
