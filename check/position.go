package check

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"cel.dev/cel-go/cel"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// pos is a 1-based line and column in a check file.
type pos struct{ line, col int }

// node is where a value starts in the file and how it is written, which
// is what translating a position inside an expression needs.
type node struct {
	pos
	style byte // 'p' plain, 'q' quoted, 'b' block (| or >)
	lines []string
}

// positions maps the keys of a check file ("condition", "lookups.0.key")
// to where their values start. A file that does not parse maps nothing;
// its errors come from the decoder.
func positions(data []byte) map[string]node {
	out := map[string]node{}
	f, err := parser.ParseBytes(data, 0)
	if err != nil || len(f.Docs) == 0 {
		return out
	}
	lines := strings.Split(string(data), "\n")
	var walk func(prefix string, n ast.Node)
	walk = func(prefix string, n ast.Node) {
		switch v := n.(type) {
		case *ast.MappingNode:
			for _, mv := range v.Values {
				walk(prefix+mv.Key.String(), mv.Value)
			}
		case *ast.MappingValueNode:
			walk(prefix+v.Key.String(), v.Value)
		case *ast.SequenceNode:
			tk := v.GetToken()
			if tk != nil && tk.Position != nil {
				out[strings.TrimSuffix(prefix, ".")] = node{pos: pos{tk.Position.Line, tk.Position.Column}, style: 'p', lines: lines}
			}
			for i, e := range v.Values {
				walk(prefix+"."+strconv.Itoa(i)+".", e)
			}
		default:
			if n == nil {
				return
			}
			tk := n.GetToken()
			if tk == nil || tk.Position == nil {
				return
			}
			nd := node{pos: pos{tk.Position.Line, tk.Position.Column}, style: 'p', lines: lines}
			switch tk.Type {
			case token.LiteralType, token.FoldedType:
				nd.style = 'b'
			case token.SingleQuoteType, token.DoubleQuoteType:
				nd.style = 'q'
			}
			out[prefix] = nd
		}
	}
	body := f.Docs[0].Body
	if m, ok := body.(*ast.MappingNode); ok {
		for _, mv := range m.Values {
			walk(mv.Key.String(), mv.Value)
		}
	} else if mv, ok := body.(*ast.MappingValueNode); ok {
		walk(mv.Key.String(), mv.Value)
	}
	return out
}

// locate returns the file position of the off-th character (in code
// points) of the value that starts at n. Block scalars start on the line
// after their header at the block's indentation; folded lines keep their
// length (a line break becomes one space), so one walk serves all styles.
// Escapes inside double quotes can shift the column a little.
func (n node) locate(off int) pos {
	if n.lines == nil {
		return pos{1, 1}
	}
	idx, startCol := n.line-1, n.col-1 // 0-based line index and byte column
	if n.style == 'q' {
		startCol++
	}
	indent := -1
	if n.style == 'b' {
		idx++
		for i := idx; i < len(n.lines); i++ {
			if t := strings.TrimLeft(n.lines[i], " "); t != "" {
				indent = len(n.lines[i]) - len(t)
				break
			}
		}
		startCol = max(indent, 0)
	}
	for ; idx < len(n.lines); idx++ {
		line := n.lines[idx]
		col := min(startCol, len(line))
		content := line[col:]
		size := utf8.RuneCountInString(content)
		if off <= size {
			return pos{idx + 1, col + len(string([]rune(content)[:off])) + 1}
		}
		off -= size + 1
		// Continuation lines of plain and quoted scalars start after their
		// indentation; block lines at the block's.
		if next := idx + 1; next < len(n.lines) {
			if n.style == 'b' {
				startCol = max(indent, 0)
			} else {
				startCol = len(n.lines[next]) - len(strings.TrimLeft(n.lines[next], " \t"))
			}
		}
	}
	return pos{n.line, n.col}
}

// exprError is a compile error at a file position.
type exprError struct {
	pos pos
	msg string
}

func (e *exprError) Error() string { return fmt.Sprintf("%d:%d: %s", e.pos.line, e.pos.col, e.msg) }

// compile type-checks src (which must yield want, or dyn) and plans it.
// A failure names the first error at its position in the file.
func compile(env *cel.Env, src string, want *cel.Type, at node) (cel.Program, error) {
	checked, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		first := iss.Errors()[0]
		off := 0
		if loc := first.Location; loc != nil && loc.Line() > 0 {
			srcLines := strings.Split(src, "\n")
			for i := 0; i < loc.Line()-1 && i < len(srcLines); i++ {
				off += utf8.RuneCountInString(srcLines[i]) + 1
			}
			off += loc.Column()
		}
		return nil, &exprError{pos: at.locate(off), msg: first.Message}
	}
	if out := checked.OutputType(); !out.IsAssignableType(want) && !out.IsExactType(cel.DynType) {
		return nil, &exprError{pos: at.locate(0), msg: fmt.Sprintf("want a %s expression, this one gives %s", want, out)}
	}
	prg, err := env.Program(checked, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, &exprError{pos: at.locate(0), msg: err.Error()}
	}
	return prg, nil
}
