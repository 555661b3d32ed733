package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/httpapi"
)

type repository struct {
	Name          string `json:"name"`
	FullName      string `json:"full_name"`
	Private       bool   `json:"private"`
	Visibility    string `json:"visibility"`
	Fork          bool   `json:"fork"`
	Archived      bool   `json:"archived"`
	DefaultBranch string `json:"default_branch"`
	PushedAt      string `json:"pushed_at"`
	Security      *struct {
		SecretScanning       *status `json:"secret_scanning"`
		SecretPushProtection *status `json:"secret_scanning_push_protection"`
	} `json:"security_and_analysis"`
}

type status struct {
	Status string `json:"status"`
}

type alert struct {
	Repository struct {
		FullName string `json:"full_name"`
	} `json:"repository"`
}

// alertCounts counts open alerts per repository from an organization
// endpoint; nil when the feature is off or the token may not read it.
func (c *collector) alertCounts(ctx context.Context, path string) (map[string]int, error) {
	counts := map[string]int{}
	err := c.api.Pages(ctx, path, httpapi.LinkNext{}, func(r *httpapi.Response) error {
		var as []alert
		if err := c.api.Decode(r, &as); err != nil {
			return err
		}
		for _, a := range as {
			counts[a.Repository.FullName]++
		}
		return nil
	})
	if httpapi.IsStatus(err, http.StatusForbidden, http.StatusNotFound) {
		return nil, nil
	}
	return counts, err
}

func count(counts map[string]int, repo string) any {
	if counts == nil {
		return nil
	}
	return float64(counts[repo])
}

func (c *collector) repositories(ctx context.Context, now time.Time, emit func(collect.Resource) error) error {
	critical, err := c.alertCounts(ctx, "orgs/"+c.org+"/dependabot/alerts?state=open&severity=critical&per_page=100")
	if err != nil {
		return err
	}
	secrets, err := c.alertCounts(ctx, "orgs/"+c.org+"/secret-scanning/alerts?state=open&per_page=100")
	if err != nil {
		return err
	}
	return c.api.Pages(ctx, "orgs/"+c.org+"/repos?type=all&per_page=100", httpapi.LinkNext{}, func(r *httpapi.Response) error {
		var rs []repository
		if err := c.api.Decode(r, &rs); err != nil {
			return err
		}
		for _, repo := range rs {
			if repo.FullName == "" || repo.DefaultBranch == "" {
				return fmt.Errorf("github: %w from GET %s: a repository without a name or default branch", collect.ErrMalformed, r.URL.Path)
			}
			bp := unprotected("none")
			if !repo.Archived { // archived repositories take no pushes
				if bp, err = c.protection(ctx, repo); err != nil {
					return err
				}
			}
			scanning, push := false, false
			if s := repo.Security; s != nil {
				scanning = s.SecretScanning != nil && s.SecretScanning.Status == "enabled"
				push = s.SecretPushProtection != nil && s.SecretPushProtection.Status == "enabled"
			}
			protected := bp["source"] != "none" && bp["source"] != "unavailable"
			var protection any // null when nothing protects the branch
			if protected {
				protection = bp
			}
			err := emit(collect.Resource{Type: "github.repository", ID: repo.FullName, Name: repo.FullName, CollectedAt: now, Attributes: map[string]any{
				"name": repo.Name, "full_name": repo.FullName, "private": repo.Private, "visibility": repo.Visibility,
				"fork": repo.Fork, "archived": repo.Archived, "default_branch": repo.DefaultBranch, "pushed_at": repo.PushedAt,
				"protected":                       protected,
				"branch_protection":               protection,
				"dependabot_alerts_open_critical": count(critical, repo.FullName),
				"secret_scanning_enabled":         scanning,
				"secret_scanning_push_protection": push,
				"secret_scanning_alerts_open":     count(secrets, repo.FullName),
			}})
			if err != nil {
				return err
			}
			if !repo.Archived && c.lookback > 0 {
				if err := c.pullRequests(ctx, repo, now, emit); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// unprotected is the protection of a branch nothing protects; source says
// why ("none", or "unavailable" when the plan or token cannot tell).
func unprotected(source string) map[string]any {
	return map[string]any{
		"source": source, "required_approving_review_count": 0.0, "dismiss_stale_reviews": false,
		"required_status_checks": false, "enforce_admins": false, "allow_force_pushes": true, "allow_deletions": true,
	}
}

type protectionAnswer struct {
	RequiredStatusChecks *struct {
		Contexts []string `json:"contexts"`
		Checks   []any    `json:"checks"`
	} `json:"required_status_checks"`
	Reviews *struct {
		DismissStale bool `json:"dismiss_stale_reviews"`
		Count        int  `json:"required_approving_review_count"`
	} `json:"required_pull_request_reviews"`
	EnforceAdmins    *enabled `json:"enforce_admins"`
	AllowForcePushes *enabled `json:"allow_force_pushes"`
	AllowDeletions   *enabled `json:"allow_deletions"`
}

type enabled struct {
	Enabled bool `json:"enabled"`
}

func on(e *enabled) bool { return e != nil && e.Enabled }

type rule struct {
	Type       string `json:"type"`
	SourceType string `json:"ruleset_source_type"`
	Source     string `json:"ruleset_source"`
	RulesetID  int64  `json:"ruleset_id"`
	Parameters struct {
		Count        int   `json:"required_approving_review_count"`
		DismissStale bool  `json:"dismiss_stale_reviews_on_push"`
		Checks       []any `json:"required_status_checks"`
	} `json:"parameters"`
}

// protection reads the default branch's classic protection, else the
// rulesets that apply to it (admins count as included when no ruleset
// lets anyone bypass it).
func (c *collector) protection(ctx context.Context, repo repository) (map[string]any, error) {
	branch := "repos/" + repo.FullName + "/branches/" + url.PathEscape(repo.DefaultBranch)
	var p protectionAnswer
	_, err := c.api.GetJSON(ctx, branch+"/protection", &p)
	switch {
	case err == nil:
		bp := unprotected("branch_protection")
		if p.Reviews != nil {
			bp["required_approving_review_count"] = float64(p.Reviews.Count)
			bp["dismiss_stale_reviews"] = p.Reviews.DismissStale
		}
		bp["required_status_checks"] = p.RequiredStatusChecks != nil && (len(p.RequiredStatusChecks.Contexts) > 0 || len(p.RequiredStatusChecks.Checks) > 0)
		bp["enforce_admins"] = on(p.EnforceAdmins)
		bp["allow_force_pushes"] = on(p.AllowForcePushes)
		bp["allow_deletions"] = on(p.AllowDeletions)
		return bp, nil
	case httpapi.IsStatus(err, http.StatusForbidden):
		return unprotected("unavailable"), nil
	case !httpapi.IsStatus(err, http.StatusNotFound):
		return nil, err
	}
	var rules []rule
	_, err = c.api.GetJSON(ctx, "repos/"+repo.FullName+"/rules/branches/"+url.PathEscape(repo.DefaultBranch), &rules)
	if httpapi.IsStatus(err, http.StatusForbidden, http.StatusNotFound) {
		return unprotected("none"), nil
	}
	if err != nil {
		return nil, err
	}
	if len(rules) == 0 {
		return unprotected("none"), nil
	}
	bp := unprotected("rulesets")
	bp["allow_force_pushes"], bp["allow_deletions"] = true, true
	rulesets := map[int64]string{}
	for _, r := range rules {
		switch r.Type {
		case "pull_request":
			if float64(r.Parameters.Count) > bp["required_approving_review_count"].(float64) {
				bp["required_approving_review_count"] = float64(r.Parameters.Count)
			}
			bp["dismiss_stale_reviews"] = bp["dismiss_stale_reviews"].(bool) || r.Parameters.DismissStale
		case "required_status_checks":
			bp["required_status_checks"] = len(r.Parameters.Checks) > 0
		case "non_fast_forward":
			bp["allow_force_pushes"] = false
		case "deletion":
			bp["allow_deletions"] = false
		}
		path := "repos/" + repo.FullName + "/rulesets/"
		if r.SourceType == "Organization" {
			path = "orgs/" + c.org + "/rulesets/"
		}
		rulesets[r.RulesetID] = path + fmt.Sprint(r.RulesetID)
	}
	enforced := true
	for _, path := range rulesets {
		var rs struct {
			Enforcement   string `json:"enforcement"`
			BypassActors  []any  `json:"bypass_actors"`
			CanBypassNote string `json:"current_user_can_bypass"`
		}
		if _, err := c.api.GetJSON(ctx, path, &rs); err != nil {
			return nil, err
		}
		enforced = enforced && len(rs.BypassActors) == 0
	}
	bp["enforce_admins"] = enforced
	return bp, nil
}
