package conformance

import (
	"slices"
	"testing"

	"github.com/attest-dev/attest/collect"
)

// TestContract: the contract file is found and parsed, and a resource
// missing a promised attribute is reported.
func TestContract(t *testing.T) {
	c := contract()
	if !slices.Contains(c["linux.host"], "sudoers_nopasswd") || !slices.Contains(c["aws.iam_user"], "access_keys") || len(c) < 20 {
		t.Fatalf("contract not parsed: %v", c)
	}
	ft := &fakeT{}
	CheckContract(ft, []collect.Resource{{Type: "linux.host", ID: "h", Attributes: map[string]any{"os": "x"}}})
	if ft.errors == 0 {
		t.Fatal("a linux.host with only os passed the contract")
	}
}

type fakeT struct {
	testing.TB
	errors int
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.errors++ }
