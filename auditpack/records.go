package auditpack

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/evpack"
	"github.com/attest-dev/attest/policydoc"
)

// Names of the records a package holds beside the evidence.
const (
	ScopeName            = "scope.json"
	ReadinessName        = "readiness.json"
	PoliciesFolder       = "policies"
	ApprovalsName        = "policies/approvals.csv"
	AcknowledgementsName = "policies/acknowledgements.csv"
)

// RecordSource is what the records are read from; *store.DB is one.
type RecordSource interface {
	policydoc.Source
	FindControls(ctx context.Context, orgID int64, f attest.ControlFilter) ([]*attest.Control, error)
	PolicyStandings(ctx context.Context, orgID int64) ([]*attest.PolicyStanding, error)
}

// records writes what an auditor asks for first, before any evidence: the
// published policies as PDF with their approval and acknowledgement
// records, the scope, and readiness and coverage at export time. Each goes
// through the package writer, so the signed manifest covers it.
type records struct {
	ctx   context.Context
	pw    *evpack.Writer
	src   RecordSource
	org   int64
	at    time.Time
	sum   evpack.IndexSummary
	users map[int64]*attest.User
	// popFiles is the population file of each kind, when the source has
	// populations.
	popFiles map[string]string
}

func (r *records) add(name, about string, fill func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := fill(&buf); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if _, _, err := r.pw.Add(name, &buf, r.at); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if about != "" {
		r.sum.Records = append(r.sum.Records, evpack.IndexRecord{Name: name, About: about})
	}
	return nil
}

// writeRecords adds the records to the package and returns the index
// summary that lists them.
func writeRecords(ctx context.Context, pw *evpack.Writer, src RecordSource, orgID int64, e *attest.Engagement, rd *attest.Readiness, reqs []*attest.EvidenceRequest, at time.Time) (*evpack.IndexSummary, map[string]string, error) {
	users, err := src.FindUsers(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	r := &records{ctx: ctx, pw: pw, src: src, org: orgID, at: at, users: map[int64]*attest.User{}}
	for _, u := range users {
		r.users[u.ID] = u
	}
	if err := r.readiness(rd); err != nil {
		return nil, nil, err
	}
	if err := r.scope(e, rd, reqs); err != nil {
		return nil, nil, err
	}
	if err := r.policies(); err != nil {
		return nil, nil, err
	}
	if rs, ok := src.(RegisterSource); ok {
		if err := r.registers(rs, e); err != nil {
			return nil, nil, err
		}
	}
	if err := r.monitoring(e, reqs); err != nil {
		return nil, nil, err
	}
	if ps, ok := src.(PopulationSource); ok {
		if r.popFiles, err = r.populations(ps, e); err != nil {
			return nil, nil, err
		}
	}
	return &r.sum, r.popFiles, nil
}

// readiness records the figures of the engagement on the day of export.
func (r *records) readiness(rd *attest.Readiness) error {
	r.sum.Readiness = evpack.IndexReadiness{
		Date: string(rd.Date), Score: rd.Score, Ready: rd.Ready, Partial: rd.Partial, Gap: rd.Gap,
		Due: rd.Coverage.Due, Covered: rd.Coverage.Covered, Total: rd.Coverage.Total, CoveragePercent: rd.CoveragePercent,
	}
	for _, c := range rd.Categories {
		r.sum.Readiness.Categories = append(r.sum.Readiness.Categories, evpack.IndexCategory{Name: c.Name, Score: c.Score})
	}
	return r.add(ReadinessName, "readiness per category and criterion and evidence coverage at export time (JSON)", func(w io.Writer) error {
		return writeJSON(w, struct {
			ExportedAt time.Time `json:"exported_at"`
			*attest.Readiness
		}{r.at, rd})
	})
}

// scopeFile is scope.json.
type scopeFile struct {
	Engagement    *attest.Engagement   `json:"engagement"`
	PeriodStart   attest.Date          `json:"period_start"`
	PeriodEnd     attest.Date          `json:"period_end"`
	Criteria      []scopeCriterion     `json:"criteria"`
	Controls      []scopeControl       `json:"controls"`
	NotApplicable []scopeNotApplicable `json:"not_applicable"`
	Systems       []*attest.System     `json:"systems"`
}

type scopeCriterion struct {
	ID       string   `json:"id"`
	Category string   `json:"category"`
	Title    string   `json:"title"`
	Controls []string `json:"controls"`
}

type scopeControl struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Status        string   `json:"status"`
	Owner         string   `json:"owner"`
	Frequency     string   `json:"frequency"`
	Criteria      []string `json:"criteria"`
	Justification string   `json:"justification,omitempty"`
}

type scopeNotApplicable struct {
	Control       string `json:"control"`
	Need          *int   `json:"need,omitempty"`
	Period        string `json:"period,omitempty"`
	Justification string `json:"justification"`
}

// scope records the categories, criteria, controls and systems in scope,
// and every not-applicable declaration with its justification.
func (r *records) scope(e *attest.Engagement, rd *attest.Readiness, reqs []*attest.EvidenceRequest) error {
	all, err := r.src.FindControls(r.ctx, r.org, attest.ControlFilter{})
	if err != nil {
		return err
	}
	byID := make(map[string]*attest.Control, len(all))
	for _, c := range all {
		byID[c.ID] = c
	}
	start, end := attest.EngagementPeriod(e)
	f := scopeFile{Engagement: e, PeriodStart: start, PeriodEnd: end, Systems: e.Systems,
		Criteria: []scopeCriterion{}, Controls: []scopeControl{}, NotApplicable: []scopeNotApplicable{}}
	if f.Systems == nil {
		f.Systems = []*attest.System{}
	}
	seen := map[string]bool{}
	for _, cr := range rd.Criteria {
		sc := scopeCriterion{ID: cr.ID, Category: cr.Category, Title: cr.Title, Controls: []string{}}
		for _, ref := range cr.Controls {
			sc.Controls = append(sc.Controls, ref.ID)
			if seen[ref.ID] {
				continue
			}
			seen[ref.ID] = true
			c := scopeControl{ID: ref.ID, Name: ref.Name, Status: string(ref.Status), Owner: ref.Owner.Display()}
			if full := byID[ref.ID]; full != nil {
				c.Frequency, c.Criteria = string(full.Frequency), full.Criteria
				if full.Status == attest.NotApplicable {
					c.Justification = full.Justification
					f.NotApplicable = append(f.NotApplicable, scopeNotApplicable{Control: ref.ID, Justification: full.Justification})
				}
			}
			f.Controls = append(f.Controls, c)
		}
		f.Criteria = append(f.Criteria, sc)
	}
	for _, q := range reqs {
		for _, s := range q.Slots {
			if s.State == attest.SlotNotApplicable {
				need := q.Need
				f.NotApplicable = append(f.NotApplicable, scopeNotApplicable{Control: q.ControlID, Need: &need,
					Period: string(s.Start) + " to " + string(s.End), Justification: s.Statement})
			}
		}
	}
	slices.SortStableFunc(f.Controls, func(a, b scopeControl) int { return strings.Compare(a.ID, b.ID) })

	sc := &r.sum.Scope
	sc.ReportType, sc.Categories, sc.Criteria = reportTypeLabel(e.ReportType), e.Categories, len(f.Criteria)
	for _, c := range rd.Categories {
		if i := slices.Index(sc.Categories, c.ID); i >= 0 {
			sc.Categories = slices.Clone(sc.Categories)
			sc.Categories[i] = c.Name
		}
	}
	for _, c := range f.Controls {
		sc.Controls = append(sc.Controls, evpack.IndexScopeControl{ID: c.ID, Name: c.Name, Status: c.Status, Owner: c.Owner})
	}
	for _, s := range f.Systems {
		sc.Systems = append(sc.Systems, evpack.IndexSystem{Name: s.Name, Kind: s.Kind, Owner: systemOwner(s), Description: s.Description})
	}
	for _, na := range f.NotApplicable {
		period := na.Period
		if na.Need != nil {
			period += fmt.Sprintf(" (need %d)", *na.Need)
		}
		sc.NotApplicable = append(sc.NotApplicable, evpack.IndexNotApplicable{Control: na.Control, Period: strings.TrimSpace(period), Justification: na.Justification})
	}
	return r.add(ScopeName, "the engagement, its criteria, controls and systems in scope, and every not-applicable justification (JSON)", func(w io.Writer) error {
		return writeJSON(w, f)
	})
}

// policies adds each published policy as PDF, then the approval record of
// every version of those policies and who acknowledged them.
func (r *records) policies() error {
	all, err := r.src.FindPolicies(r.ctx, r.org)
	if err != nil {
		return err
	}
	published := attest.Published(all)
	standings, err := r.src.PolicyStandings(r.ctx, r.org)
	if err != nil {
		return err
	}
	byPolicy := map[int64]*attest.PolicyStanding{}
	for _, st := range standings {
		byPolicy[st.Policy.ID] = st
	}
	var approvals [][]string
	for _, p := range published {
		doc, err := policydoc.Gather(r.ctx, r.src, r.org, p, "")
		if err != nil {
			return err
		}
		name := fmt.Sprintf("%s/%d-%s-v%s.pdf", PoliciesFolder, p.ID, attest.SanitizeFileName(strings.ToLower(strings.ReplaceAll(p.Title, " ", "-"))), p.PublishedVersion)
		if err := r.add(name, "", func(w io.Writer) error { return policydoc.WritePDF(w, doc) }); err != nil {
			return err
		}
		ip := evpack.IndexPolicy{Title: p.Title, Version: p.PublishedVersion, File: name, Effective: string(doc.Version.EffectiveDate())}
		if ip.Effective == "" {
			ip.Effective = string(p.LastReviewed)
		}
		var names []string
		for _, a := range doc.Approvals {
			names = append(names, a.Name)
		}
		ip.Approvers = attest.JoinNames(names)
		if st := byPolicy[p.ID]; st != nil {
			ip.Acknowledged, ip.Required = st.Done, st.Required
		}
		r.sum.Policies = append(r.sum.Policies, ip)

		decisions, err := r.src.FindPolicyDecisions(r.ctx, r.org, p.ID)
		if err != nil {
			return err
		}
		published := map[string]time.Time{}
		for _, v := range doc.History {
			published[v.Number] = v.PublishedAt
		}
		for _, d := range decisions {
			decision := "approved"
			if !d.Approve {
				decision = "rejected"
			}
			u := r.users[d.ApproverID]
			approvals = append(approvals, []string{strconv.FormatInt(p.ID, 10), p.Title, d.Version, strconv.FormatInt(d.ApproverID, 10),
				nameOf(u), emailOf(u), decision, d.Comment, rfc3339(d.At), rfc3339(published[d.Version])})
		}
	}
	if err := r.add(ApprovalsName, "every approval and rejection of the published policies' versions, with when each version was published (CSV)", func(w io.Writer) error {
		return writeCSV(w, []string{"policy_id", "policy", "version", "approver_id", "approver", "email", "decision", "comment", "decided_at", "version_published_at"}, approvals)
	}); err != nil {
		return err
	}
	var acks [][]string
	for _, p := range published {
		st := byPolicy[p.ID]
		if st == nil {
			continue
		}
		for _, u := range st.Users {
			acks = append(acks, []string{strconv.FormatInt(p.ID, 10), p.Title, p.PublishedVersion, strconv.FormatInt(u.UserID, 10),
				u.Name, u.Email, string(u.State), u.Version, rfc3339(u.At), string(u.Due)})
		}
	}
	return r.add(AcknowledgementsName, "who acknowledged each published policy, when, and who has yet to (CSV)", func(w io.Writer) error {
		return writeCSV(w, []string{"policy_id", "policy", "published_version", "user_id", "name", "email", "state", "acknowledged_version", "acknowledged_at", "due"}, acks)
	})
}

// reportTypeLabel names a report type as an auditor writes it.
func reportTypeLabel(t attest.ReportType) string {
	switch t {
	case attest.TypeI:
		return "SOC 2 Type I"
	case attest.TypeII:
		return "SOC 2 Type II"
	}
	return string(t)
}

func nameOf(u *attest.User) string {
	if u == nil {
		return ""
	}
	return u.Name
}

func emailOf(u *attest.User) string {
	if u == nil {
		return ""
	}
	return u.Email
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// writeCSV writes a header and rows, every cell made safe for a
// spreadsheet (evpack.CSVCell).
func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range rows {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = evpack.CSVCell(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// systemOwner names a system's owner for the auditor: the member's name and
// email, or a free-text note marked as not a member, or "".
func systemOwner(s *attest.System) string {
	switch {
	case s.Owner != nil:
		return s.Owner.Display() + " <" + s.Owner.Email + ">"
	case s.OwnerNote != "":
		return s.OwnerNote + " (not a member)"
	}
	return ""
}
