package check

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"github.com/attest-dev/attest"
	"github.com/goccy/go-yaml"
)

// Check is one check loaded from its YAML file: what it selects, what it
// asserts, why it matters and how long a failure may stay open. The CEL
// programs are compiled once at load and reused for every run.
type Check struct {
	ID            string
	Title         string
	Description   string
	ResourceTypes []string
	Severity      string // critical, high, medium or low
	Controls      []string
	Remediation   string
	Window        time.Duration // remediation window: how long a failure may stay open
	File          string        // the file it was loaded from

	// The expressions as written (CEL source).
	When      string
	Condition string
	Reason    string
	Lookups   []Lookup

	when, condition, reason cel.Program
	lookups                 []compiledLookup
	controlsAt              pos                          // where the controls are listed, for errors
	readsMeta               bool                         // when or condition reads more of resource than its attributes
	whenCondition           cel.Program                  // 2 when "when" is false, else 1 or 0 for the condition
	nativeWhen, nativeCond  native                       // fast paths for common shapes (native.go), or nil
	nativeReason            func(n *nenv) (string, bool) // native_append.go, or nil
}

// Lookup declares a table built once per run from the resources of
// another type, so that a condition can join populations by key instead
// of scanning: lookup('name', key) returns the resource stored under key,
// or null.
type Lookup struct {
	Name         string `yaml:"name"`
	ResourceType string `yaml:"resource_type"`
	When         string `yaml:"when,omitempty"` // which resources enter the table (all when empty)
	Key          string `yaml:"key"`            // CEL string: the key a resource is stored under
}

type compiledLookup struct {
	Lookup
	when, key  cel.Program
	nativeWhen native                       // fast paths (native.go, native_string.go), or nil
	nativeKey  func(n *nenv) (string, bool) //
}

// file is the YAML shape of a check file.
type file struct {
	ID            string   `yaml:"id"`
	Title         string   `yaml:"title"`
	Description   string   `yaml:"description"`
	ResourceTypes []string `yaml:"resource_types"`
	Severity      string   `yaml:"severity"`
	Controls      []string `yaml:"controls"`
	Window        string   `yaml:"window"`
	Lookups       []Lookup `yaml:"lookups,omitempty"`
	When          string   `yaml:"when,omitempty"`
	Condition     string   `yaml:"condition"`
	Reason        string   `yaml:"reason"`
	Remediation   string   `yaml:"remediation"`
}

// Severities, most urgent first.
var Severities = []string{"critical", "high", "medium", "low"}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9.\-]{1,79}$`)
	typePattern = regexp.MustCompile(`^[a-z0-9_]+\.[a-z0-9_.]+$`)
	namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	yamlLineCol = regexp.MustCompile(`^\[(\d+):(\d+)\]\s*`)
)

// Parse reads one check file. name is how errors refer to the file; every
// error is EINVALID and starts with "name:line:col:", for a YAML mistake
// as for a CEL one (whose position inside the expression is translated to
// the file).
func Parse(name string, data []byte) (*Check, error) {
	bad := func(p pos, format string, args ...any) error {
		return attest.Errorf(attest.EINVALID, "%s:%d:%d: %s", name, p.line, p.col, fmt.Sprintf(format, args...))
	}
	var f file
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		p, msg := pos{1, 1}, err.Error()
		var yerr yaml.Error
		if errors.As(err, &yerr) {
			msg = yerr.GetMessage()
			if tk := yerr.GetToken(); tk != nil && tk.Position != nil {
				p = pos{tk.Position.Line, tk.Position.Column}
			}
		}
		if m := yamlLineCol.FindStringSubmatch(msg); m != nil {
			msg = msg[len(m[0]):]
		}
		return nil, bad(p, "%s", strings.TrimSpace(msg))
	}
	nodes := positions(data)
	at := func(key string) pos {
		if n, ok := nodes[key]; ok {
			return n.pos
		}
		return pos{1, 1}
	}
	c := &Check{ID: f.ID, Title: strings.TrimSpace(f.Title), Description: strings.TrimSpace(f.Description),
		ResourceTypes: f.ResourceTypes, Severity: f.Severity, Controls: f.Controls,
		Remediation: strings.TrimSpace(f.Remediation), File: name,
		When: strings.TrimSpace(f.When), Condition: strings.TrimSpace(f.Condition), Reason: strings.TrimSpace(f.Reason), Lookups: f.Lookups}
	c.controlsAt = at("controls")
	switch {
	case !idPattern.MatchString(c.ID):
		return nil, bad(at("id"), "id %q: use 2-80 lower-case letters, digits, dots and dashes", c.ID)
	case c.Title == "":
		return nil, bad(at("title"), "title is required")
	case c.Description == "":
		return nil, bad(at("description"), "description is required (what the check verifies)")
	case len(c.ResourceTypes) == 0:
		return nil, bad(at("resource_types"), "resource_types: name at least one resource type")
	case !slices.Contains(Severities, c.Severity):
		return nil, bad(at("severity"), "severity %q: want one of %s", c.Severity, strings.Join(Severities, ", "))
	case len(c.Controls) == 0:
		return nil, bad(at("controls"), "controls: name at least one control the check tests")
	case c.Condition == "":
		return nil, bad(at("condition"), "condition is required")
	case c.Reason == "":
		return nil, bad(at("reason"), "reason is required (a CEL string explaining a failure)")
	case c.Remediation == "":
		return nil, bad(at("remediation"), "remediation is required")
	}
	for _, t := range c.ResourceTypes {
		if !typePattern.MatchString(t) {
			return nil, bad(at("resource_types"), "resource type %q: want a dotted name such as aws.iam_user", t)
		}
	}
	var err error
	if c.Window, err = ParseWindow(f.Window); err != nil {
		return nil, bad(at("window"), "window: %v", err)
	}
	if len(c.Lookups) > maxLookups {
		return nil, bad(at("lookups"), "lookups: at most %d per check", maxLookups)
	}
	names := make([]string, len(c.Lookups))
	for i, l := range c.Lookups {
		key := "lookups." + strconv.Itoa(i)
		switch {
		case !namePattern.MatchString(l.Name):
			return nil, bad(at(key+".name"), "lookup name %q: use a lower-case identifier", l.Name)
		case slices.Contains(names[:i], l.Name):
			return nil, bad(at(key+".name"), "lookup %q is declared twice", l.Name)
		case !typePattern.MatchString(l.ResourceType):
			return nil, bad(at(key+".resource_type"), "lookup %s: resource_type %q: want a dotted name such as hr.person", l.Name, l.ResourceType)
		case strings.TrimSpace(l.Key) == "":
			return nil, bad(at(key+".name"), "lookup %s: key is required", l.Name)
		}
		names[i] = l.Name
	}
	env, err := base()
	if err != nil {
		return nil, fmt.Errorf("check environment: %w", err)
	}
	// Lookup expressions see the same functions but no other lookups.
	for i, l := range c.Lookups {
		key := "lookups." + strconv.Itoa(i)
		cl := compiledLookup{Lookup: l}
		if cl.key, err = compile(env, l.Key, cel.StringType, nodes[key+".key"]); err != nil {
			return nil, bad(err.(*exprError).pos, "lookup %s: key: %s", l.Name, err.(*exprError).msg)
		}
		if strings.TrimSpace(l.When) != "" {
			if cl.when, err = compile(env, l.When, cel.BoolType, nodes[key+".when"]); err != nil {
				return nil, bad(err.(*exprError).pos, "lookup %s: when: %s", l.Name, err.(*exprError).msg)
			}
		}
		if checked, iss := env.Compile(l.Key); iss == nil || iss.Err() == nil {
			cl.nativeKey = compileNativeString(checked.NativeRep())
		}
		if cl.when != nil {
			cl.nativeWhen = nativeOf(env, l.When)
		}
		c.lookups = append(c.lookups, cl)
	}
	if env, err = env.Extend(cel.Macros(lookupMacro(names))); err != nil {
		return nil, fmt.Errorf("check environment: %w", err)
	}
	exprs := []struct {
		key  string
		src  string
		want *cel.Type
		prg  *cel.Program
	}{{"when", f.When, cel.BoolType, &c.when}, {"condition", f.Condition, cel.BoolType, &c.condition}, {"reason", f.Reason, cel.StringType, &c.reason}}
	for _, e := range exprs {
		if strings.TrimSpace(e.src) == "" {
			continue
		}
		if *e.prg, err = compile(env, e.src, e.want, nodes[e.key]); err != nil {
			return nil, bad(err.(*exprError).pos, "%s: %s", e.key, err.(*exprError).msg)
		}
	}
	c.readsMeta = readsMeta(f.When) || readsMeta(f.Condition)
	c.nativeCond = nativeOf(env, f.Condition)
	if checked, iss := env.Compile(f.Reason); iss == nil || iss.Err() == nil {
		c.nativeReason = compileNativeText(checked.NativeRep())
	}
	if c.when != nil {
		c.nativeWhen = nativeOf(env, f.When)
	}
	if c.when != nil {
		// One evaluation instead of two for the common case; any error
		// falls back to the separate programs, whose messages say which
		// expression failed. Line breaks keep a trailing // comment from
		// swallowing the parentheses.
		both := "(\n" + f.When + "\n) ? ((\n" + f.Condition + "\n) ? 1 : 0) : 2"
		if ast, iss := env.Compile(both); iss == nil || iss.Err() == nil {
			c.whenCondition, _ = env.Program(ast, cel.EvalOptions(cel.OptOptimize))
		}
	}
	return c, nil
}

// nativeOf compiles src's native fast path, or returns nil.
func nativeOf(env *cel.Env, src string) native {
	checked, iss := env.Compile(src)
	if iss != nil && iss.Err() != nil {
		return nil
	}
	return compileNative(checked.NativeRep())
}

// readsMeta reports whether src may read resource.type, .id or .name:
// any use of the identifier resource not followed by ".attributes". It
// errs on the side of yes (a string literal mentioning resource counts).
func readsMeta(src string) bool {
	for i := 0; ; {
		j := strings.Index(src[i:], resourceVar)
		if j < 0 {
			return false
		}
		at := i + j
		end := at + len(resourceVar)
		before := at == 0 || !isIdentByte(src[at-1])
		after := end == len(src) || !isIdentByte(src[end])
		if before && after {
			rest, dot := strings.CutPrefix(strings.TrimLeft(src[end:], " \t\r\n"), ".")
			rest = strings.TrimLeft(rest, " \t\r\n")
			if !dot || !strings.HasPrefix(rest, "attributes") || len(rest) > len("attributes") && isIdentByte(rest[len("attributes")]) {
				return true
			}
		}
		i = end
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
}

// ParseWindow reads a remediation window: a number of days ("3d") or a Go
// duration ("72h"). Empty means no window (zero).
func ParseWindow(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 3650 {
			return 0, fmt.Errorf("%q: want a number of days such as 3d", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	w, err := time.ParseDuration(s)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("%q: want days (3d) or hours (72h)", s)
	}
	return w, nil
}

// FormatWindow writes a window the way ParseWindow reads it, in days when
// it is a whole number of days.
func FormatWindow(w time.Duration) string {
	switch {
	case w == 0:
		return ""
	case w%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(w/(24*time.Hour)), 10) + "d"
	default:
		return w.String()
	}
}

// Encode writes c back as a check file that Parse reads into the same
// check, for a folder kept in Git.
func Encode(c *Check) ([]byte, error) {
	f := file{ID: c.ID, Title: c.Title, Description: c.Description, ResourceTypes: c.ResourceTypes,
		Severity: c.Severity, Controls: c.Controls, Window: FormatWindow(c.Window), Lookups: c.Lookups,
		When: c.When, Condition: c.Condition, Reason: c.Reason, Remediation: c.Remediation}
	out, err := yaml.MarshalWithOptions(f, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return nil, fmt.Errorf("encode check %s: %w", c.ID, err)
	}
	return out, nil
}
