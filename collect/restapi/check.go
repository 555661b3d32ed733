package restapi

import (
	"fmt"
	"slices"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/httpapi"
)

// check validates a decoded definition; at names the position of a path.
func (d *Definition) check(at func(path, format string, args ...any) error) error {
	if !nameRE.MatchString(d.Name) {
		return at("$.name", "name: want lower-case letters, digits and _ (e.g. slack)")
	}
	if d.Title == "" {
		return at("$.title", "title: required")
	}
	if _, err := httpapi.ParseBaseURL("base_url", d.BaseURL); err != nil {
		return at("$.base_url", "%v", err)
	}
	secret := map[string]bool{}
	names := map[string]bool{"base_url": true}
	for i, f := range d.Fields {
		if !nameRE.MatchString(f.Name) || names[f.Name] {
			return at(fmt.Sprintf("$.fields[%d].name", i), "fields: %q is not a new lower-case name", f.Name)
		}
		if f.Label == "" {
			return at(fmt.Sprintf("$.fields[%d]", i), "fields: %s needs a label", f.Name)
		}
		names[f.Name] = true
		secret[f.Name] = f.Secret
	}
	if !authType[d.Auth.Type] {
		return at("$.auth.type", "auth.type: want bearer, token, basic, header or none, got %q", d.Auth.Type)
	}
	if d.Auth.Type != "none" && !secret[d.Auth.Secret] {
		return at("$.auth.secret", "auth.secret: name a field declared with secret: true (got %q)", d.Auth.Secret)
	}
	if d.Auth.Type == "header" && d.Auth.Header == "" {
		return at("$.auth", "auth.header: the header that carries the credential is required")
	}
	if d.Auth.Type == "token" && d.Auth.Scheme == "" {
		return at("$.auth", "auth.scheme: required for token (e.g. SSWS)")
	}
	if d.Auth.Type == "basic" && (!names[d.Auth.Username] || secret[d.Auth.Username]) {
		return at("$.auth", "auth.username: name the (non-secret) field holding the user name")
	}
	if len(d.Resources) == 0 {
		return at("$", "resources: at least one is required")
	}
	for i, r := range d.Resources {
		p := fmt.Sprintf("$.resources[%d]", i)
		switch {
		case !typeRE.MatchString(r.Type):
			return at(p+".type", "type: want system.thing (e.g. slack.user), got %q", r.Type)
		case r.Path == "":
			return at(p, "path: required")
		case r.ID == "":
			return at(p, "id: the path of each item's identifier is required")
		case !styles[r.Pagination.Style]:
			return at(p+".pagination.style", "pagination.style: want link, cursor, body_link, page or none, got %q", r.Pagination.Style)
		case r.Pagination.Style == "cursor" && (r.Pagination.Next == "" || r.Pagination.Param == ""):
			return at(p+".pagination", "pagination: cursor needs next (where the cursor is) and param (where it goes)")
		case r.Pagination.Style == "body_link" && r.Pagination.Next == "":
			return at(p+".pagination", "pagination: body_link needs next (where the next URL is)")
		case r.Pagination.Style == "page" && (r.Pagination.Param == "" || r.Pagination.Size < 1):
			return at(p+".pagination", "pagination: page needs param and a size of at least 1")
		}
		keys := make([]string, 0, len(r.Attributes))
		for k := range r.Attributes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			a := r.Attributes[k]
			if (a.Path == "") == (a.Value == nil) {
				return at(p+".attributes."+k, "attributes.%s: give a path or a value, not both or neither", k)
			}
			if a.Equals != nil && (a.Lower || a.DaysSince) || a.Lower && a.DaysSince {
				return at(p+".attributes."+k, "attributes.%s: choose one of lower, equals and days_since", k)
			}
		}
	}
	return nil
}

// kind turns a checked definition into an integration kind.
func (d *Definition) kind() collect.Kind {
	fields := append([]collect.Field{{Name: "base_url", Label: "API URL", Default: d.BaseURL}}, d.Fields...)
	var types []string
	for _, r := range d.Resources {
		if !slices.Contains(types, r.Type) {
			types = append(types, r.Type)
		}
	}
	def := *d
	return collect.Kind{Name: d.Name, Title: d.Title, Fields: fields, ResourceTypes: types,
		New: func(cfg collect.Config) (collect.Collector, error) { return newCollector(&def, cfg) }}
}
