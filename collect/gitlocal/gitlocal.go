// Package gitlocal examines a Git repository on disk (a clone or a bare
// mirror) with the real git command: every commit that reached the
// default branch in the window either came through review (a pull or
// merge request's merge, a squash merge naming its PR, a Reviewed-by or
// Approved-by trailer) or counts as an unreviewed change.
package gitlocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
)

// Kind is the "git" integration.
var Kind = collect.Kind{
	Name:  "git",
	Title: "Git repository (local)",
	Fields: []collect.Field{
		{Name: "path", Label: "Repository path", Required: true, Help: "A clone or bare mirror on this machine."},
		{Name: "branch", Label: "Default branch", Help: "Empty: the branch origin/HEAD points to, else the checked-out one."},
		{Name: "days", Label: "Window (days)", Default: "90", Help: "How far back to examine the branch's history."},
	},
	ResourceTypes: []string{"git.repository"},
	New:           newCollector,
}

type collector struct {
	path, branch string
	days         int
	now          func() time.Time
}

func newCollector(cfg collect.Config) (collect.Collector, error) {
	p := cfg.Settings["path"]
	if p == "" || !filepath.IsAbs(p) {
		return nil, errors.New("path: want the absolute path of a repository")
	}
	days := 90
	if d := cfg.Settings["days"]; d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 3660 {
			return nil, errors.New("days: want a number of days from 1 to 3660")
		}
		days = n
	}
	b := cfg.Settings["branch"]
	if b != "" && (strings.HasPrefix(b, "-") || strings.ContainsAny(b, " \t\n~^:?*[\\")) {
		return nil, errors.New("branch: not a valid branch name")
	}
	return &collector{path: filepath.Clean(p), branch: b, days: days, now: cfg.Clock()}, nil
}

// git runs git in the repository with a clean configuration.
func (c *collector) git(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", c.path, "-c", "core.quotepath=off"}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("git %s: %w", c.path, ctx.Err())
		}
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "not a git repository") || strings.Contains(msg, "cannot change to") {
			return "", fmt.Errorf("git %s: %w: not a Git repository", c.path, collect.ErrUnreachable)
		}
		return "", fmt.Errorf("git %s: git %s: %s", c.path, args[0], firstLine(msg))
	}
	return out.String(), nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// Test checks the path is a repository.
func (c *collector) Test(ctx context.Context) error {
	_, err := c.git(ctx, "rev-parse", "--git-dir")
	return err
}

// defaultBranch: the setting, else origin/HEAD's target, else HEAD's.
func (c *collector) defaultBranch(ctx context.Context) (string, error) {
	if c.branch != "" {
		return c.branch, nil
	}
	if ref, err := c.git(ctx, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"); err == nil {
		return strings.TrimPrefix(strings.TrimSpace(ref), "refs/remotes/"), nil
	}
	if ctx.Err() != nil {
		return "", fmt.Errorf("git %s: %w", c.path, ctx.Err())
	}
	ref, err := c.git(ctx, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(ref), nil
}

var (
	prMerge  = regexp.MustCompile(`^Merge (pull request #\d+|branch '[^']+' into '[^']+')|^Merged in .* \(pull request #\d+\)`)
	squashPR = regexp.MustCompile(`\(#\d+\)\s*$`)
)

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("git %s: %w", c.path, err)
	}
	branch, err := c.defaultBranch(ctx)
	if err != nil {
		return err
	}
	since := c.now().AddDate(0, 0, -c.days).UTC().Format(time.RFC3339)
	// One record per first-parent commit: hash, parents, subject and the
	// review trailers, separated by NUL, records by RS.
	out, err := c.git(ctx, "log", "--first-parent", "--since="+since,
		"--format=%H%x00%P%x00%s%x00%(trailers:key=Reviewed-by,key=Approved-by,valueonly,separator=%x2C)%x1e",
		"--end-of-options", branch, "--")
	if err != nil {
		return err
	}
	head, err := c.git(ctx, "rev-parse", "--verify", "--end-of-options", branch+"^{commit}")
	if err != nil {
		return err
	}
	var examined, merges, direct int
	var unreviewed []any
	for _, rec := range strings.Split(out, "\x1e") {
		rec = strings.TrimLeft(rec, "\n")
		if rec == "" {
			continue
		}
		f := strings.Split(rec, "\x00")
		if len(f) != 4 || len(f[0]) < 7 {
			return fmt.Errorf("git %s: %w: unexpected git log record %q", c.path, collect.ErrMalformed, firstLine(rec))
		}
		examined++
		isMerge := len(strings.Fields(f[1])) > 1
		if isMerge {
			merges++
		} else {
			direct++
		}
		reviewed := strings.TrimSpace(f[3]) != "" || (isMerge && prMerge.MatchString(f[2])) || (!isMerge && squashPR.MatchString(f[2]))
		if !reviewed {
			unreviewed = append(unreviewed, f[0][:12])
		}
	}
	abs, _ := filepath.Abs(c.path)
	attrs := map[string]any{
		"path": abs, "default_branch": branch, "head": strings.TrimSpace(head), "window_days": float64(c.days),
		"commits_examined": float64(examined), "merge_commits": float64(merges), "direct_commits": float64(direct),
		"unreviewed_merges": float64(len(unreviewed)), "unreviewed_commits": capList(unreviewed, 50),
	}
	return emit(collect.Resource{Type: "git.repository", ID: abs, Name: filepath.Base(abs), Attributes: attrs, CollectedAt: c.now()})
}

func capList(l []any, n int) []any {
	if l == nil {
		return []any{}
	}
	if len(l) > n {
		return l[:n]
	}
	return l
}
