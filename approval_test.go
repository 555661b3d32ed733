package attest_test

import (
	"testing"
	"time"

	"github.com/attest-dev/attest"
)

func TestPolicyStatusLabel(t *testing.T) {
	for _, c := range []struct {
		p    attest.Policy
		want string
	}{
		{attest.Policy{CurrentVersion: "1.0", CurrentState: attest.VersionDraft}, "draft"},
		{attest.Policy{CurrentVersion: "1.0", SubmittedVersion: "1.0", CurrentState: attest.VersionDraft}, "waiting for approval"},
		{attest.Policy{CurrentVersion: "1.1", SubmittedVersion: "1.0", PublishedVersion: "1.0", CurrentState: attest.VersionDraft}, "draft"},
		// Approved by everyone but not published: never "draft".
		{attest.Policy{CurrentVersion: "1.0", SubmittedVersion: "1.0", CurrentState: attest.VersionApproved}, "approved — not yet published"},
		{attest.Policy{CurrentVersion: "2.0", PublishedVersion: "1.0", CurrentState: attest.VersionApproved}, "approved — not yet published"},
		{attest.Policy{CurrentVersion: "1.0", CurrentState: attest.VersionRejected}, "rejected"},
		{attest.Policy{CurrentVersion: "1.0", PublishedVersion: "1.0", CurrentState: attest.VersionPublished}, "published"},
	} {
		if got := c.p.StatusLabel(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}

func TestAwaitsDecision(t *testing.T) {
	p := &attest.Policy{ID: 1, CurrentVersion: "1.1", PublishedVersion: "1.0", SubmittedVersion: "1.1", Approvers: []int64{7, 8}}
	decided := []*attest.PolicyDecision{{PolicyID: 1, Version: "1.1", ApproverID: 8, Approve: true, At: time.Now()}, {PolicyID: 1, Version: "1.0", ApproverID: 7, Approve: true}}
	switch {
	case !attest.AwaitsDecision(p, 7, decided):
		t.Error("approver 7 has not decided on 1.1, yet nothing waits for them")
	case attest.AwaitsDecision(p, 8, decided):
		t.Error("approver 8 decided, yet 1.1 still waits for them")
	case attest.AwaitsDecision(p, 9, nil):
		t.Error("a member who is no approver is asked")
	case attest.AwaitsDecision(&attest.Policy{ID: 1, CurrentVersion: "1.1", Approvers: []int64{7}}, 7, nil):
		t.Error("a version never sent for approval waits for a decision")
	}
	if err := attest.CheckSubmit(&attest.Policy{CurrentVersion: "1.0"}); attest.ErrorCode(err) != attest.EINVALID {
		t.Errorf("submitting without approvers: %v", err)
	}
	if err := attest.CheckSubmit(p); attest.ErrorCode(err) != attest.EINVALID {
		t.Errorf("submitting twice: %v", err)
	}
	if err := attest.CheckSubmit(&attest.Policy{CurrentVersion: "1.2", SubmittedVersion: "1.1", Approvers: []int64{7}}); err != nil {
		t.Errorf("submitting a new version: %v", err)
	}
}
