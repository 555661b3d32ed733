// Package github collects an organization from the GitHub REST API: its
// two-factor requirement, members with their role and two-factor state,
// repositories with the protection of their default branch (classic
// branch protection or rulesets), open critical Dependabot alerts and
// secret scanning.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/httpapi"
)

// Kind is the "github" integration.
var Kind = collect.Kind{
	Name:  "github",
	Title: "GitHub",
	Fields: []collect.Field{
		{Name: "org", Label: "Organization", Required: true, Help: "The organization's login, as in github.com/<org>."},
		{Name: "token", Label: "Token", Required: true, Secret: true,
			Help: "A token of an organization owner with read:org and repo (or a fine-grained token with Administration, Members, Dependabot alerts and Secret scanning alerts read)."},
		{Name: "base_url", Label: "API URL", Default: "https://api.github.com", Help: "For GitHub Enterprise Server: https://HOST/api/v3."},
		{Name: "pull_request_days", Label: "Pull requests of the last (days)", Default: "90",
			Help: "Merged pull requests into default branches are read back this many days (0 reads none); a fine-grained token needs Pull requests read."},
	},
	ResourceTypes: []string{"github.org", "github.member", "github.repository", "github.pull_request"},
	New:           newCollector,
}

var loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$`)

type collector struct {
	api *httpapi.Client
	org string
	now func() time.Time
	// lookback bounds the merged pull requests read (0: none).
	lookback time.Duration
}

func newCollector(cfg collect.Config) (collect.Collector, error) {
	org := cfg.Settings["org"]
	if !loginRE.MatchString(org) {
		return nil, errors.New("org: want the organization's login (letters, digits and hyphens)")
	}
	token := cfg.Secrets["token"]
	if token == "" {
		return nil, errors.New("token: required")
	}
	lookback := pullLookback
	if v := cfg.Settings["pull_request_days"]; v != "" {
		days, err := strconv.Atoi(v)
		if err != nil || days < 0 || days > 3650 {
			return nil, errors.New("pull_request_days: want a number of days from 0 to 3650")
		}
		lookback = time.Duration(days) * 24 * time.Hour
	}
	base := cfg.Settings["base_url"]
	if base == "" {
		base = "https://api.github.com"
	}
	api, err := httpapi.New(cfg, httpapi.Options{
		Service: "github", BaseURL: base, Auth: httpapi.Bearer(token),
		Accept: "application/vnd.github+json",
		Header: http.Header{"X-Github-Api-Version": {"2022-11-28"}},
	})
	if err != nil {
		return nil, err
	}
	return &collector{api: api, org: org, now: cfg.Clock(), lookback: lookback}, nil
}

// Test reads the organization.
func (c *collector) Test(ctx context.Context) error {
	var o org
	_, err := c.api.GetJSON(ctx, "orgs/"+c.org, &o)
	return err
}

type org struct {
	Login                    string `json:"login"`
	Name                     string `json:"name"`
	TwoFactorRequired        *bool  `json:"two_factor_requirement_enabled"`
	DefaultPermission        string `json:"default_repository_permission"`
	MembersCanCreatePublic   *bool  `json:"members_can_create_public_repositories"`
	WebCommitSignoffRequired bool   `json:"web_commit_signoff_required"`
	SecretScanningForNew     *bool  `json:"secret_scanning_enabled_for_new_repositories"`
	DependabotAlertsForNew   *bool  `json:"dependabot_alerts_enabled_for_new_repositories"`
}

type user struct {
	Login     string  `json:"login"`
	ID        int64   `json:"id"`
	Type      string  `json:"type"`
	SiteAdmin bool    `json:"site_admin"`
	Name      *string `json:"name"`
	Email     *string `json:"email"`
}

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	now := c.now()
	var o org
	if _, err := c.api.GetJSON(ctx, "orgs/"+c.org, &o); err != nil {
		return err
	}
	if o.Login == "" {
		return fmt.Errorf("github: %w from GET /orgs/%s: no login", collect.ErrMalformed, c.org)
	}
	err := emit(collect.Resource{Type: "github.org", ID: o.Login, Name: orElse(o.Name, o.Login), CollectedAt: now, Attributes: map[string]any{
		"login":                                          o.Login,
		"two_factor_requirement_enabled":                 boolOrNil(o.TwoFactorRequired),
		"default_repository_permission":                  o.DefaultPermission,
		"members_can_create_public_repositories":         boolOrNil(o.MembersCanCreatePublic),
		"web_commit_signoff_required":                    o.WebCommitSignoffRequired,
		"secret_scanning_enabled_for_new_repositories":   boolOrNil(o.SecretScanningForNew),
		"dependabot_alerts_enabled_for_new_repositories": boolOrNil(o.DependabotAlertsForNew),
	}})
	if err != nil {
		return err
	}
	if err := c.members(ctx, now, emit); err != nil {
		return err
	}
	return c.repositories(ctx, now, emit)
}

// logins lists the members matching a filter of the members endpoint; ok
// is false when the token may not use that filter (only owners may ask
// for 2fa_disabled).
func (c *collector) logins(ctx context.Context, query string) (map[string]bool, bool, error) {
	set := map[string]bool{}
	err := c.api.Pages(ctx, "orgs/"+c.org+"/members?per_page=100&"+query, httpapi.LinkNext{}, func(r *httpapi.Response) error {
		var us []user
		if err := c.api.Decode(r, &us); err != nil {
			return err
		}
		for _, u := range us {
			set[u.Login] = true
		}
		return nil
	})
	if httpapi.IsStatus(err, http.StatusForbidden, http.StatusUnprocessableEntity) {
		return nil, false, nil
	}
	return set, err == nil, err
}

func (c *collector) members(ctx context.Context, now time.Time, emit func(collect.Resource) error) error {
	admins, _, err := c.logins(ctx, "role=admin")
	if err != nil {
		return err
	}
	no2fa, known2fa, err := c.logins(ctx, "filter=2fa_disabled")
	if err != nil {
		return err
	}
	return c.api.Pages(ctx, "orgs/"+c.org+"/members?per_page=100", httpapi.LinkNext{}, func(r *httpapi.Response) error {
		var us []user
		if err := c.api.Decode(r, &us); err != nil {
			return err
		}
		for _, m := range us {
			if m.Login == "" {
				return fmt.Errorf("github: %w from GET %s: a member without a login", collect.ErrMalformed, r.URL.Path)
			}
			var full user // the public profile: name and public email
			if _, err := c.api.GetJSON(ctx, "users/"+url.PathEscape(m.Login), &full); err != nil {
				return err
			}
			role := "member"
			if admins[m.Login] {
				role = "admin"
			}
			var twoFA any
			if known2fa {
				twoFA = !no2fa[m.Login]
			}
			err := emit(collect.Resource{Type: "github.member", ID: c.org + "/" + m.Login, Name: m.Login, CollectedAt: now, Attributes: map[string]any{
				"login": m.Login, "email": strOrEmpty(full.Email), "name": strOrNil(full.Name), "role": role,
				"two_factor_enabled": twoFA, "site_admin": m.SiteAdmin, "type": m.Type,
			}})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func orElse(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func boolOrNil(b *bool) any {
	if b == nil {
		return nil
	}
	return *b
}

func strOrNil(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func strOrEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
