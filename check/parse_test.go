package check

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
)

const goodCheck = `id: demo-mfa
title: Users have MFA
description: Every active user is enrolled in MFA.
resource_types: [idp.user]
severity: high
controls: [ACC-02]
window: 3d
when: resource.attributes.suspended == false
condition: resource.attributes.mfa_enrolled == true
reason: resource.attributes.email + ' has no MFA'
remediation: Enrol them.
`

// TestParseErrorPositions: every mistake is refused with the file, line
// and column where it is, including positions inside CEL expressions
// written plain, quoted, folded or literal.
func TestParseErrorPositions(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown field", "window: 3d\n", "window: 3d\ncolour: red\n", "x.yaml:8:1: "},
		{"bad severity", "severity: high", "severity: urgent", "x.yaml:5:11: severity"},
		{"bad window", "window: 3d", "window: soon", "x.yaml:7:9: window"},
		{"plain expression", "condition: resource.attributes.mfa_enrolled == true", "condition: resource.attributes.mfa_enrolled == tru", "x.yaml:9:48: condition: undeclared reference to 'tru'"},
		{"quoted expression", "condition: resource.attributes.mfa_enrolled == true", `condition: "resource.attributes.mfa_enrolled && nope"`, "x.yaml:9:49: condition: undeclared reference to 'nope'"},
		{"literal block", "condition: resource.attributes.mfa_enrolled == true", "condition: |\n  resource.attributes.mfa_enrolled &&\n    nope", "x.yaml:11:5: condition"},
		{"folded block", "condition: resource.attributes.mfa_enrolled == true", "condition: >-\n  resource.attributes.mfa_enrolled &&\n  nope", "x.yaml:11:3: condition"},
		{"syntax error", "condition: resource.attributes.mfa_enrolled == true", "condition: resource.attributes.mfa_enrolled ==", "x.yaml:9:"},
		{"wrong type", "condition: resource.attributes.mfa_enrolled == true", "condition: \"'yes'\"", "x.yaml:9:13: condition: want a bool"},
		{"reason not a string", "reason: resource.attributes.email + ' has no MFA'", "reason: 1 + 2", "x.yaml:10:9: reason: want a string"},
		{"undeclared lookup", "condition: resource.attributes.mfa_enrolled == true", "condition: lookup('leavers', resource.id) == null", "x.yaml:9:19: condition: lookup: no lookup named \"leavers\""},
		{"missing condition", "condition: resource.attributes.mfa_enrolled == true\n", "", "x.yaml:1:1: condition is required"},
		{"bad yaml", "title: Users have MFA", "title: [unclosed", "x.yaml:3:1: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(goodCheck, tc.old, tc.new, 1)
			if src == goodCheck {
				t.Fatal("the test's replacement did not apply")
			}
			_, err := Parse("x.yaml", []byte(src))
			if err == nil {
				t.Fatal("accepted")
			}
			if attest.ErrorCode(err) != attest.EINVALID || !strings.HasPrefix(attest.ErrorMessage(err), tc.want) {
				t.Errorf("error %q (code %s), want prefix %q", err, attest.ErrorCode(err), tc.want)
			}
		})
	}
}

// TestParseGood reads every field.
func TestParseGood(t *testing.T) {
	c, err := Parse("x.yaml", []byte(goodCheck))
	if err != nil {
		t.Fatal(err)
	}
	want := &Check{ID: "demo-mfa", Title: "Users have MFA", Description: "Every active user is enrolled in MFA.",
		ResourceTypes: []string{"idp.user"}, Severity: "high", Controls: []string{"ACC-02"}, Remediation: "Enrol them.",
		Window: 72 * time.Hour, File: "x.yaml", When: "resource.attributes.suspended == false",
		Condition: "resource.attributes.mfa_enrolled == true", Reason: "resource.attributes.email + ' has no MFA'"}
	if got := exported(c); !reflect.DeepEqual(got, *want) {
		t.Errorf("got %+v\nwant %+v", got, *want)
	}
}

// exported drops the compiled programs for comparison.
func exported(c *Check) Check {
	return Check{ID: c.ID, Title: c.Title, Description: c.Description, ResourceTypes: c.ResourceTypes,
		Severity: c.Severity, Controls: c.Controls, Remediation: c.Remediation, Window: c.Window, File: c.File,
		When: c.When, Condition: c.Condition, Reason: c.Reason, Lookups: c.Lookups}
}

// TestEncodeRoundTrip: every built-in check encodes to a file that parses
// back into the same check.
func TestEncodeRoundTrip(t *testing.T) {
	checks, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks {
		data, err := Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(c.File, data)
		if err != nil {
			t.Fatalf("%s: encoded file does not parse: %v\n%s", c.File, err, data)
		}
		if !reflect.DeepEqual(exported(back), exported(c)) {
			t.Errorf("%s: round trip changed the check:\n%+v\n%+v", c.File, exported(back), exported(c))
		}
	}
}

// TestLoadKeepsGoodFiles: a bad file is reported with its position and
// the other files still load; a duplicate id is refused.
func TestLoadKeepsGoodFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml":          {Data: []byte(goodCheck)},
		"sub/b.yaml":      {Data: []byte(strings.Replace(goodCheck, "== true", "== tru", 1))},
		"c.yaml":          {Data: []byte(strings.Replace(goodCheck, "id: demo-mfa", "id: demo-mfa-2", 1))},
		"d.yaml":          {Data: []byte(goodCheck)},
		"notes/readme.md": {Data: []byte("# not a check")},
	}
	checks, err := Load(fsys)
	if len(checks) != 2 || checks[0].ID != "demo-mfa" || checks[1].ID != "demo-mfa-2" {
		t.Errorf("loaded %d checks", len(checks))
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	for _, want := range []string{"sub/b.yaml:9:48: condition", "d.yaml:1:1: check id \"demo-mfa\" is already used by a.yaml"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

// TestBuiltinControlsExist: the built-in checks name only controls of the
// SOC 2 library, and ValidateControls catches one that does not.
func TestBuiltinControlsExist(t *testing.T) {
	checks, err := Load(catalog.CheckFiles())
	if err != nil {
		t.Fatal(err)
	}
	fw := catalog.MustSOC2()
	if err := ValidateControls(checks, fw); err != nil {
		t.Error(err)
	}
	bad, err := Parse("bad.yaml", []byte(strings.Replace(goodCheck, "[ACC-02]", "[ACC-02, NOPE-99]", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := ValidateControls([]*Check{bad}, fw); err == nil || !strings.Contains(err.Error(), `bad.yaml:6:11: control "NOPE-99"`) {
		t.Errorf("unknown control: %v", err)
	}
	if n, _ := fs.Glob(catalog.CheckFiles(), "*.yaml"); len(n) != len(checks) {
		t.Errorf("%d files, %d checks", len(n), len(checks))
	}
}
