package policydoc

import (
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// Document is everything an export shows about one version of a policy.
// The caller gathers it from the stores; this package only lays it out, so
// an export never reads anything the caller did not choose to show.
type Document struct {
	// Organization is the name printed on the title block.
	Organization string
	// Policy gives the title, type, owner, review cycle, next review date
	// and, when Controls is empty, the control IDs.
	Policy *attest.Policy
	// Version is the version exported; its Body is Markdown.
	Version *attest.PolicyVersion
	// History is every version of the policy, oldest first, for the
	// revision history table.
	History []*attest.PolicyVersion
	// Approvals are who approved Version and when.
	Approvals []Approval
	// Controls are the controls the policy satisfies, with titles and
	// criteria.
	Controls []ControlRef
}

// Approval is one approver's approval of the exported version. The name is
// resolved by the caller: auditors read names, not user IDs.
type Approval struct {
	Name string
	At   time.Time
}

// ControlRef is a control a policy satisfies, as listed in an export.
type ControlRef struct {
	ID       string
	Title    string
	Criteria []string
}

// docView is a Document reduced to the strings both exports print, so the
// HTML and PDF say the same thing in the same words.
type docView struct {
	Organization string
	Title        string
	Type         string // "Policy" or "Procedure"
	Version      string
	State        string
	Owner        string
	Approvals    []approvalView
	Effective    string
	NextReview   string
	ReviewCycle  string
	Controls     []controlView
	Body         string
	History      []historyRow
}

type approvalView struct{ Name, Date string }

type controlView struct{ ID, Title, Criteria string }

type historyRow struct{ Version, Date, Author, State, Change string }

// viewOf checks d and reduces it to a docView; n is its 1-based position
// among the exported documents, for the error message.
func viewOf(d *Document, n int) (*docView, error) {
	switch {
	case d == nil:
		return nil, attest.Errorf(attest.EINVALID, "document %d is missing", n)
	case d.Policy == nil:
		return nil, attest.Errorf(attest.EINVALID, "document %d has no policy", n)
	case d.Version == nil:
		return nil, attest.Errorf(attest.EINVALID, "document %d (%s) has no version", n, d.Policy.Title)
	}
	p, v := d.Policy, d.Version
	out := &docView{
		Organization: d.Organization,
		Title:        p.Title,
		Type:         typeLabel(p.Type),
		Version:      v.Number,
		State:        string(v.State),
		Owner:        p.OwnerName(),
		Body:         v.ShownBody(),
		NextReview:   string(p.NextReview),
		ReviewCycle:  "not set",
	}
	if out.Owner == "" {
		// Until a person is named, the role is the owner.
		out.Owner = p.OwnerRole
	}
	if p.ReviewCycleMonths > 0 {
		out.ReviewCycle = fmt.Sprintf("every %d months", p.ReviewCycleMonths)
	}
	if out.NextReview == "" {
		out.NextReview = "not scheduled"
	}
	// A version takes effect when it is published, the date its text
	// states and the one an auditor compares with the audit period. A
	// version published before that date was recorded took effect with its
	// last approval; an unpublished one is not in effect yet.
	var last time.Time
	for _, a := range d.Approvals {
		out.Approvals = append(out.Approvals, approvalView{Name: a.Name, Date: dateOf(a.At)})
		if a.At.After(last) {
			last = a.At
		}
	}
	switch {
	case !v.PublishedAt.IsZero():
		out.Effective = dateOf(v.PublishedAt)
	case (v.State == attest.VersionPublished || v.State == attest.VersionSuperseded) && !last.IsZero():
		out.Effective = dateOf(last)
	default:
		out.Effective = attest.SetWhenPublished
	}
	for _, c := range controlsOf(d) {
		out.Controls = append(out.Controls, controlView{ID: c.ID, Title: c.Title, Criteria: strings.Join(c.Criteria, ", ")})
	}
	for _, h := range d.History {
		if h == nil {
			continue
		}
		change := "Minor"
		if h.Major {
			change = "Major"
		}
		out.History = append(out.History, historyRow{
			Version: h.Number, Date: dateOf(h.CreatedAt), Author: h.Author, State: string(h.State), Change: change,
		})
	}
	return out, nil
}

// views checks and reduces every document; an export of nothing is a
// mistake by the caller, not an empty file.
func views(docs []*Document) ([]*docView, error) {
	if len(docs) == 0 {
		return nil, attest.Errorf(attest.EINVALID, "nothing to export: no documents")
	}
	out := make([]*docView, len(docs))
	for i, d := range docs {
		v, err := viewOf(d, i+1)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// controlsOf returns the controls to list: the caller's, or the policy's
// bare IDs when the caller did not look them up.
func controlsOf(d *Document) []ControlRef {
	if len(d.Controls) > 0 {
		return d.Controls
	}
	out := make([]ControlRef, len(d.Policy.Controls))
	for i, id := range d.Policy.Controls {
		out[i] = ControlRef{ID: id}
	}
	return out
}

// typeLabel names a policy type for a reader.
func typeLabel(t string) string {
	switch t {
	case attest.PolicyTypeProcedure:
		return "Procedure"
	case attest.PolicyTypePolicy, "":
		return "Policy"
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// dateOf formats t as an ISO date in UTC, the form used throughout Attest;
// the zero time prints as a dash rather than as year 1.
func dateOf(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return string(attest.DateOf(t))
}
