package github

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/httpapi"
)

// Merged pull requests into a repository's default branch are changes: one
// github.pull_request resource each, with who wrote it and who approved it
// (attest.ChangesFromResources turns them into change records). Closed
// pull requests are read newest first (by update) and reading stops at
// the first one older than the lookback, so a run costs the recent
// changes, not the repository's whole history.

// pullLookback is how far back merged pull requests are read by default.
const pullLookback = 90 * 24 * time.Hour

type pullRequest struct {
	Number             int     `json:"number"`
	Title              string  `json:"title"`
	Body               *string `json:"body"`
	HTMLURL            string  `json:"html_url"`
	State              string  `json:"state"`
	User               *user   `json:"user"`
	UpdatedAt          string  `json:"updated_at"`
	MergedAt           *string `json:"merged_at"`
	MergeCommitSHA     *string `json:"merge_commit_sha"`
	RequestedReviewers []user  `json:"requested_reviewers"`
	Base               struct {
		Ref string `json:"ref"`
	} `json:"base"`
}

type review struct {
	User        *user  `json:"user"`
	State       string `json:"state"`
	SubmittedAt string `json:"submitted_at"`
}

// errOlder stops reading pages once pull requests are older than the
// lookback.
var errOlder = errors.New("older than the lookback")

func (c *collector) pullRequests(ctx context.Context, repo repository, now time.Time, emit func(collect.Resource) error) error {
	cutoff := now.Add(-c.lookback)
	first := "repos/" + repo.FullName + "/pulls?state=closed&base=" + url.QueryEscape(repo.DefaultBranch) + "&sort=updated&direction=desc&per_page=100"
	err := c.api.Pages(ctx, first, httpapi.LinkNext{}, func(r *httpapi.Response) error {
		var prs []pullRequest
		if err := c.api.Decode(r, &prs); err != nil {
			return err
		}
		for _, pr := range prs {
			if pr.Number <= 0 || pr.User == nil || pr.User.Login == "" {
				return fmt.Errorf("github: %w from GET %s: a pull request without a number or author", collect.ErrMalformed, r.URL.Path)
			}
			if up, err := time.Parse(time.RFC3339, pr.UpdatedAt); err == nil && up.Before(cutoff) {
				return errOlder
			}
			if pr.MergedAt == nil || *pr.MergedAt == "" {
				continue // closed without merging: no change
			}
			res, err := c.pullResource(ctx, repo, pr, now)
			if err != nil {
				return err
			}
			if err := emit(res); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errOlder) {
		return nil
	}
	return err
}

// pullResource reads a merged pull request's reviews: a reviewer's latest
// approving or blocking review counts (a later "changes requested" undoes
// an approval; comments change nothing), as GitHub itself counts them.
func (c *collector) pullResource(ctx context.Context, repo repository, pr pullRequest, now time.Time) (collect.Resource, error) {
	latest := map[string]string{}
	err := c.api.Pages(ctx, "repos/"+repo.FullName+"/pulls/"+strconv.Itoa(pr.Number)+"/reviews?per_page=100", httpapi.LinkNext{}, func(r *httpapi.Response) error {
		var rs []review
		if err := c.api.Decode(r, &rs); err != nil {
			return err
		}
		for _, rv := range rs { // oldest first, as the API lists them
			if rv.User == nil || rv.User.Login == "" {
				continue // a deleted account
			}
			switch rv.State {
			case "APPROVED", "CHANGES_REQUESTED", "DISMISSED":
				latest[rv.User.Login] = rv.State
			}
		}
		return nil
	})
	if err != nil {
		return collect.Resource{}, err
	}
	author := pr.User.Login
	approvers := []any{}
	var logins []string
	for login, st := range latest {
		if st == "APPROVED" {
			logins = append(logins, login)
		}
	}
	sort.Strings(logins)
	other := false
	for _, l := range logins {
		approvers = append(approvers, l)
		other = other || l != author
	}
	requested := []any{}
	for _, u := range pr.RequestedReviewers {
		requested = append(requested, u.Login)
	}
	id := repo.FullName + "#" + strconv.Itoa(pr.Number)
	return collect.Resource{Type: "github.pull_request", ID: id, Name: id + " " + pr.Title, CollectedAt: now, Attributes: map[string]any{
		"repository": repo.FullName, "number": float64(pr.Number), "title": pr.Title, "url": pr.HTMLURL,
		"body": strOrEmpty(pr.Body), "base": pr.Base.Ref, "default_branch": repo.DefaultBranch,
		"author": author, "merged_at": *pr.MergedAt, "merge_commit_sha": strOrEmpty(pr.MergeCommitSHA),
		"requested_reviewers": requested, "approvers": approvers, "approved_by_other": other,
	}}, nil
}
