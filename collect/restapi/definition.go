// Package restapi is the generic REST integration: a YAML file describes
// a system's API (base URL, authentication, where the items are, how
// pages follow each other, how fields map to resource attributes) and
// becomes an integration kind without Go code. Files load strictly: an
// unknown key, a wrong type or a bad value is refused with file, line
// and column. Built-in definitions live in builtin/.
package restapi

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/attest-dev/attest/collect"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Definition is one YAML file: an integration kind.
type Definition struct {
	Name      string          `yaml:"name"`
	Title     string          `yaml:"title"`
	BaseURL   string          `yaml:"base_url"`
	Fields    []collect.Field `yaml:"fields"`
	Auth      Auth            `yaml:"auth"`
	Errors    *BodyErrors     `yaml:"errors"`
	Resources []Resource      `yaml:"resources"`
}

// Auth says how requests carry the credential held in a secret field.
type Auth struct {
	Type     string `yaml:"type"`     // bearer, token, basic, header, none
	Secret   string `yaml:"secret"`   // the secret field with the token or password
	Scheme   string `yaml:"scheme"`   // for token: "SSWS"
	Header   string `yaml:"header"`   // for header: "X-Api-Key"
	Username string `yaml:"username"` // for basic: the setting holding the user name
}

// BodyErrors describes APIs that answer 200 with an error in the body
// (Slack's {"ok": false, "error": "invalid_auth"}).
type BodyErrors struct {
	OK          string   `yaml:"ok"`          // path of a boolean that is false on error
	Message     string   `yaml:"message"`     // path of the error code or message
	Credentials []string `yaml:"credentials"` // messages meaning refused credentials
}

// Resource maps one endpoint's items to resources of one type.
type Resource struct {
	Type       string          `yaml:"type"`
	Path       string          `yaml:"path"`
	Items      string          `yaml:"items"`
	Pagination Pagination      `yaml:"pagination"`
	ID         string          `yaml:"id"`
	Name       string          `yaml:"name"`
	Attributes map[string]Attr `yaml:"attributes"`
}

// Pagination: style link (Link rel=next), cursor (next token at a body
// path sent back in a parameter), body_link (next URL at a body path),
// page (page numbers until a short page) or none.
type Pagination struct {
	Style string `yaml:"style"`
	Next  string `yaml:"next"`
	Param string `yaml:"param"`
	Size  int    `yaml:"size"`
}

// Attr is where an attribute comes from: a dotted path, optionally
// lower-cased, compared with a value (a boolean), turned into days since
// a timestamp, or a constant.
type Attr struct {
	Path      string `yaml:"path"`
	Lower     bool   `yaml:"lower"`
	Equals    any    `yaml:"equals"`
	DaysSince bool   `yaml:"days_since"`
	Value     any    `yaml:"value"`
	Default   any    `yaml:"default"`
}

// UnmarshalYAML accepts a bare path or the full form.
func (a *Attr) UnmarshalYAML(b []byte) error {
	var s string
	if err := yaml.Unmarshal(b, &s); err == nil && !bytes.HasPrefix(bytes.TrimSpace(b), []byte("{")) && s != "" {
		a.Path = s
		return nil
	}
	type plain Attr
	return yaml.UnmarshalWithOptions(b, (*plain)(a), yaml.Strict())
}

//go:embed builtin/*.yaml
var builtin embed.FS

// Builtin returns the kinds defined by the embedded YAML files.
func Builtin() ([]collect.Kind, error) {
	return LoadDir(builtin, "builtin")
}

// LoadDir loads every .yaml file of dir; the error names each bad file.
func LoadDir(fsys fs.FS, dir string) ([]collect.Kind, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var kinds []collect.Kind
	var errs []string
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", n, err)
		}
		k, err := Load(n, data)
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		kinds = append(kinds, k)
	}
	if len(errs) > 0 {
		return kinds, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return kinds, nil
}

var (
	nameRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	typeRE   = regexp.MustCompile(`^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$`)
	styles   = map[string]bool{"link": true, "cursor": true, "body_link": true, "page": true, "none": true, "": true}
	authType = map[string]bool{"bearer": true, "token": true, "basic": true, "header": true, "none": true}
)

// Load parses and checks one definition; file names the source in errors
// ("okta.yaml:12:5: …").
func Load(file string, data []byte) (collect.Kind, error) {
	var d Definition
	if err := yaml.UnmarshalWithOptions(data, &d, yaml.Strict()); err != nil {
		return collect.Kind{}, fmt.Errorf("%s:%s", file, position(err))
	}
	ast, err := parser.ParseBytes(data, 0)
	if err != nil {
		return collect.Kind{}, fmt.Errorf("%s:%s", file, position(err))
	}
	at := func(p string, format string, args ...any) error {
		line, col := 1, 1
		if yp, err := yaml.PathString(p); err == nil {
			if n, err := yp.FilterFile(ast); err == nil && n != nil {
				tk := n.GetToken()
				line, col = tk.Position.Line, tk.Position.Column
			}
		}
		return fmt.Errorf("%s:%d:%d: %s", file, line, col, fmt.Sprintf(format, args...))
	}
	if err := d.check(at); err != nil {
		return collect.Kind{}, err
	}
	return d.kind(), nil
}

// position turns go-yaml's "[3:5] message" into "3:5: message".
func position(err error) string {
	msg := yaml.FormatError(err, false, false)
	if m := regexp.MustCompile(`^\[(\d+):(\d+)\]\s*`).FindStringSubmatch(msg); m != nil {
		first, _, _ := strings.Cut(strings.TrimPrefix(msg, m[0]), "\n")
		return m[1] + ":" + m[2] + ": " + first
	}
	return " " + msg
}
