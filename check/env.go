package check

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
	"cel.dev/cel-go/ext"
)

// The names an expression sees. "resource" and "now" are documented;
// lookupsVar is hidden behind the lookup() macro so that a check can only
// reach the tables it declared.
const (
	resourceVar = "resource"
	nowVar      = "now"
	lookupsVar  = "__lookups"
)

var (
	baseOnce sync.Once
	baseEnv  *cel.Env
	baseErr  error
)

// base returns the CEL environment shared by every check: the variables,
// the string extensions and Attest's own functions. A check extends it
// with its lookup() macro, which knows the check's declared lookups.
func base() (*cel.Env, error) {
	baseOnce.Do(func() {
		baseEnv, baseErr = cel.NewEnv(
			cel.Variable(resourceVar, cel.MapType(cel.StringType, cel.DynType)),
			cel.Variable(nowVar, cel.TimestampType),
			cel.Variable(lookupsVar, cel.DynType),
			cel.CrossTypeNumericComparisons(true),
			cel.EnableMacroCallTracking(), // the native path recognises all() and exists()
			cel.DefaultUTCTimeZone(true),
			ext.Strings(),
			cel.Macros(cel.GlobalMacro("days_since", 1, daysSinceMacro)),
			cel.Function("lower",
				cel.Overload("lower_string", []*cel.Type{cel.StringType}, cel.StringType,
					cel.UnaryBinding(func(v ref.Val) ref.Val { return types.String(strings.ToLower(string(v.(types.String)))) }))),
			cel.Function("date",
				cel.Overload("date_string", []*cel.Type{cel.StringType}, cel.TimestampType,
					cel.UnaryBinding(func(v ref.Val) ref.Val {
						t, err := parseTime(string(v.(types.String)))
						if err != nil {
							return types.NewErr("date: %v", err)
						}
						return types.Timestamp{Time: t}
					}))),
			cel.Function("_days_between",
				cel.Overload("_days_between_dyn_timestamp", []*cel.Type{cel.DynType, cel.TimestampType}, cel.IntType,
					cel.BinaryBinding(daysBetween))),
		)
		if baseErr != nil {
			return
		}
		// One binary function per lookup index, so a call passes two
		// arguments and allocates no argument slice.
		opts := make([]cel.EnvOption, maxLookups)
		for i := range maxLookups {
			name := fmt.Sprintf("_lookup_%d", i)
			opts[i] = cel.Function(name, cel.Overload(name+"_dyn_dyn", []*cel.Type{cel.DynType, cel.DynType}, cel.DynType,
				cel.BinaryBinding(func(tables, key ref.Val) ref.Val { return lookupCall(tables, i, key) })))
		}
		baseEnv, baseErr = baseEnv.Extend(opts...)
	})
	return baseEnv, baseErr
}

// maxLookups is how many lookups one check may declare.
const maxLookups = 8

// daysSinceMacro turns days_since(x) into _days_between(x, now): the
// clock of the run is a variable, so compiled programs stay reusable.
func daysSinceMacro(eh cel.MacroExprFactory, _ ast.Expr, args []ast.Expr) (ast.Expr, *cel.Error) {
	return eh.NewCall("_days_between", args[0], eh.NewIdent(nowVar)), nil
}

// lookupMacro returns the lookup(name, key) macro for a check with the
// given lookups: the name must be a literal naming one of them, and the
// call becomes an indexed read of the run's tables.
func lookupMacro(names []string) cel.Macro {
	return cel.GlobalMacro("lookup", 2, func(eh cel.MacroExprFactory, _ ast.Expr, args []ast.Expr) (ast.Expr, *cel.Error) {
		lit := args[0]
		if lit.Kind() != ast.LiteralKind {
			return nil, eh.NewError(lit.ID(), "lookup: the first argument must be a quoted lookup name")
		}
		name, ok := lit.AsLiteral().(types.String)
		if !ok {
			return nil, eh.NewError(lit.ID(), "lookup: the first argument must be a quoted lookup name")
		}
		for i, n := range names {
			if n == string(name) {
				return eh.NewCall(fmt.Sprintf("_lookup_%d", i), eh.NewIdent(lookupsVar), args[1]), nil
			}
		}
		return nil, eh.NewError(lit.ID(), fmt.Sprintf("lookup: no lookup named %q is declared in this check", string(name)))
	})
}

// parseTime accepts the date and time forms collectors emit: RFC 3339 and
// a plain date (YYYY-MM-DD, taken as midnight UTC).
func parseTime(s string) (time.Time, error) {
	if len(s) == len(time.DateOnly) {
		if t, err := time.Parse(time.DateOnly, s); err == nil {
			return t, nil
		}
	} else if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (YYYY-MM-DD) or an RFC 3339 time", s)
}

// daysBetween returns whole days from a (a date string or a timestamp) to
// now; negative when a is in the future.
func daysBetween(a, now ref.Val) ref.Val {
	var t time.Time
	switch v := a.(type) {
	case types.String:
		var err error
		if t, err = parseTime(string(v)); err != nil {
			return types.NewErr("days_since: %v", err)
		}
	case types.Timestamp:
		t = v.Time
	default:
		return types.NewErr("days_since: want a date string or a timestamp, got %s", a.Type().(ref.Type).TypeName())
	}
	d := now.(types.Timestamp).Time.Sub(t)
	return types.Int(int64(d / (24 * time.Hour)))
}

// lookupTables is the run's lookups for one check, indexed like its
// declaration; it travels through the activation as an opaque value.
type lookupTables struct {
	tables []map[string]*lookupEntry
}

func (l *lookupTables) ConvertToNative(reflect.Type) (any, error) {
	return nil, fmt.Errorf("lookups cannot be converted")
}
func (l *lookupTables) ConvertToType(typeVal ref.Type) ref.Val {
	return types.NewErr("lookups cannot be converted")
}
func (l *lookupTables) Equal(other ref.Val) ref.Val { return types.Bool(l == other) }
func (l *lookupTables) Type() ref.Type              { return types.DynType }
func (l *lookupTables) Value() any                  { return l }

// lookupCall is _lookup_<idx>(tables, key): the declared lookup's value
// for key, or null when the key is absent.
func lookupCall(tables ref.Val, idx int, k ref.Val) ref.Val {
	lt, ok := tables.(*lookupTables)
	if !ok || idx >= len(lt.tables) {
		return types.NewErr("lookup: no lookup tables for this run")
	}
	var key string
	switch k := k.(type) {
	case types.String:
		key = string(k)
	case traits.Sizer: // a list or map is never a key
		return types.NullValue
	default:
		if k == types.NullValue {
			return types.NullValue
		}
		key = fmt.Sprint(k.Value())
	}
	v, found := lt.tables[idx][key]
	if !found {
		return types.NullValue
	}
	return types.DefaultTypeAdapter.NativeToValue(v.value())
}
