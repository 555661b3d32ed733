package check

import (
	"strconv"
	"strings"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
)

// The native path for the shapes reasons take: strings joined with +,
// string(int(…)) and string(size(…)), the resource's name, id and type,
// fields of a computed value (lookup(…).attributes.x), and lists
// filtered, mapped and joined. A failing resource's reason is built here
// without boxing every value for CEL; as with conditions, anything else
// (a number added to a string, a list of non-strings) is left to CEL, so
// reasons and their error messages stay CEL's.

// compileNativeString returns a native reader of the checked string
// expression, or nil.
func compileNativeString(a *ast.AST) func(n *nenv) (string, bool) {
	return newNcomp(a).str(a.Expr())
}

// strOp is a native reader of a string value: strings built for a
// reason pass between its parts without being boxed in an interface.
type strOp func(n *nenv) (string, bool)

// str compiles a string-valued expression: concatenation, string(),
// join(), or any operand whose value turns out to be a string.
func (c *ncomp) str(e ast.Expr) strOp {
	e = c.real(e)
	if e.Kind() == ast.CallKind {
		switch call := e.AsCall(); {
		case call.IsMemberFunction() && call.FunctionName() == "join" && len(call.Args()) <= 1:
			return c.join(call)
		case call.IsMemberFunction():
		case call.FunctionName() == operators.Add && len(call.Args()) == 2:
			return c.concat(e)
		case call.FunctionName() == "string" && len(call.Args()) == 1:
			return c.toString(call.Args()[0])
		case call.FunctionName() == "lower" && len(call.Args()) == 1:
			return c.lower(call.Args()[0])
		}
	}
	if f, ok := c.singleAttr(e); ok {
		return func(n *nenv) (string, bool) {
			v, ok := n.attrs[f]
			s, isString := v.(string)
			return s, ok && isString
		}
	}
	p := c.operand(e)
	if p == nil {
		return nil
	}
	return func(n *nenv) (string, bool) {
		v, ok := p(n)
		s, isString := v.(string)
		return s, ok && isString
	}
}

// lower handles lower(s) for a string s.
func (c *ncomp) lower(arg ast.Expr) strOp {
	p := c.str(arg)
	if p == nil {
		return nil
	}
	return func(n *nenv) (string, bool) {
		s, ok := p(n)
		if !ok {
			return "", false
		}
		return strings.ToLower(s), true
	}
}

// boxed is a string reader as an operand.
func boxed(p strOp) operand {
	if p == nil {
		return nil
	}
	return func(n *nenv) (any, bool) {
		s, ok := p(n)
		if !ok {
			return nil, false
		}
		return s, true
	}
}

// meta reads resource.name, resource.id or resource.type.
func (c *ncomp) meta(e ast.Expr) operand {
	if e.Kind() != ast.SelectKind || e.AsSelect().IsTestOnly() {
		return nil
	}
	s := e.AsSelect()
	if s.Operand().Kind() != ast.IdentKind || s.Operand().AsIdent() != resourceVar || slicesLastIndex(c.vars, resourceVar) >= 0 {
		return nil
	}
	switch s.FieldName() {
	case "name":
		return func(n *nenv) (any, bool) { return n.res.Name, n.res != nil }
	case "id":
		return func(n *nenv) (any, bool) { return n.res.ID, n.res != nil }
	case "type":
		return func(n *nenv) (any, bool) { return n.res.Type, n.res != nil }
	}
	return nil
}

// field reads x.f where x is a computed value, such as a lookup's result.
func (c *ncomp) field(e ast.Expr) operand {
	if e.Kind() != ast.SelectKind || e.AsSelect().IsTestOnly() {
		return nil
	}
	x := c.operand(e.AsSelect().Operand())
	if x == nil {
		return nil
	}
	f := e.AsSelect().FieldName()
	return func(n *nenv) (any, bool) {
		v, ok := x(n)
		if !ok {
			return nil, false
		}
		switch m := v.(type) {
		case map[string]any:
			v, ok = m[f]
			return v, ok
		case *lookupEntry:
			return m.field(f)
		}
		return nil, false
	}
}

// concat handles a chain of + whose parts are all strings: one
// allocation for the whole result.
func (c *ncomp) concat(e ast.Expr) strOp {
	var parts []strOp
	var walk func(e ast.Expr) bool
	walk = func(e ast.Expr) bool {
		e = c.real(e)
		if e.Kind() == ast.CallKind && e.AsCall().FunctionName() == operators.Add && len(e.AsCall().Args()) == 2 {
			return walk(e.AsCall().Args()[0]) && walk(e.AsCall().Args()[1])
		}
		p := c.str(e)
		parts = append(parts, p)
		return p != nil
	}
	if !walk(e) {
		return nil
	}
	return func(n *nenv) (string, bool) {
		var buf [8]string
		strs := buf[:0]
		size := 0
		for _, p := range parts {
			s, ok := p(n)
			if !ok {
				return "", false
			}
			strs = append(strs, s)
			size += len(s)
		}
		var b strings.Builder
		b.Grow(size)
		for _, s := range strs {
			b.WriteString(s)
		}
		return b.String(), true
	}
}

// toString handles string(x) for a string x and for the integers int()
// and size() give.
func (c *ncomp) toString(arg ast.Expr) strOp {
	p := c.operand(arg)
	if p == nil {
		return nil
	}
	arg = c.real(arg)
	integer := false
	if arg.Kind() == ast.CallKind && !arg.AsCall().IsMemberFunction() {
		switch arg.AsCall().FunctionName() {
		case "int", "size":
			integer = true
		}
	}
	return func(n *nenv) (string, bool) {
		v, ok := p(n)
		if !ok {
			return "", false
		}
		switch x := v.(type) {
		case string:
			return x, true
		case float64:
			if integer { // already whole and within ±2^53
				return strconv.FormatInt(int64(x), 10), true
			}
		}
		return "", false
	}
}

// join handles list.join() and list.join(separator) over strings.
func (c *ncomp) join(call ast.CallExpr) strOp {
	list := c.seqOf(call.Target())
	if list == nil {
		return nil
	}
	sep := func(*nenv) (string, bool) { return "", true }
	if len(call.Args()) == 1 {
		if sep = c.str(call.Args()[0]); sep == nil {
			return nil
		}
	}
	return func(n *nenv) (string, bool) {
		ds, ok := sep(n)
		if !ok {
			return "", false
		}
		var b strings.Builder
		first, strs := true, true
		ok = list(n, func(v any) bool {
			s, isString := v.(string)
			if !isString {
				strs = false
				return false
			}
			if !first {
				b.WriteString(ds)
			}
			first = false
			b.WriteString(s)
			return true
		})
		if !ok || !strs {
			return "", false
		}
		return b.String(), true
	}
}

// seq yields a list's elements one by one; known is false when CEL
// must decide. Chained filter() and map() calls pass elements along
// without building the lists between them.
type seq func(n *nenv, yield func(v any) bool) (known bool)

// listMacro handles list.filter(x, p), list.map(x, e) and
// list.map(x, p, e) as a list value.
func (c *ncomp) listMacro(e ast.Expr) operand {
	s := c.seqOf(e)
	if s == nil {
		return nil
	}
	return func(n *nenv) (any, bool) {
		out := []any{}
		ok := s(n, func(v any) bool { out = append(out, v); return true })
		return out, ok
	}
}

// seqOf returns the elements of a list the native path can read: a
// filter() or map() over such a list, or a list-valued operand.
func (c *ncomp) seqOf(e ast.Expr) seq {
	e = c.real(e)
	if e.Kind() != ast.ComprehensionKind {
		list := c.operand(e)
		if list == nil {
			return nil
		}
		return func(n *nenv, yield func(any) bool) bool {
			v, ok := list(n)
			items, isList := v.([]any)
			if !ok || !isList {
				return false
			}
			for _, it := range items {
				if !yield(it) {
					break // the consumer has its answer
				}
			}
			return true
		}
	}
	m, ok := c.macros[e.ID()]
	if !ok || m.Kind() != ast.CallKind {
		return nil
	}
	call := m.AsCall()
	fn, args := call.FunctionName(), call.Args()
	if (fn != "filter" && fn != "map") || !call.IsMemberFunction() || len(args) < 2 || len(args) > 3 ||
		fn == "filter" && len(args) != 2 || args[0].Kind() != ast.IdentKind {
		return nil
	}
	// The comprehension's range is the real expression; the macro's
	// target stands in for a nested macro by its ID only.
	src := c.seqOf(e.AsComprehension().IterRange())
	if src == nil {
		return nil
	}
	c.vars = append(c.vars, args[0].AsIdent())
	var keep native
	var value operand
	switch {
	case fn == "filter":
		keep = c.native(args[1])
	case len(args) == 3:
		keep, value = c.native(args[1]), c.operand(args[2])
	default:
		value = c.operand(args[1])
	}
	c.vars = c.vars[:len(c.vars)-1]
	if fn == "filter" && keep == nil || fn == "map" && value == nil || len(args) == 3 && keep == nil {
		return nil
	}
	depth := len(c.vars)
	return func(n *nenv, yield func(any) bool) bool {
		known := true
		ok := src(n, func(it any) bool {
			n.vars = append(n.vars[:depth], it)
			if keep != nil {
				k, ok := keep(n)
				if !ok {
					known = false
					return false
				}
				if !k {
					return true
				}
			}
			if value != nil {
				x, ok := value(n)
				if !ok {
					known = false
					return false
				}
				it = x
			}
			return yield(it)
		})
		n.vars = n.vars[:depth]
		return ok && known
	}
}
