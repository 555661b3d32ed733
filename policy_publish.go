package attest

import (
	"fmt"
	"slices"
	"strings"
)

// SetWhenPublished is what a version that is not yet published shows in
// place of the values publication fills in ({{approver}} and
// {{effective_date}}), so a draft never claims an approval it lacks.
const SetWhenPublished = "set when published"

// PublishedPlaceholders are the placeholders that publishing fills: the
// approvers come from the approval record, the effective date is the
// publication date.
var PublishedPlaceholders = []string{"approver", "effective_date"}

// PublishFill returns what publishing fills a version's placeholders with:
// {{approver}} with the names of the approvers who approved it,
// {{effective_date}} with the publication date, and those that the
// organization and the policy already know ({{organization}},
// {{review_cycle}}, and {{owner}} once the policy names one).
func PublishFill(organization string, p *Policy, approverNames []string, published Date) map[string]string {
	fill := map[string]string{"approver": JoinNames(approverNames), "effective_date": string(published), "organization": organization}
	if p.ReviewCycleMonths > 0 {
		fill["review_cycle"] = fmt.Sprintf("every %d months", p.ReviewCycleMonths)
	}
	if o := strings.TrimSpace(p.OwnerName()); o != "" {
		fill["owner"] = o
	}
	return fill
}

// JoinNames lists names for a sentence: "A", "A and B", "A, B and C".
func JoinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// UnfilledPlaceholders returns the names of the known placeholders left in
// body, each once, in the order they first appear.
func UnfilledPlaceholders(body string) []string {
	var out []string
	rest := body
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return out
		}
		rest = rest[i+2:]
		end := strings.Index(rest, "}}")
		if end < 0 {
			return out
		}
		name := rest[:end]
		if knownPlaceholder(name) && !slices.Contains(out, name) {
			out = append(out, name)
		}
		rest = rest[end+2:]
	}
}

// FillForPublication fills body from fill (see PublishFill) and returns
// EINVALID naming every placeholder still unfilled (such as
// {{security_contact}}), so that no published text shows a raw placeholder.
func FillForPublication(body string, fill map[string]string) (string, error) {
	if fill["approver"] == "" {
		return "", Errorf(EINVALID, "no approver has approved this version")
	}
	filled, err := FillPlaceholders(body, fill)
	if err != nil {
		return "", err
	}
	if left := UnfilledPlaceholders(filled); len(left) > 0 {
		names := make([]string, len(left))
		for i, n := range left {
			names[i] = "{{" + n + "}}"
		}
		return "", Errorf(EINVALID, "cannot publish while the text has unfilled placeholders: %s; edit the draft to replace them, then have it approved again", strings.Join(names, ", "))
	}
	return filled, nil
}

// PlaceholdersToFill returns the placeholders of body that publishing p
// would not fill (PublishFill fills the rest), so a page can ask for them
// before anyone tries to publish.
func PlaceholdersToFill(body string, p *Policy) []string {
	fill := PublishFill("organization", p, []string{"approver"}, "2000-01-01")
	var out []string
	for _, name := range UnfilledPlaceholders(body) {
		if _, ok := fill[name]; !ok {
			out = append(out, name)
		}
	}
	return out
}

// ShownBody returns the text a reader sees of v: a version that was never
// published shows SetWhenPublished in place of the approvers and the
// effective date, which only publication decides.
func (v *PolicyVersion) ShownBody() string {
	if v.State == VersionPublished || v.State == VersionSuperseded || !v.PublishedAt.IsZero() {
		return v.Body
	}
	return DraftBody(v.Body)
}

// DraftBody fills the placeholders that publication decides with
// SetWhenPublished, for showing a text that is not yet published.
func DraftBody(body string) string {
	for _, name := range PublishedPlaceholders {
		body = strings.ReplaceAll(body, "{{"+name+"}}", SetWhenPublished)
	}
	return body
}

// EffectiveDate is when a published version took effect: its publication
// date, or the zero Date before publication (or for versions published
// before the date was recorded).
func (v *PolicyVersion) EffectiveDate() Date {
	if v.PublishedAt.IsZero() {
		return ""
	}
	return DateOf(v.PublishedAt)
}
