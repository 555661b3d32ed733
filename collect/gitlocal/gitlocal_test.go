package gitlocal_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/conformance"
	"github.com/attest-dev/attest/collect/gitlocal"
)

// repo builds a repository whose main branch holds, after an initial
// commit: a pull-request merge, a reviewed merge (trailer), a squash
// merge naming its PR, a direct commit, an unreviewed local merge, and a
// reviewed direct commit; and one commit older than the window.
func repo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	date := "2026-03-01T10:00:00Z"
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=Dev", "-c", "user.email=dev@example.com",
			"-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	commit := func(msg string) { run("commit", "--allow-empty", "-m", msg) }
	merge := func(branch, msg string) {
		run("checkout", "-q", "-b", branch)
		commit("work on " + branch)
		run("checkout", "-q", "main")
		run("merge", "--no-ff", "-m", msg, branch)
	}
	run("init", "-q")
	date = "2025-01-01T10:00:00Z"
	commit("ancient direct commit, outside the window")
	date = "2026-03-01T10:00:00Z"
	commit("initial")
	merge("feature-a", "Merge pull request #12 from acme/feature-a")
	merge("feature-b", "Merge branch 'feature-b'\n\nReviewed-by: Carol <carol@example.com>")
	commit("Add billing export (#14)")
	commit("hotfix straight to main")
	merge("feature-c", "Merge branch 'feature-c'")
	commit("Fix typo\n\nApproved-by: Dan <dan@example.com>")
	return dir
}

func TestConformance(t *testing.T) {
	dir := repo(t)
	conformance.RunService(t, conformance.Service{
		Kind:        gitlocal.Kind,
		Good:        collect.Config{Settings: map[string]string{"path": dir, "days": "30"}},
		Want:        1,
		Unreachable: &collect.Config{Settings: map[string]string{"path": t.TempDir()}},
	})
}

func TestUnreviewedMerges(t *testing.T) {
	dir := repo(t)
	rs, err := conformance.Run(t.Context(), t, gitlocal.Kind, collect.Config{Settings: map[string]string{"path": dir, "days": "30"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a := rs[0].Attributes
	// initial, hotfix and the feature-c merge are unreviewed; the PR
	// merge, the trailer merge, the squash merge and the approved fix are
	// reviewed; the ancient commit is outside the 30-day window.
	if a["unreviewed_merges"] != 3.0 || a["commits_examined"] != 7.0 || a["merge_commits"] != 3.0 || a["default_branch"] != "main" {
		t.Fatalf("attributes %v", a)
	}
	if l := a["unreviewed_commits"].([]any); len(l) != 3 || len(l[0].(string)) != 12 {
		t.Errorf("unreviewed_commits %v", l)
	}
	rs, err = conformance.Run(t.Context(), t, gitlocal.Kind, collect.Config{Settings: map[string]string{"path": dir, "days": "3000"}, Now: now})
	if err != nil || rs[0].Attributes["unreviewed_merges"] != 4.0 {
		t.Fatalf("a longer window: %v, %v", err, rs)
	}
}

func TestSettingsValidated(t *testing.T) {
	for field, s := range map[string]map[string]string{
		"path":   {"path": "relative"},
		"days":   {"path": "/tmp", "days": "0"},
		"branch": {"path": "/tmp", "branch": "--upload-pack=evil"},
	} {
		if _, err := gitlocal.Kind.New(collect.Config{Settings: s}); err == nil || !strings.HasPrefix(err.Error(), field) {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func now() time.Time { return conformance.Now }
