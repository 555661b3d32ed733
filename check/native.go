package check

import (
	"math"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// A native program evaluates the most common shape of condition directly
// on the resource's attribute map: attribute paths compared with
// literals, has(), int(), size(), `in` a list of strings, joined by !,
// && and ||. It answers only when every part has a plain answer; on
// anything else (a missing attribute, values of different types, NaN)
// it says "don't know" and the CEL program decides, so results and error
// messages are always CEL's. TestNativeAgreesWithCEL holds it to that.
type native func(attrs map[string]any) (result, known bool)

// operand is a value a native comparison reads.
type operand func(attrs map[string]any) (v any, known bool)

// compileNative returns a native program for e, or nil when e has
// another shape.
func compileNative(e ast.Expr) native {
	switch e.Kind() {
	case ast.LiteralKind:
		if b, ok := e.AsLiteral().(types.Bool); ok {
			return func(map[string]any) (bool, bool) { return bool(b), true }
		}
	case ast.SelectKind:
		s := e.AsSelect()
		if s.IsTestOnly() { // has(resource.attributes.a.b)
			parent := attrPath(s.Operand(), true)
			if parent == nil {
				return nil
			}
			field := s.FieldName()
			return func(attrs map[string]any) (bool, bool) {
				m, ok := parent(attrs)
				if mm, isMap := m.(map[string]any); ok && isMap {
					_, found := mm[field]
					return found, true
				}
				return false, false
			}
		}
		if p := attrPath(e, false); p != nil { // a bool attribute on its own
			return func(attrs map[string]any) (bool, bool) {
				v, ok := p(attrs)
				b, isBool := v.(bool)
				return b, ok && isBool
			}
		}
	case ast.CallKind:
		return compileNativeCall(e.AsCall())
	}
	return nil
}

func compileNativeCall(c ast.CallExpr) native {
	args := c.Args()
	switch fn := c.FunctionName(); fn {
	case operators.LogicalNot:
		x := compileNative(args[0])
		if x == nil {
			return nil
		}
		return func(a map[string]any) (bool, bool) { v, ok := x(a); return !v, ok }
	case operators.LogicalAnd, operators.LogicalOr:
		x, y := compileNative(args[0]), compileNative(args[1])
		if x == nil || y == nil {
			return nil
		}
		and := fn == operators.LogicalAnd
		return func(a map[string]any) (bool, bool) {
			v, ok := x(a)
			if !ok {
				return false, false
			}
			if v != and { // false && …, true || …
				return v, true
			}
			return y(a)
		}
	case operators.Equals, operators.NotEquals, operators.Less, operators.LessEquals, operators.Greater, operators.GreaterEquals:
		x, y := compileOperand(args[0]), compileOperand(args[1])
		if x == nil || y == nil {
			return nil
		}
		return func(a map[string]any) (bool, bool) {
			l, ok1 := x(a)
			r, ok2 := y(a)
			if !ok1 || !ok2 {
				return false, false
			}
			return compare(fn, l, r)
		}
	case operators.In:
		x := compileOperand(args[0])
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
		return func(a map[string]any) (bool, bool) {
			v, ok := x(a)
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

// compileOperand handles attribute paths, int(path), size(path) and
// literals.
func compileOperand(e ast.Expr) operand {
	if v := literal(e); v != nil {
		return func(map[string]any) (any, bool) { return v, true }
	}
	if p := attrPath(e, false); p != nil {
		return p
	}
	if e.Kind() != ast.CallKind || len(e.AsCall().Args()) != 1 || e.AsCall().IsMemberFunction() {
		return nil
	}
	p := attrPath(e.AsCall().Args()[0], false)
	if p == nil {
		return nil
	}
	switch e.AsCall().FunctionName() {
	case "int":
		return func(a map[string]any) (any, bool) {
			v, ok := p(a)
			f, isNum := v.(float64)
			if !ok || !isNum || math.IsNaN(f) || math.Abs(f) > 1<<53 {
				return nil, false
			}
			return math.Trunc(f), true
		}
	case "size":
		return func(a map[string]any) (any, bool) {
			v, ok := p(a)
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
func attrPath(e ast.Expr, parentOK bool) operand {
	var fields []string
	for e.Kind() == ast.SelectKind && !e.AsSelect().IsTestOnly() {
		fields = append([]string{e.AsSelect().FieldName()}, fields...)
		e = e.AsSelect().Operand()
	}
	if e.Kind() != ast.IdentKind || e.AsIdent() != resourceVar || len(fields) == 0 || fields[0] != "attributes" {
		return nil
	}
	fields = fields[1:]
	if len(fields) == 0 && !parentOK {
		return nil
	}
	return func(attrs map[string]any) (any, bool) {
		var v any = attrs
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
		case bool, string, float64, []any, map[string]any:
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
