package restapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/httpapi"
)

type collector struct {
	d   *Definition
	api *httpapi.Client
	now func() time.Time
}

func newCollector(d *Definition, cfg collect.Config) (collect.Collector, error) {
	for _, f := range d.Fields {
		v := cfg.Settings[f.Name]
		if f.Secret {
			v = cfg.Secrets[f.Name]
		}
		if f.Required && v == "" {
			return nil, fmt.Errorf("%s: required", f.Name)
		}
	}
	base := cfg.Settings["base_url"]
	if base == "" {
		base = d.BaseURL
	}
	var auth httpapi.Auth
	secret := cfg.Secrets[d.Auth.Secret]
	switch d.Auth.Type {
	case "bearer":
		auth = httpapi.Bearer(secret)
	case "token":
		auth = httpapi.Token(d.Auth.Scheme, secret)
	case "header":
		auth = httpapi.Header(d.Auth.Header, secret)
	case "basic":
		auth = httpapi.Basic(cfg.Settings[d.Auth.Username], secret)
	}
	if d.Auth.Type != "none" && secret == "" {
		return nil, fmt.Errorf("%s: required", d.Auth.Secret)
	}
	api, err := httpapi.New(cfg, httpapi.Options{Service: d.Name, BaseURL: base, Auth: auth})
	if err != nil {
		return nil, err
	}
	return &collector{d: d, api: api, now: cfg.Clock()}, nil
}

// Test fetches the first page of the first resource.
func (c *collector) Test(ctx context.Context) error {
	resp, err := c.api.Get(ctx, c.d.Resources[0].Path)
	if err != nil {
		return err
	}
	return c.bodyError(resp)
}

func (c *collector) pager(r Resource) httpapi.Pager {
	switch p := r.Pagination; p.Style {
	case "link":
		return httpapi.LinkNext{}
	case "cursor":
		return httpapi.Cursor{Path: p.Next, Param: p.Param}
	case "body_link":
		return httpapi.BodyLink{Path: p.Next}
	case "page":
		return httpapi.PageNumber{Param: p.Param, Size: p.Size, ItemsPath: r.Items}
	}
	return none{}
}

type none struct{}

func (none) Next(*httpapi.Response) (string, error) { return "", nil }

// bodyError reads an error reported inside a 200 answer.
func (c *collector) bodyError(resp *httpapi.Response) error {
	e := c.d.Errors
	if e == nil {
		return nil
	}
	var doc any
	if err := c.api.Decode(resp, &doc); err != nil {
		return err
	}
	if ok, _ := httpapi.Lookup(doc, e.OK); ok != false {
		return nil
	}
	msg, _ := httpapi.Lookup(doc, e.Message)
	text := fmt.Sprint(msg)
	if slices.Contains(e.Credentials, text) {
		return fmt.Errorf("%s: %w: %s", c.d.Name, collect.ErrCredentials, text)
	}
	return fmt.Errorf("%s: GET %s: the API reports an error: %s", c.d.Name, resp.URL.Path, text)
}

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	now := c.now()
	for _, r := range c.d.Resources {
		err := c.api.Pages(ctx, r.Path, c.pager(r), func(resp *httpapi.Response) error {
			if err := c.bodyError(resp); err != nil {
				return err
			}
			items, err := httpapi.Items(resp.Body, r.Items)
			if err != nil {
				return fmt.Errorf("%s: %w from GET %s: %v", c.d.Name, collect.ErrMalformed, resp.URL.Path, err)
			}
			for i, item := range items {
				res, err := c.resource(r, item, now)
				if err != nil {
					return fmt.Errorf("%s: %w from GET %s: item %d: %v", c.d.Name, collect.ErrMalformed, resp.URL.Path, i+1, err)
				}
				if err := emit(res); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// resource maps one item.
func (c *collector) resource(r Resource, item any, now time.Time) (collect.Resource, error) {
	id, ok := scalar(item, r.ID)
	if !ok || id == "" {
		return collect.Resource{}, fmt.Errorf("no identifier at %q", r.ID)
	}
	name := id
	if r.Name != "" {
		if n, ok := scalar(item, r.Name); ok && n != "" {
			name = n
		}
	}
	attrs := make(map[string]any, len(r.Attributes))
	for k, a := range r.Attributes {
		v, err := a.eval(item, now)
		if err != nil {
			return collect.Resource{}, fmt.Errorf("attribute %s: %v", k, err)
		}
		attrs[k] = v
	}
	return collect.Resource{Type: r.Type, ID: id, Name: name, Attributes: attrs, CollectedAt: now}, nil
}

func scalar(item any, path string) (string, bool) {
	v, ok := httpapi.Lookup(item, path)
	switch x := v.(type) {
	case string:
		return x, ok
	case json.Number:
		return x.String(), ok
	}
	return "", false
}

func (a Attr) eval(item any, now time.Time) (any, error) {
	if a.Path == "" {
		return collect.JSONValue(a.Value), nil
	}
	v, ok := httpapi.Lookup(item, a.Path)
	if !ok || v == nil {
		if a.Equals != nil {
			return false, nil
		}
		return collect.JSONValue(a.Default), nil
	}
	v = collect.JSONValue(v)
	switch {
	case a.Lower:
		s, ok := v.(string)
		if !ok {
			return nil, errors.New("lower: not a string")
		}
		return strings.ToLower(s), nil
	case a.Equals != nil:
		return fmt.Sprint(v) == fmt.Sprint(collect.JSONValue(a.Equals)), nil
	case a.DaysSince:
		var t time.Time
		switch x := v.(type) {
		case string:
			var err error
			if t, err = time.Parse(time.RFC3339, x); err != nil {
				return nil, fmt.Errorf("days_since: %q is not an RFC 3339 time", x)
			}
		case float64:
			t = time.Unix(int64(x), 0)
		default:
			return nil, errors.New("days_since: not a time")
		}
		return math.Floor(now.Sub(t).Hours() / 24), nil
	}
	return v, nil
}
