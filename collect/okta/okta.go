// Package okta collects an Okta organization's users: status (suspended,
// deprovisioned), MFA enrolment (an active factor), administrators (users
// with an admin role assignment) and days since the last sign-in.
package okta

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/httpapi"
)

// Kind is the "okta" integration.
var Kind = collect.Kind{
	Name:  "okta",
	Title: "Okta",
	Fields: []collect.Field{
		{Name: "base_url", Label: "Okta domain", Required: true, Help: "https://YOUR-ORG.okta.com"},
		{Name: "api_token", Label: "API token", Required: true, Secret: true, Help: "From a read-only administrator."},
	},
	ResourceTypes: []string{"idp.user"},
	New:           newCollector,
}

type collector struct {
	api *httpapi.Client
	now func() time.Time
}

func newCollector(cfg collect.Config) (collect.Collector, error) {
	if _, err := httpapi.ParseBaseURL("base_url", cfg.Settings["base_url"]); err != nil {
		return nil, err
	}
	token := cfg.Secrets["api_token"]
	if token == "" {
		return nil, errors.New("api_token: required")
	}
	api, err := httpapi.New(cfg, httpapi.Options{Service: "okta", BaseURL: cfg.Settings["base_url"], Auth: httpapi.Token("SSWS", token)})
	if err != nil {
		return nil, err
	}
	return &collector{api: api, now: cfg.Clock()}, nil
}

// Test reads one user.
func (c *collector) Test(ctx context.Context) error {
	_, err := c.api.Get(ctx, "api/v1/users?limit=1")
	return err
}

type user struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	Created   *time.Time `json:"created"`
	LastLogin *time.Time `json:"lastLogin"`
	Profile   struct {
		Login     string `json:"login"`
		Email     string `json:"email"`
		FirstName string `json:"firstName"`
		LastName  string `json:"lastName"`
	} `json:"profile"`
}

type factor struct {
	FactorType string `json:"factorType"`
	Status     string `json:"status"`
}

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	now := c.now()
	admins := map[string]bool{}
	err := c.api.Pages(ctx, "api/v1/iam/assignees/users?limit=100", httpapi.BodyLink{Path: "_links.next.href"}, func(r *httpapi.Response) error {
		var page struct {
			Value []struct {
				ID string `json:"id"`
			} `json:"value"`
		}
		if err := c.api.Decode(r, &page); err != nil {
			return err
		}
		for _, v := range page.Value {
			admins[v.ID] = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	return c.api.Pages(ctx, "api/v1/users?limit=200", httpapi.LinkNext{}, func(r *httpapi.Response) error {
		var users []user
		if err := c.api.Decode(r, &users); err != nil {
			return err
		}
		for _, u := range users {
			if u.ID == "" {
				return fmt.Errorf("okta: %w from GET %s: a user without an id", collect.ErrMalformed, r.URL.Path)
			}
			var factors []factor
			if _, err := c.api.GetJSON(ctx, "api/v1/users/"+url.PathEscape(u.ID)+"/factors", &factors); err != nil {
				return err
			}
			// Security questions and email codes are factors to Okta but
			// not a second factor anyone should count on.
			var active []string
			strong := false
			for _, f := range factors {
				if f.Status == "ACTIVE" {
					active = append(active, f.FactorType)
					strong = strong || (f.FactorType != "question" && f.FactorType != "email")
				}
			}
			var lastLogin any
			if u.LastLogin != nil {
				lastLogin = math.Floor(now.Sub(*u.LastLogin).Hours() / 24)
			}
			email := strings.ToLower(u.Profile.Email)
			err := emit(collect.Resource{Type: "idp.user", ID: u.ID, Name: u.Profile.Login, CollectedAt: now, Attributes: map[string]any{
				"email": email, "login": u.Profile.Login, "name": strings.TrimSpace(u.Profile.FirstName + " " + u.Profile.LastName),
				"status": u.Status, "suspended": u.Status == "SUSPENDED" || u.Status == "DEPROVISIONED" || u.Status == "LOCKED_OUT", "deprovisioned": u.Status == "DEPROVISIONED",
				"active":       u.Status == "ACTIVE" || u.Status == "PASSWORD_EXPIRED" || u.Status == "LOCKED_OUT" || u.Status == "RECOVERY",
				"mfa_enrolled": strong, "mfa_factors": collect.Strings(active), "admin": admins[u.ID],
				"last_login_days": lastLogin, "provider": "okta",
			}})
			if err != nil {
				return err
			}
		}
		return nil
	})
}
