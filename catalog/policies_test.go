package catalog

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/attest-dev/attest"
)

func TestPolicyTemplates(t *testing.T) {
	ps, err := PolicyTemplates()
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) < 20 {
		t.Fatalf("%d templates, want at least 20", len(ps))
	}
	procedures := 0
	for i, p := range ps {
		if p.Type == attest.PolicyTypeProcedure {
			procedures++
		}
		if i > 0 && ps[i-1].Title > p.Title {
			t.Errorf("templates not sorted by title: %q before %q", ps[i-1].Title, p.Title)
		}
		// Long enough to be useful, short enough to be read.
		if n := len(strings.Fields(p.Body)); n < 400 || n > 1200 {
			t.Errorf("%s: body has %d words, want 400 to 1200", p.ID, n)
		}
		for _, section := range []string{"## Purpose", "## Scope", "## Roles and responsibilities", "## Exceptions", "## Enforcement", "## Review"} {
			if !strings.Contains(p.Body, section+"\n") {
				t.Errorf("%s: no %q section", p.ID, section)
			}
		}
		if !strings.HasPrefix(p.Body, "# "+p.Title+"\n") {
			t.Errorf("%s: body does not start with the heading # %s", p.ID, p.Title)
		}
	}
	if procedures < 2 {
		t.Errorf("%d procedures, want at least 2", procedures)
	}
	again, _ := PolicyTemplates()
	if &again[0] != &ps[0] {
		t.Error("PolicyTemplates is not cached")
	}
}

// TestPolicyTopics checks that every topic SOC 2 auditors expect (issue 4's
// list) has its template.
func TestPolicyTopics(t *testing.T) {
	ps, err := PolicyTemplates()
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*attest.PolicyTemplate{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	tests := []struct{ topic, id, typ string }{
		{"information security", "information-security", "policy"},
		{"acceptable use", "acceptable-use", "policy"},
		{"access control", "access-control", "policy"},
		{"asset management", "asset-management", "policy"},
		{"backup", "backup", "policy"},
		{"business continuity and disaster recovery", "business-continuity", "policy"},
		{"change management", "change-management", "policy"},
		{"code of conduct", "code-of-conduct", "policy"},
		{"data classification", "data-classification", "policy"},
		{"data retention and disposal", "data-retention", "policy"},
		{"encryption and key management", "encryption", "policy"},
		{"incident response", "incident-response", "policy"},
		{"logging and monitoring", "logging-monitoring", "policy"},
		{"password and authentication", "password-authentication", "policy"},
		{"physical security", "physical-security", "policy"},
		{"privacy", "privacy", "policy"},
		{"risk management", "risk-management", "policy"},
		{"secure development", "secure-development", "policy"},
		{"vendor management", "vendor-management", "policy"},
		{"vulnerability and patch management", "vulnerability-management", "policy"},
		{"security awareness training", "security-awareness-training", "policy"},
		{"human resources security", "human-resources-security", "policy"},
		{"incident response procedure", "incident-response-procedure", "procedure"},
		{"user access review procedure", "user-access-review-procedure", "procedure"},
	}
	for _, tt := range tests {
		t.Run(tt.topic, func(t *testing.T) {
			p := byID[tt.id]
			if p == nil {
				t.Fatalf("no template %q", tt.id)
			}
			if p.Type != tt.typ {
				t.Errorf("type = %q, want %q", p.Type, tt.typ)
			}
			// The title names the topic, so a reader finds it in a list.
			words := strings.Fields(strings.NewReplacer(" and ", " ", "disaster recovery", "").Replace(tt.topic))
			for _, w := range words {
				if !strings.Contains(strings.ToLower(p.Title), w) {
					t.Errorf("title %q does not mention %q", p.Title, w)
				}
			}
		})
	}
}

func TestPolicyControls(t *testing.T) {
	fw := MustSOC2()
	ps, err := PolicyTemplates()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, c := range fw.Controls {
		known[c.ID] = true
	}
	union := map[string]bool{}
	for _, p := range ps {
		if len(p.Controls) == 0 {
			t.Errorf("%s supports no control", p.ID)
		}
		for _, id := range p.Controls {
			if !known[id] {
				t.Errorf("%s: unknown control %s", p.ID, id)
			}
			union[id] = true
		}
		if !slices.Contains(attest.OwnerRoles, p.OwnerRole) {
			t.Errorf("%s: owner role %q", p.ID, p.OwnerRole)
		}
	}
	// Controls whose evidence is a document: each needs a template behind it.
	for _, id := range []string{"POL-01", "POL-02", "POL-03", "GOV-01", "RISK-01", "INC-01", "CHG-01", "BCP-01", "CON-01", "CON-04", "CRY-05", "PRI-01", "VEN-02"} {
		if !union[id] {
			t.Errorf("no template supports %s", id)
		}
	}
}

func TestPolicyTemplatesFill(t *testing.T) {
	ps, err := PolicyTemplates()
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, name := range attest.PolicyPlaceholders {
		values[name] = "<" + name + ">"
	}
	for _, p := range ps {
		got, err := attest.FillPlaceholders(p.Body, values)
		if err != nil {
			t.Errorf("%s: %v", p.ID, err)
			continue
		}
		if strings.Contains(got, "{{") || strings.Contains(got, "}}") {
			t.Errorf("%s: braces left after filling", p.ID)
		}
		for _, name := range []string{"organization", "owner", "approver", "effective_date", "review_cycle"} {
			if !strings.Contains(got, values[name]) {
				t.Errorf("%s: does not use {{%s}}", p.ID, name)
			}
		}
		if strings.Contains(p.Title+p.Summary, "{{") {
			t.Errorf("%s: placeholder in title or summary", p.ID)
		}
	}
}

// validPolicy is a minimal template; its line numbers matter to the tests.
const validPolicy = `---
id: x
title: X Policy
type: policy
version: "1.0"
owner_role: security
review_cycle_months: 12
controls: [POL-01]
summary: A summary.
---
# X Policy

{{organization}} does things.
`

func TestLoadPoliciesRejectsBadInput(t *testing.T) {
	fw := MustSOC2()
	with := func(old, new string) string {
		if !strings.Contains(validPolicy, old) {
			t.Fatalf("test setup: %q not in the template", old)
		}
		return strings.Replace(validPolicy, old, new, 1)
	}
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{"broken front matter", map[string]string{"x.md": with("title: X Policy", "title: X: Policy")}, "x.md:3: front matter: mapping value is not allowed"},
		{"tab in front matter", map[string]string{"x.md": with("summary: A summary.\n", "summary: A summary.\n\tmore\n")}, "x.md:10: front matter:"},
		{"front matter not a mapping", map[string]string{"x.md": with("summary: A summary.", "- a list item")}, "x.md:"},
		{"unknown key", map[string]string{"x.md": with("summary: A summary.\n", "summary: A summary.\ncolour: red\n")}, "x.md:10: front matter:"},
		{"duplicate key", map[string]string{"x.md": with("summary: A summary.\n", "summary: A summary.\ntitle: Again\n")}, `x.md:10: front matter: mapping key "title" already defined at line 3`},
		{"no front matter", map[string]string{"x.md": "# X Policy\n\nText.\n"}, "x.md:1: the file must start with a --- line"},
		{"unclosed front matter", map[string]string{"x.md": strings.Replace(validPolicy, "---\n# X", "# X", 1)}, "x.md:1: the front matter opened on this line is not closed"},
		{"unknown placeholder", map[string]string{"x.md": with("{{organization}} does", "{{ceo}} does")}, "x.md:13: unknown placeholder {{ceo}}"},
		{"unclosed placeholder", map[string]string{"x.md": with("{{organization}} does", "{{organization does")}, "x.md:13: unclosed placeholder"},
		{"placeholder across lines", map[string]string{"x.md": with("{{organization}} does", "{{organization\n}} does")}, "x.md:13: unclosed placeholder"},
		{"placeholder in summary", map[string]string{"x.md": with("summary: A summary.", "summary: For {{organization}}.")}, "x.md:9: placeholders belong in the body"},
		{"duplicate id", map[string]string{"a.md": strings.Replace(validPolicy, "id: x", "id: a", 1), "b.md": strings.Replace(validPolicy, "id: x", "id: a", 1)}, `b.md:2: duplicate id "a" (also in a.md)`},
		{"id not matching file name", map[string]string{"y.md": validPolicy}, `y.md:2: id "x" does not match the file name`},
		{"id not kebab-case", map[string]string{"x.md": with("id: x", "id: X_1")}, "x.md:2: id \"X_1\" must be kebab-case"},
		{"unknown control", map[string]string{"x.md": with("[POL-01]", "[POL-01, NOPE-01]")}, `x.md:8: unknown control "NOPE-01"`},
		{"no control", map[string]string{"x.md": with("[POL-01]", "[]")}, "x.md:8: controls:"},
		{"control twice", map[string]string{"x.md": with("[POL-01]", "[POL-01, POL-01]")}, "x.md:8: control POL-01 is listed twice"},
		{"bad type", map[string]string{"x.md": with("type: policy", "type: memo")}, `x.md:4: type "memo" must be one of policy, procedure`},
		{"bad owner role", map[string]string{"x.md": with("owner_role: security", "owner_role: ceo")}, `x.md:6: unknown owner role "ceo"`},
		{"review cycle zero", map[string]string{"x.md": with("review_cycle_months: 12", "review_cycle_months: 0")}, "x.md:7: review_cycle_months is 0, want 1 to 36"},
		{"review cycle too long", map[string]string{"x.md": with("review_cycle_months: 12", "review_cycle_months: 48")}, "x.md:7: review_cycle_months is 48"},
		{"review cycle missing", map[string]string{"x.md": with("review_cycle_months: 12\n", "")}, "x.md:1: review_cycle_months is 0"},
		{"review cycle not a number", map[string]string{"x.md": with("review_cycle_months: 12", "review_cycle_months: yearly")}, "x.md:7: front matter:"},
		{"missing title", map[string]string{"x.md": with("title: X Policy", "title: \"\"")}, "x.md:3: title is required"},
		{"unquoted version", map[string]string{"x.md": with(`version: "1.0"`, "version: 1.10")}, `x.md:5: version must be quoted major.minor`},
		{"malformed version", map[string]string{"x.md": with(`version: "1.0"`, `version: "v1"`)}, `x.md:5: version must be quoted major.minor`},
		{"missing version", map[string]string{"x.md": with("version: \"1.0\"\n", "")}, "version is required"},
		{"missing summary", map[string]string{"x.md": with("summary: A summary.\n", "")}, "summary is required"},
		{"empty body", map[string]string{"x.md": strings.SplitAfter(validPolicy, "---\n")[0] + strings.SplitAfter(validPolicy, "---\n")[1] + "\n  \n"}, "x.md:11: the body is empty"},
		{"no templates", map[string]string{"README.txt": "not a policy"}, "no policy templates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tt.files {
				fsys["p/"+name] = &fstest.MapFile{Data: []byte(data)}
			}
			_, err := LoadPolicies(fsys, "p", fw)
			if err == nil || !strings.Contains(attest.ErrorMessage(err), tt.wantErr) {
				t.Fatalf("LoadPolicies() error = %v, want one containing %q", err, tt.wantErr)
			}
			if attest.ErrorCode(err) != attest.EINVALID {
				t.Errorf("error code = %q, want %q", attest.ErrorCode(err), attest.EINVALID)
			}
		})
	}
}

func TestLoadPoliciesAcceptsValidInput(t *testing.T) {
	fsys := fstest.MapFS{
		"p/x.md": {Data: []byte(validPolicy)},
		// Windows line endings and a byte order mark are tolerated.
		"p/a-b.md":    {Data: []byte("\ufeff" + strings.ReplaceAll(strings.NewReplacer("id: x", "id: a-b", "X Policy", "A Procedure", "type: policy", "type: procedure").Replace(validPolicy), "\n", "\r\n"))},
		"p/notes.txt": {Data: []byte("ignored")},
		"p/sub/z.md":  {Data: []byte("ignored: not read from subdirectories")},
	}
	ps, err := LoadPolicies(fsys, "p", MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ID != "a-b" || ps[1].ID != "x" {
		t.Fatalf("got %d templates, want a-b then x (sorted by title)", len(ps))
	}
	want := attest.PolicyTemplate{ID: "x", Title: "X Policy", Type: "policy", Version: "1.0", OwnerRole: "security",
		ReviewCycleMonths: 12, Controls: []string{"POL-01"}, Summary: "A summary.", Body: "# X Policy\n\n{{organization}} does things.\n"}
	got := *ps[1]
	if got.ID != want.ID || got.Title != want.Title || got.Type != want.Type || got.Version != want.Version ||
		got.OwnerRole != want.OwnerRole || got.ReviewCycleMonths != want.ReviewCycleMonths ||
		!slices.Equal(got.Controls, want.Controls) || got.Summary != want.Summary || got.Body != want.Body {
		t.Errorf("template = %+v\nwant %+v", got, want)
	}
	if ps[0].Type != "procedure" || ps[0].Body != strings.Replace(want.Body, "X Policy", "A Procedure", 1) {
		t.Errorf("CRLF template = %+v", ps[0])
	}
}

func TestPolicyTemplateByID(t *testing.T) {
	tmpl, err := PolicyTemplate("incident-response")
	if err != nil || tmpl.ID != "incident-response" || tmpl.Body == "" {
		t.Fatalf("PolicyTemplate(incident-response) = %+v, %v", tmpl, err)
	}
	if _, err := PolicyTemplate("no-such-template"); attest.ErrorCode(err) != attest.ENOTFOUND {
		t.Fatalf("an unknown template: %v, want not found", err)
	}
}

// TestPolicyTemplatesNoDoubledWords fills every template the way adoption
// and publication do and looks for a word written twice in a row, such as
// the "every every 12 months" that "every {{review_cycle}}" once produced.
func TestPolicyTemplatesNoDoubledWords(t *testing.T) {
	ps, err := PolicyTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		fill := attest.PolicyFill("Acme Analytics", p, map[string]string{"owner": "Ann Archer",
			"security_contact": "security@acme.example", "privacy_contact": "privacy@acme.example"})
		pol := &attest.Policy{ReviewCycleMonths: p.ReviewCycleMonths, Owner: &attest.Person{ID: 1, Name: "Ann Archer"}}
		for k, v := range attest.PublishFill("Acme Analytics", pol, []string{"Bob Baker"}, "2026-01-05") {
			fill[k] = v
		}
		got, err := attest.FillPlaceholders(p.Body, fill)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		for i, line := range strings.Split(got, "\n") {
			if w := doubledWord(line); w != "" {
				t.Errorf("%s.md, body line %d: %q written twice: %s", p.ID, i+1, w, line)
			}
		}
	}
}

// doubledWord returns the first word that line repeats immediately
// ("every every"), ignoring case and punctuation around the words.
func doubledWord(line string) string {
	words := strings.Fields(line)
	for i := 1; i < len(words); i++ {
		a := strings.ToLower(strings.Trim(words[i-1], ".,;:()*_|"))
		b := strings.ToLower(strings.Trim(words[i], ".,;:()*_|"))
		// Punctuation between them makes two phrases: "data, data sent".
		if a != "" && a == b && !strings.ContainsAny(words[i-1], ".,;:|") {
			return a
		}
	}
	return ""
}

func TestDoubledWord(t *testing.T) {
	for line, want := range map[string]string{
		"reviews this policy every every 12 months": "every",
		"The the policy":                             "the",
		"reviews this policy every 12 months":        "",
		"| Review cycle | every 12 months |":         "",
		"It is done. Done is good.":                  "",
		"company data, data sent to the wrong place": "",
	} {
		if got := doubledWord(line); got != want {
			t.Errorf("doubledWord(%q) = %q, want %q", line, got, want)
		}
	}
}
