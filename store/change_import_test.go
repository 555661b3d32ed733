package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// TestImportPullRequests: merged pull requests among an integration's
// latest resources, shaped as attest.ChangesFromResources documents,
// become changes once; logins become members through the github.member
// resources' emails, so a pull request approved by another member is
// independently approved and evidence of its control.
func TestImportPullRequests(t *testing.T) {
	each(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		org := newOrg(t, db, "Acme")
		member(t, db, org, "Ana")
		bob := member(t, db, org, "Bob")
		clock(db, time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))
		in := &attest.Integration{Kind: "github", Name: "github-acme", Settings: map[string]string{}}
		if err := db.CreateIntegration(ctx, org, in); err != nil {
			t.Fatal(err)
		}
		pr := func(n int, title, author string, approvers []string, merged string) collect.Resource {
			return collect.Resource{Type: attest.ResourcePullRequestType, ID: fmt.Sprintf("acme/api#%d", n), Name: title, Attributes: map[string]any{
				"title": title, "repository": "acme/api", "url": fmt.Sprintf("https://github.com/acme/api/pull/%d", n), "number": n,
				"author": author, "approvers": approvers, "merged_at": merged, "merged_by": author, "checks": "ci/test: success"}}
		}
		if err := db.ReplaceResources(ctx, org, in.ID, 5, []collect.Resource{
			{Type: "github.member", ID: "1", Name: "ana-gh", Attributes: map[string]any{"login": "ana-gh", "email": fmt.Sprintf("ana@org%d.example", org)}},
			{Type: "github.member", ID: "2", Name: "Bob-GH", Attributes: map[string]any{"login": "Bob-GH", "email": fmt.Sprintf("bob@org%d.example", org)}},
			pr(7, "Add rate limit", "ana-gh", []string{"ana-gh", "bob-gh"}, "2026-03-30T10:00:00Z"),
			pr(8, "Self-merged hotfix", "ana-gh", nil, "2026-03-31T10:00:00Z"),
			pr(9, "Still open", "ana-gh", []string{"bob-gh"}, ""),
			pr(10, "From a stranger", "outsider", []string{"bob-gh"}, "2026-04-01T08:00:00Z"),
		}); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.ImportPullRequests(ctx, org, in.ID, "NOPE-1")
		if attest.ErrorField(err) != "control_id" {
			t.Errorf("an unknown control: %v", err)
		}
		added, merged, err := db.ImportPullRequests(ctx, org, in.ID, "chg-02")
		if err != nil || added != 3 || merged != 3 {
			t.Fatalf("import: %d added of %d, %v", added, merged, err)
		}
		if added, _, err := db.ImportPullRequests(ctx, org, 0, "CHG-02"); err != nil || added != 0 {
			t.Errorf("imported again: %d added, %v", added, err)
		}
		cs, _, err := db.FindChangePage(ctx, org, attest.ChangeFilter{}, attest.Page{Limit: 10, Sort: "implemented_on"})
		if err != nil || len(cs) != 3 {
			t.Fatalf("changes %v, %v", cs, err)
		}
		first := cs[0]
		if first.Title != "Add rate limit" || first.ApproverID != bob || first.Unapproved || first.EvidenceID == 0 || first.System != "acme/api" || first.ControlID != "CHG-02" {
			t.Errorf("the approved pull request: %+v", first)
		}
		if !cs[1].Unapproved || cs[1].EvidenceID != 0 {
			t.Errorf("the self-merged one: %+v", cs[1])
		}
		// An author who is no member: a note; Bob's approval stands.
		if cs[2].RequesterNote != "outsider" || cs[2].ApproverID != bob || cs[2].Unapproved {
			t.Errorf("the stranger's: %+v", cs[2])
		}
	})
}
