package check

import (
	"slices"
	"strconv"

	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
)

// Reasons are built by appending: every part of a concatenation, every
// element of a join and every integer written by string() goes straight
// into one buffer per worker, and the reason costs one allocation, the
// final string. Built from strings instead (native_string.go), a failing
// resource with a list in its reason pays for each element's string and
// for the joined list before the whole. The rule is the same: a part
// the appender cannot answer makes the whole reason CEL's.

// strApp appends a string value to buf; known is false when CEL must
// decide, and buf's new contents then mean nothing.
type strApp func(n *nenv, buf []byte) (out []byte, known bool)

// compileNativeText returns a native builder of the checked string
// expression, or nil. It uses n.buf as its scratch buffer, so it must
// not be called from inside another text builder.
func compileNativeText(a *ast.AST) func(n *nenv) (string, bool) {
	app := newNcomp(a).app(a.Expr())
	if app == nil {
		return nil
	}
	return func(n *nenv) (string, bool) {
		buf, ok := app(n, n.buf[:0])
		if cap(buf) <= maxScratch {
			n.buf = buf
		}
		if !ok {
			return "", false
		}
		return string(buf), true
	}
}

// maxScratch bounds the buffer a worker keeps between reasons.
const maxScratch = 64 << 10

// app compiles a string-valued expression into an appender.
func (c *ncomp) app(e ast.Expr) strApp {
	e = c.real(e)
	if e.Kind() == ast.LiteralKind {
		if s, ok := literal(e).(string); ok {
			return func(_ *nenv, buf []byte) ([]byte, bool) { return append(buf, s...), true }
		}
	}
	if e.Kind() == ast.CallKind {
		switch call := e.AsCall(); {
		case call.IsMemberFunction() && call.FunctionName() == "join" && len(call.Args()) <= 1:
			return c.joinApp(call)
		case call.IsMemberFunction():
		case call.FunctionName() == operators.Add && len(call.Args()) == 2:
			x, y := c.app(call.Args()[0]), c.app(call.Args()[1])
			if x == nil || y == nil {
				return nil
			}
			return func(n *nenv, buf []byte) ([]byte, bool) {
				buf, ok := x(n, buf)
				if !ok {
					return buf, false
				}
				return y(n, buf)
			}
		case call.FunctionName() == "string" && len(call.Args()) == 1:
			return c.toStringApp(call.Args()[0])
		}
	}
	s := c.str(e)
	if s == nil {
		return nil
	}
	return func(n *nenv, buf []byte) ([]byte, bool) {
		v, ok := s(n)
		return append(buf, v...), ok
	}
}

// toStringApp is string(x) written in place; see toString.
func (c *ncomp) toStringApp(arg ast.Expr) strApp {
	p := c.operand(arg)
	if p == nil {
		return nil
	}
	integer := false
	if r := c.real(arg); r.Kind() == ast.CallKind && !r.AsCall().IsMemberFunction() {
		switch r.AsCall().FunctionName() {
		case "int", "size":
			integer = true
		}
	}
	return func(n *nenv, buf []byte) ([]byte, bool) {
		v, ok := p(n)
		if !ok {
			return buf, false
		}
		switch x := v.(type) {
		case string:
			return append(buf, x...), true
		case float64:
			if integer { // already whole and within ±2^53
				return strconv.AppendInt(buf, int64(x), 10), true
			}
		}
		return buf, false
	}
}

// joinApp is list.join(sep) written in place. When the list is a map()
// of a list or of filter()s of one, each mapped value is appended as it
// is computed instead of becoming a string of its own.
func (c *ncomp) joinApp(call ast.CallExpr) strApp {
	sep := strApp(func(_ *nenv, buf []byte) ([]byte, bool) { return buf, true })
	constSep, isConst := "", true
	if len(call.Args()) == 1 {
		a := c.real(call.Args()[0])
		if constSep, isConst = literal(a).(string); !isConst {
			if sep = c.app(a); sep == nil {
				return nil
			}
		}
	}
	// separator gives the separator's text; it is evaluated once.
	separator := func(n *nenv, buf []byte) (string, []byte, bool) {
		if isConst {
			return constSep, buf, true
		}
		start := len(buf)
		buf, ok := sep(n, buf)
		ds := string(buf[start:])
		return ds, buf[:start], ok
	}
	if m := c.mappedList(call.Target()); m != nil {
		return func(n *nenv, buf []byte) ([]byte, bool) {
			ds, buf, ok := separator(n, buf)
			if !ok {
				return buf, false
			}
			return m.each(n, buf, ds)
		}
	}
	list := c.seqOf(call.Target())
	if list == nil {
		return nil
	}
	return func(n *nenv, buf []byte) ([]byte, bool) {
		ds, buf, ok := separator(n, buf)
		if !ok {
			return buf, false
		}
		first, strs := true, true
		ok = list(n, func(v any) bool {
			s, isString := v.(string)
			if !isString {
				strs = false
				return false
			}
			if !first {
				buf = append(buf, ds...)
			}
			first = false
			buf = append(buf, s...)
			return true
		})
		return buf, ok && strs
	}
}

// mapped is list.map(x, e), list.map(x, p, e) or either over
// list.filter(x, q)… compiled for joinApp: the filters and map share the
// loop variable's depth, so one loop runs them all.
type mapped struct {
	list  operand  // the list under the filters
	keep  []native // the filters' predicates, then map's own
	value strApp
	depth int
}

func (c *ncomp) mappedList(e ast.Expr) *mapped {
	e = c.real(e)
	macro := func(e ast.Expr) (ast.CallExpr, bool) {
		if e.Kind() != ast.ComprehensionKind {
			return nil, false
		}
		m, ok := c.macros[e.ID()]
		if !ok || m.Kind() != ast.CallKind || !m.AsCall().IsMemberFunction() || len(m.AsCall().Args()) == 0 || m.AsCall().Args()[0].Kind() != ast.IdentKind {
			return nil, false
		}
		return m.AsCall(), true
	}
	call, ok := macro(e)
	if !ok || call.FunctionName() != "map" || len(call.Args()) < 2 || len(call.Args()) > 3 {
		return nil
	}
	m := &mapped{depth: len(c.vars)}
	args := call.Args()
	c.vars = append(c.vars, args[0].AsIdent())
	m.value = c.app(args[len(args)-1])
	if len(args) == 3 {
		m.keep = append(m.keep, c.native(args[1]))
	}
	c.vars = c.vars[:len(c.vars)-1]
	// Filters below the map, innermost first once reversed.
	r := c.real(e.AsComprehension().IterRange())
	var filters []native
	for {
		f, ok := macro(r)
		if !ok || f.FunctionName() != "filter" || len(f.Args()) != 2 {
			break
		}
		c.vars = append(c.vars, f.Args()[0].AsIdent())
		filters = append(filters, c.native(f.Args()[1]))
		c.vars = c.vars[:len(c.vars)-1]
		r = c.real(r.AsComprehension().IterRange())
	}
	slices.Reverse(filters)
	m.keep = append(filters, m.keep...)
	m.list = c.operand(r)
	if m.list == nil || m.value == nil {
		return nil
	}
	for _, k := range m.keep {
		if k == nil {
			return nil
		}
	}
	return m
}

// each appends the mapped values joined by sep.
func (m *mapped) each(n *nenv, buf []byte, sep string) ([]byte, bool) {
	v, ok := m.list(n)
	items, isList := v.([]any)
	if !ok || !isList {
		return buf, false
	}
	n.vars = append(n.vars[:m.depth], nil)
	defer func() { n.vars = n.vars[:m.depth] }()
	first := true
next:
	for _, it := range items {
		n.vars[m.depth] = it
		for _, k := range m.keep {
			in, ok := k(n)
			if !ok {
				return buf, false
			}
			if !in {
				continue next
			}
		}
		if !first {
			buf = append(buf, sep...)
		}
		first = false
		if buf, ok = m.value(n, buf); !ok {
			return buf, false
		}
	}
	return buf, true
}
