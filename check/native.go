package check

import (
	"math"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"github.com/attest-dev/attest/collect"
)

// A native program evaluates the most common shape of condition directly
// on the resource's attribute map: attribute paths compared with
// literals, has(), int(), size(), `in` a list of strings, joined by !,
// && and ||. It answers only when every part has a plain answer; on
// anything else (a missing attribute, values of different types, NaN)
// it says "don't know" and the CEL program decides, so results and error
// messages are always CEL's. TestNativeAgreesWithCEL holds it to that.
type native func(n *nenv) (result, known bool)

// nenv is what a native program reads: the attributes, the run's lookup
// tables and the variables of enclosing all()/exists() loops.
type nenv struct {
	attrs   map[string]any
	res     *collect.Resource // for resource.name, .id and .type
	lookups *lookupTables
	now     time.Time
	vars    []any  // by depth of the loop
	buf     []byte // scratch for the reason being built (native_append.go)
}

// operand is a value a native comparison reads.
type operand func(n *nenv) (v any, known bool)

// ncomp compiles native programs: the macro calls of the checked
// expression (to recognise all() and exists()) and the loop variables in
// scope.
type ncomp struct {
	macros map[int64]ast.Expr
	byID   map[int64]ast.Expr // the checked expressions, for the stand-ins in macro arguments
	vars   []string
}

func newNcomp(a *ast.AST) *ncomp {
	c := &ncomp{macros: a.SourceInfo().MacroCalls(), byID: map[int64]ast.Expr{}}
	ast.PreOrderVisit(a.Expr(), ast.NewExprVisitor(func(e ast.Expr) { c.byID[e.ID()] = e }))
	return c
}

// real returns e, or the expression it stands in for: a macro's
// arguments name a nested macro by its ID only.
func (c *ncomp) real(e ast.Expr) ast.Expr {
	if e.Kind() == ast.UnspecifiedExprKind {
		if r, ok := c.byID[e.ID()]; ok {
			return r
		}
	}
	return e
}

// compileNative returns a native program for the checked expression, or
// nil when it has another shape.
func compileNative(a *ast.AST) native {
	return newNcomp(a).native(a.Expr())
}

func (c *ncomp) native(e ast.Expr) native {
	e = c.real(e)
	switch e.Kind() {
	case ast.LiteralKind:
		if b, ok := e.AsLiteral().(types.Bool); ok {
			return func(*nenv) (bool, bool) { return bool(b), true }
		}
	case ast.SelectKind:
		s := e.AsSelect()
		if s.IsTestOnly() { // has(resource.attributes.a.b)
			field := s.FieldName()
			if p := c.real(s.Operand()); p.Kind() == ast.SelectKind && !p.AsSelect().IsTestOnly() && p.AsSelect().FieldName() == "attributes" &&
				p.AsSelect().Operand().Kind() == ast.IdentKind && p.AsSelect().Operand().AsIdent() == resourceVar && slicesLastIndex(c.vars, resourceVar) < 0 {
				// has(resource.attributes.a): CEL sees an empty map for
				// missing attributes, and a nil map has no key either.
				return func(n *nenv) (bool, bool) {
					_, found := n.attrs[field]
					return found, true
				}
			}
			parent := c.attrPath(s.Operand(), true)
			if parent == nil {
				return nil
			}
			return func(n *nenv) (bool, bool) {
				m, ok := parent(n)
				if mm, isMap := m.(map[string]any); ok && isMap {
					_, found := mm[field]
					return found, true
				}
				return false, false
			}
		}
		if p := c.attrPath(e, false); p != nil { // a bool attribute on its own
			return func(n *nenv) (bool, bool) {
				v, ok := p(n)
				b, isBool := v.(bool)
				return b, ok && isBool
			}
		}
	case ast.CallKind:
		return c.call(e.AsCall())
	case ast.ComprehensionKind:
		return c.loop(e)
	}
	return nil
}

// loop handles list.all(x, body) and list.exists(x, body) over a list
// the native path can read, with a body it can compile.
func (c *ncomp) loop(e ast.Expr) native {
	m, ok := c.macros[e.ID()]
	if !ok || m.Kind() != ast.CallKind {
		return nil
	}
	call := m.AsCall()
	fn := call.FunctionName()
	if (fn != "all" && fn != "exists") || !call.IsMemberFunction() || len(call.Args()) != 2 || call.Args()[0].Kind() != ast.IdentKind {
		return nil
	}
	list := c.attrPath(call.Target(), false)
	if list == nil {
		return nil
	}
	c.vars = append(c.vars, call.Args()[0].AsIdent())
	body := c.native(call.Args()[1])
	c.vars = c.vars[:len(c.vars)-1]
	if body == nil {
		return nil
	}
	depth := len(c.vars)
	all := fn == "all"
	return func(n *nenv) (bool, bool) {
		v, ok := list(n)
		items, isList := v.([]any)
		if !ok || !isList {
			return false, false
		}
		n.vars = append(n.vars[:depth], nil)
		defer func() { n.vars = n.vars[:depth] }()
		for _, it := range items {
			n.vars[depth] = it
			r, ok := body(n)
			if !ok {
				return false, false // CEL's rules for errors inside loops are subtler
			}
			if r != all {
				return r, true
			}
		}
		return all, true
	}
}

func (c *ncomp) call(call ast.CallExpr) native {
	args := call.Args()
	switch fn := call.FunctionName(); fn {
	case operators.LogicalNot:
		x := c.native(args[0])
		if x == nil {
			return nil
		}
		return func(n *nenv) (bool, bool) { v, ok := x(n); return !v, ok }
	case operators.Conditional:
		cond, yes, no := c.native(args[0]), c.native(args[1]), c.native(args[2])
		if cond == nil || yes == nil || no == nil {
			return nil
		}
		return func(n *nenv) (bool, bool) {
			v, ok := cond(n)
			switch {
			case !ok:
				return false, false
			case v:
				return yes(n)
			}
			return no(n)
		}
	case operators.LogicalAnd, operators.LogicalOr:
		x, y := c.native(args[0]), c.native(args[1])
		if x == nil || y == nil {
			return nil
		}
		and := fn == operators.LogicalAnd
		return func(n *nenv) (bool, bool) {
			v, ok := x(n)
			if !ok {
				return false, false
			}
			if v != and { // false && …, true || …
				return v, true
			}
			return y(n)
		}
	case operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		if lit := literal(c.real(args[1])); lit != nil {
			if f, ok := c.singleAttr(args[0]); ok {
				return compareAttr(fn, f, lit)
			}
			if _, isNull := lit.(null); isNull && (fn == operators.Equals || fn == operators.NotEquals) {
				if p := c.lookupFound(args[0]); p != nil {
					eq := fn == operators.Equals
					return func(n *nenv) (bool, bool) { found, ok := p(n); return found != eq, ok }
				}
			}
			if x := c.operand(args[0]); x != nil {
				return compareLiteral(fn, x, lit)
			}
		}
		x, y := c.operand(args[0]), c.operand(args[1])
		if x == nil || y == nil {
			return nil
		}
		return func(n *nenv) (bool, bool) {
			l, ok1 := x(n)
			r, ok2 := y(n)
			if !ok1 || !ok2 {
				return false, false
			}
			return compare(fn, l, r)
		}
	case operators.In:
		x := c.operand(args[0])
		if x == nil || args[1].Kind() != ast.ListKind {
			return nil
		}
		var set []string
		for _, el := range args[1].AsList().Elements() {
			s, ok := literal(el).(string)
			if !ok {
				return nil
			}
			set = append(set, s)
		}
		return func(n *nenv) (bool, bool) {
			v, ok := x(n)
			s, isString := v.(string)
			if !ok || !isString {
				return false, false
			}
			for _, m := range set {
				if m == s {
					return true, true
				}
			}
			return false, true
		}
	}
	return nil
}

// operand handles attribute paths, int(path), size(path), lower(),
// lookups, days_since(), literals and the string shapes of
// native_string.go.
func (c *ncomp) operand(e ast.Expr) operand {
	e = c.real(e)
	if v := literal(e); v != nil {
		return func(*nenv) (any, bool) { return v, true }
	}
	if p := c.attrPath(e, false); p != nil {
		return p
	}
	if p := c.meta(e); p != nil {
		return p
	}
	switch e.Kind() {
	case ast.SelectKind:
		return c.field(e)
	case ast.ComprehensionKind:
		return c.listMacro(e)
	case ast.CallKind:
	default:
		return nil
	}
	switch call := e.AsCall(); {
	case call.IsMemberFunction() && call.FunctionName() == "join" && len(call.Args()) <= 1:
		return boxed(c.join(call))
	case call.IsMemberFunction():
		return nil
	case call.FunctionName() == operators.Add && len(call.Args()) == 2:
		return boxed(c.concat(e))
	case call.FunctionName() == "string" && len(call.Args()) == 1:
		return boxed(c.toString(call.Args()[0]))
	case call.FunctionName() == "lower" && len(call.Args()) == 1:
		return boxed(c.lower(call.Args()[0]))
	}
	if idx, key := c.lookupCall(e); key != nil {
		return func(n *nenv) (any, bool) {
			s, ok := key(n)
			if !ok || n.lookups == nil || idx >= len(n.lookups.tables) {
				return nil, false
			}
			if v, found := n.lookups.tables[idx][s]; found {
				return v, true
			}
			return nil, true // CEL's null
		}
	}
	if args := e.AsCall().Args(); e.AsCall().FunctionName() == "_days_between" && len(args) == 2 &&
		args[1].Kind() == ast.IdentKind && args[1].AsIdent() == nowVar {
		p := c.operand(args[0])
		if p == nil {
			return nil
		}
		return func(n *nenv) (any, bool) {
			v, ok := p(n)
			s, isString := v.(string)
			if !ok || !isString {
				return nil, false
			}
			t, err := parseTime(s)
			if err != nil {
				return nil, false
			}
			return float64(int64(n.now.Sub(t) / (24 * time.Hour))), true
		}
	}
	if len(e.AsCall().Args()) != 1 {
		return nil
	}
	p := c.operand(e.AsCall().Args()[0])
	if p == nil {
		return nil
	}
	switch e.AsCall().FunctionName() {
	case "int":
		return func(n *nenv) (any, bool) {
			v, ok := p(n)
			f, isNum := v.(float64)
			if !ok || !isNum || math.IsNaN(f) || math.Abs(f) > 1<<53 {
				return nil, false
			}
			return math.Trunc(f), true
		}
	case "size":
		return func(n *nenv) (any, bool) {
			v, ok := p(n)
			switch x := v.(type) {
			case []any:
				return float64(len(x)), ok
			case map[string]any:
				return float64(len(x)), ok
			}
			return nil, false
		}
	}
	return nil
}

// lookupCall recognises lookup('name', key), which the lookup() macro
// turned into _lookup_<idx>(tables, key); key is nil for anything else.
func (c *ncomp) lookupCall(e ast.Expr) (idx int, key strOp) {
	if e.Kind() != ast.CallKind {
		return 0, nil
	}
	name, args := e.AsCall().FunctionName(), e.AsCall().Args()
	if !strings.HasPrefix(name, "_lookup_") || len(args) != 2 {
		return 0, nil
	}
	idx, err := strconv.Atoi(strings.TrimPrefix(name, "_lookup_"))
	if err != nil {
		return 0, nil
	}
	return idx, c.str(args[1]) // a key that is not a string is CEL's to judge
}

// lookupFound reads whether lookup('name', key) finds an entry: the
// common join test lookup(…) == null, without boxing the entry.
func (c *ncomp) lookupFound(e ast.Expr) func(n *nenv) (found, known bool) {
	idx, key := c.lookupCall(c.real(e))
	if key == nil {
		return nil
	}
	return func(n *nenv) (bool, bool) {
		s, ok := key(n)
		if !ok || n.lookups == nil || idx >= len(n.lookups.tables) {
			return false, false
		}
		_, found := n.lookups.tables[idx][s]
		return found, true
	}
}

// singleAttr recognises resource.attributes.f, the most common operand.
func (c *ncomp) singleAttr(e ast.Expr) (string, bool) {
	e = c.real(e)
	if e.Kind() != ast.SelectKind || e.AsSelect().IsTestOnly() {
		return "", false
	}
	f := e.AsSelect().FieldName()
	e = e.AsSelect().Operand()
	if e.Kind() != ast.SelectKind || e.AsSelect().IsTestOnly() || e.AsSelect().FieldName() != "attributes" {
		return "", false
	}
	e = e.AsSelect().Operand()
	if e.Kind() != ast.IdentKind || e.AsIdent() != resourceVar || slicesLastIndex(c.vars, resourceVar) >= 0 {
		return "", false
	}
	return f, true
}

// compareAttr is compareLiteral for resource.attributes.f, reading the
// attribute map directly: one call fewer for the most common condition.
func compareAttr(fn string, f string, lit any) native {
	eq := fn == operators.Equals
	switch lv := lit.(type) {
	case bool:
		if eq || fn == operators.NotEquals {
			return func(n *nenv) (bool, bool) {
				v, ok := n.attrs[f]
				if b, isBool := v.(bool); ok && isBool {
					return (b == lv) == eq, true
				}
				if !ok {
					return false, false
				}
				return compare(fn, v, lit)
			}
		}
	case string:
		if eq || fn == operators.NotEquals {
			return func(n *nenv) (bool, bool) {
				v, ok := n.attrs[f]
				if s, isString := v.(string); ok && isString {
					return (s == lv) == eq, true
				}
				if !ok {
					return false, false
				}
				return compare(fn, v, lit)
			}
		}
	}
	return func(n *nenv) (bool, bool) {
		v, ok := n.attrs[f]
		if !ok {
			return false, false
		}
		return compare(fn, v, lit)
	}
}

// null is the literal null in a native comparison.
type null struct{}

// literal returns a bool, string, number or null literal as its attribute
// type (numbers as float64, null as null{}), or nil.
func literal(e ast.Expr) any {
	if e.Kind() != ast.LiteralKind {
		return nil
	}
	switch v := e.AsLiteral().(type) {
	case types.Null:
		return null{}
	case types.Bool:
		return bool(v)
	case types.String:
		return string(v)
	case types.Int:
		if v > -1<<53 && v < 1<<53 {
			return float64(v)
		}
	case types.Double:
		if !math.IsNaN(float64(v)) {
			return float64(v)
		}
	}
	return nil
}

// attrPath compiles resource.attributes.a.b… into a reader of the
// attribute map; with parentOK, resource.attributes itself is accepted.
func (c *ncomp) attrPath(e ast.Expr, parentOK bool) operand {
	var fields []string
	for e.Kind() == ast.SelectKind && !e.AsSelect().IsTestOnly() {
		fields = append([]string{e.AsSelect().FieldName()}, fields...)
		e = e.AsSelect().Operand()
	}
	if e.Kind() != ast.IdentKind {
		return nil
	}
	root := -1 // the attributes, or a loop variable by depth
	if i := slicesLastIndex(c.vars, e.AsIdent()); i >= 0 {
		root = i
	} else if e.AsIdent() != resourceVar || len(fields) == 0 || fields[0] != "attributes" {
		return nil
	} else {
		fields = fields[1:]
		if len(fields) == 0 && !parentOK {
			return nil
		}
	}
	if root < 0 && len(fields) == 1 { // the common case: one attribute
		f := fields[0]
		return func(n *nenv) (any, bool) {
			v, ok := n.attrs[f]
			return v, ok
		}
	}
	return func(n *nenv) (any, bool) {
		var v any = n.attrs
		if root >= 0 {
			v = n.vars[root]
		}
		for _, f := range fields {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[f]; !ok {
				return nil, false
			}
		}
		return v, true
	}
}

func slicesLastIndex(s []string, v string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == v {
			return i
		}
	}
	return -1
}

// compareLiteral is x compared with a literal, the most common
// comparison, with the literal's type checked once; compare decides
// whatever the quick paths do not.
func compareLiteral(fn string, x operand, lit any) native {
	eq := fn == operators.Equals
	switch lv := lit.(type) {
	case bool:
		if eq || fn == operators.NotEquals {
			return func(n *nenv) (bool, bool) {
				v, ok := x(n)
				if b, isBool := v.(bool); ok && isBool {
					return (b == lv) == eq, true
				}
				if !ok {
					return false, false
				}
				return compare(fn, v, lit)
			}
		}
	case string:
		if eq || fn == operators.NotEquals {
			return func(n *nenv) (bool, bool) {
				v, ok := x(n)
				if s, isString := v.(string); ok && isString {
					return (s == lv) == eq, true
				}
				if !ok {
					return false, false
				}
				return compare(fn, v, lit)
			}
		}
	}
	return func(n *nenv) (bool, bool) {
		v, ok := x(n)
		if !ok {
			return false, false
		}
		return compare(fn, v, lit)
	}
}

// compare answers a comparison of two values of the same kind (bools,
// strings or numbers); anything else is left to CEL.
func compare(fn string, l, r any) (bool, bool) {
	if _, isNull := l.(null); isNull {
		l, r = r, l
	}
	if _, isNull := r.(null); isNull && (fn == operators.Equals || fn == operators.NotEquals) {
		// CEL's equality across types: only null equals null.
		switch l.(type) {
		case nil:
			return fn == operators.Equals, true
		case bool, string, float64, []any, map[string]any, *lookupEntry:
			return fn == operators.NotEquals, true
		}
		return false, false
	}
	switch lv := l.(type) {
	case bool:
		rv, ok := r.(bool)
		if !ok {
			return false, false
		}
		switch fn {
		case operators.Equals:
			return lv == rv, true
		case operators.NotEquals:
			return lv != rv, true
		}
	case string:
		rv, ok := r.(string)
		if !ok {
			return false, false
		}
		switch fn {
		case operators.Equals:
			return lv == rv, true
		case operators.NotEquals:
			return lv != rv, true
		}
	case float64:
		rv, ok := r.(float64)
		if !ok || math.IsNaN(lv) || math.IsNaN(rv) {
			return false, false
		}
		switch fn {
		case operators.Equals:
			return lv == rv, true
		case operators.NotEquals:
			return lv != rv, true
		case operators.Less:
			return lv < rv, true
		case operators.LessEquals:
			return lv <= rv, true
		case operators.Greater:
			return lv > rv, true
		case operators.GreaterEquals:
			return lv >= rv, true
		}
	}
	return false, false
}
