package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/attest-dev/attest/collect"
)

// maxPages stops a paginated walk that never ends (an API that keeps
// answering with a next page).
const maxPages = 100000

// Pager finds the next page after an answer; "" means the last page.
type Pager interface {
	Next(resp *Response) (string, error)
}

// LinkNext follows the Link header's rel="next" (GitHub, Okta, RFC 8288).
type LinkNext struct{}

var linkRE = regexp.MustCompile(`<([^>]*)>\s*((?:;\s*[^;,]+)*)`)

// Next returns the rel="next" target, or "".
func (LinkNext) Next(resp *Response) (string, error) {
	for _, h := range resp.Header.Values("Link") {
		for _, m := range linkRE.FindAllStringSubmatch(h, -1) {
			for _, param := range strings.Split(m[2], ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(param), "=")
				if strings.EqualFold(k, "rel") {
					for _, rel := range strings.Fields(strings.Trim(v, `"`)) {
						if rel == "next" {
							return m[1], nil
						}
					}
				}
			}
		}
	}
	return "", nil
}

// Cursor reads the next cursor at a dotted path of the JSON body
// ("meta.next_cursor") and sends it back as a query parameter.
type Cursor struct {
	Path  string // where the body holds the next cursor
	Param string // the query parameter that takes it
}

// Next returns the current URL with the cursor parameter set, or "".
func (c Cursor) Next(resp *Response) (string, error) {
	var body any
	if err := decode(resp.Body, &body); err != nil {
		return "", err
	}
	v, _ := Lookup(body, c.Path)
	var cur string
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		cur = x
	case json.Number:
		cur = x.String()
	default:
		return "", fmt.Errorf("the cursor at %q is a %T, not a string", c.Path, v)
	}
	if cur == "" {
		return "", nil
	}
	return withParam(resp.URL, c.Param, cur), nil
}

// PageNumber counts pages 1, 2, … in a query parameter and stops at a page
// holding fewer items than Size (the items are the array at ItemsPath,
// "" for a top-level array).
type PageNumber struct {
	Param     string
	Size      int
	ItemsPath string
}

// Next returns the URL of the following page, or "".
func (p PageNumber) Next(resp *Response) (string, error) {
	items, err := Items(resp.Body, p.ItemsPath)
	if err != nil {
		return "", err
	}
	if len(items) == 0 || len(items) < p.Size {
		return "", nil
	}
	page, _ := strconv.Atoi(resp.URL.Query().Get(p.Param))
	if page < 1 {
		page = 1
	}
	return withParam(resp.URL, p.Param, strconv.Itoa(page+1)), nil
}

func withParam(u *url.URL, k, v string) string {
	n := *u
	q := n.Query()
	q.Set(k, v)
	n.RawQuery = q.Encode()
	return n.String()
}

// Pages fetches first and every page after it, calling fn on each answer
// before fetching the next, so resources are emitted as they arrive and
// nothing after a bad page.
func (c *Client) Pages(ctx context.Context, first string, p Pager, fn func(*Response) error) error {
	seen := map[string]bool{}
	ref := first
	for n := 0; ref != ""; n++ {
		if n >= maxPages {
			return fmt.Errorf("%s: more than %d pages from %s: %w", c.o.Service, maxPages, first, collect.ErrMalformed)
		}
		resp, err := c.Get(ctx, ref)
		if err != nil {
			return err
		}
		if err := fn(resp); err != nil {
			return err
		}
		next, err := p.Next(resp)
		if err != nil {
			return c.malformed(resp, err)
		}
		if next != "" {
			u, err := c.Resolve(next)
			if err != nil {
				return err
			}
			if seen[u.String()] {
				return c.malformed(resp, fmt.Errorf("the next page repeats an earlier one"))
			}
			seen[u.String()] = true
		}
		ref = next
	}
	return nil
}

// GetJSON fetches ref and decodes its JSON body into v.
func (c *Client) GetJSON(ctx context.Context, ref string, v any) (*Response, error) {
	resp, err := c.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	return resp, c.Decode(resp, v)
}

// Decode reads resp's JSON body into v; a body that is not the expected
// JSON is a malformed answer.
func (c *Client) Decode(resp *Response, v any) error {
	if err := decode(resp.Body, v); err != nil {
		return c.malformed(resp, err)
	}
	return nil
}

func (c *Client) malformed(resp *Response, err error) error {
	return fmt.Errorf("%s: %w from GET %s: %v", c.o.Service, collect.ErrMalformed, resp.URL.Path, err)
}

// decode is strict about the document (one JSON value, nothing after)
// and keeps numbers exact.
func decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("extra data after the JSON value")
	}
	return nil
}

// Items decodes body and returns the array at the dotted path ("" for the
// whole body).
func Items(body []byte, path string) ([]any, error) {
	var doc any
	if err := decode(body, &doc); err != nil {
		return nil, err
	}
	v, ok := Lookup(doc, path)
	if !ok {
		return nil, fmt.Errorf("no %q in the answer", path)
	}
	items, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%q is a %s, not a list", path, kind(v))
	}
	return items, nil
}

// Lookup follows a dotted path ("profile.email") through decoded JSON
// objects; "" is the value itself.
func Lookup(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	default:
		return "number"
	}
}

// BodyLink follows a next-page URL held in the JSON body at a dotted path
// ("_links.next.href", Okta's and HAL's style); absent or null ends.
type BodyLink struct {
	Path string
}

// Next returns the URL at the path, or "".
func (b BodyLink) Next(resp *Response) (string, error) {
	var body any
	if err := decode(resp.Body, &body); err != nil {
		return "", err
	}
	v, _ := Lookup(body, b.Path)
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	return "", fmt.Errorf("the next link at %q is a %s, not a URL", b.Path, kind(v))
}
