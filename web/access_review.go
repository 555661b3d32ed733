package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Access reviews: a campaign per system lists its accounts, reviewers
// decide keep, revoke or change, revocations are tracked until done, and
// the signed-off record is kept as evidence of the review's control.

func (s *Server) reviewRegister() register {
	return register{Name: "access-reviews", Heading: "Access reviews", Noun: "reviews", Path: "/access-reviews", Sorts: attest.AccessReviewSorts,
		Intro: "Each review lists a system's accounts for a period (a quarter by default); reviewers decide, revocations are carried out, and the signed-off record becomes evidence.",
		Cols:  []regCol{{"system", "System"}, {"period_end", "Period"}, {"due_date", "Due"}, {"status", "Status"}, {"", "Accounts"}, {"", "Undecided"}, {"", "Revocations open"}, {"", "Signed off by"}},
		Filters: []regFilter{{Name: "status", Label: "Status", Kind: "select", Options: [][2]string{{"", "any"}, {"open", "open"}, {"signed_off", "signed off"}}},
			{Name: "overdue", Label: "Overdue only", Kind: "check"}},
		CSVHeader: []string{"id", "system", "period_start", "period_end", "due_date", "status", "accounts", "undecided", "unresolved", "signed_by", "signed_at", "control_id", "evidence_id"},
		find: func(r *http.Request, q url.Values, p attest.Page) ([][]regCell, [][]string, any, int, error) {
			today := attest.DateOf(s.Now())
			f := attest.AccessReviewFilter{Search: q.Get("q"), Status: q.Get("status"), Overdue: q.Get("overdue") != "", Today: today, Scope: recordScope(r)}
			reviews, total, err := s.svc.FindAccessReviewPage(r.Context(), orgID(r), f, p)
			if err != nil {
				return nil, nil, nil, 0, err
			}
			rows, csv := make([][]regCell, len(reviews)), make([][]string, len(reviews))
			for i, x := range reviews {
				badge := ""
				if x.Overdue(today) {
					badge = "overdue"
				}
				signed := ""
				if x.SignedAt != nil {
					signed = x.SignedAt.UTC().Format("2006-01-02")
				}
				rows[i] = []regCell{{Text: x.System, Href: fmt.Sprintf("/access-reviews/%d", x.ID), Badge: badge}, {Text: string(x.PeriodStart) + " – " + string(x.PeriodEnd)},
					{Text: string(x.DueDate)}, {Text: strings.ReplaceAll(x.Status, "_", " ")}, {Text: strconv.Itoa(x.Accounts)}, {Text: strconv.Itoa(x.Undecided)},
					{Text: strconv.Itoa(x.Unresolved)}, {Text: personText(x.SignedBy)}}
				csv[i] = []string{idText(x.ID), x.System, string(x.PeriodStart), string(x.PeriodEnd), string(x.DueDate), x.Status, strconv.Itoa(x.Accounts),
					strconv.Itoa(x.Undecided), strconv.Itoa(x.Unresolved), personText(x.SignedBy), signed, x.ControlID, idText(x.EvidenceID)}
			}
			return rows, csv, reviews, total, nil
		}}
}

// formCSV returns the CSV a form carries: an uploaded file or pasted text.
func formCSV(r *http.Request, name string) (string, error) {
	if file, _, err := r.FormFile(name + "_file"); err == nil {
		defer file.Close()
		b, err := io.ReadAll(io.LimitReader(file, MaxBodyBytes))
		return string(b), err
	}
	return r.PostFormValue(name), nil
}

func (s *Server) reviewCreate(w http.ResponseWriter, r *http.Request) error {
	rv := &attest.AccessReview{System: r.PostFormValue("system"), ControlID: r.PostFormValue("control_id"), Source: "csv"}
	var err error
	var accounts []*attest.AccessAccount
	if rv.PeriodStart, err = postedDate(r, "period_start"); err == nil {
		if rv.PeriodEnd, err = postedDate(r, "period_end"); err == nil {
			rv.DueDate, err = postedDate(r, "due_date")
		}
	}
	if in := r.PostFormValue("integration"); in != "" && err == nil {
		// The accounts of an integration's latest collection.
		var id int64
		if id, err = strconv.ParseInt(in, 10, 64); err != nil {
			err = attest.FieldErrorf("integration", "choose one of the integrations")
		} else {
			accounts, err = s.svc.StartAccessReviewFrom(r.Context(), orgID(r), rv, id)
		}
		if err != nil {
			return s.refuseRegister(w, r, s.reviewRegister(), err)
		}
		return redirect(w, r, fmt.Sprintf("/access-reviews/%d", rv.ID), fmt.Sprintf("Review of %s opened with the %d accounts the integration collected.", rv.System, len(accounts)))
	}
	if err == nil {
		var text string
		if text, err = formCSV(r, "accounts"); err == nil && strings.TrimSpace(text) != "" {
			if accounts, err = attest.ReadAccountsCSV(strings.NewReader(text)); err != nil {
				err = attest.FieldErrorf("accounts", "%s", attest.ErrorMessage(err))
			}
		}
	}
	if err == nil {
		err = s.svc.CreateAccessReview(r.Context(), orgID(r), rv, accounts)
	}
	if err != nil {
		return s.refuseRegister(w, r, s.reviewRegister(), err)
	}
	return redirect(w, r, fmt.Sprintf("/access-reviews/%d", rv.ID), fmt.Sprintf("Review of %s opened with %d accounts.", rv.System, len(accounts)))
}

func (s *Server) reviewByPath(r *http.Request) (*attest.AccessReview, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, attest.ScopeAccessReview, id); err != nil {
		return nil, err
	}
	return s.svc.FindAccessReview(r.Context(), orgID(r), id)
}

func (s *Server) reviewPage(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.reviewByPath(r)
	if err != nil {
		return err
	}
	return s.renderReview(w, r, http.StatusOK, rv, "")
}

func (s *Server) renderReview(w http.ResponseWriter, r *http.Request, status int, rv *attest.AccessReview, problem string) error {
	accounts, err := s.svc.FindAccessAccounts(r.Context(), orgID(r), rv.ID)
	if err != nil {
		return err
	}
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, status, "access_review", &view{Title: "Access review: " + rv.System, Nav: "records", Data: map[string]any{
		"Review": rv, "Accounts": accounts, "Owners": owners, "Problem": problem, "Me": principalFrom(r.Context()).UserID, "Today": attest.DateOf(s.Now()),
	}})
}

// reviewRefused shows the review again with a refusal, or returns err.
func (s *Server) reviewRefused(w http.ResponseWriter, r *http.Request, rv *attest.AccessReview, err error) error {
	switch attest.ErrorCode(err) {
	case attest.EINVALID, attest.ECONFLICT:
		return s.renderReview(w, r, refusedStatus, rv, attest.ErrorMessage(err))
	}
	return err
}

func (s *Server) reviewAssign(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.reviewByPath(r)
	if err != nil {
		return err
	}
	reviewer, err := s.formMember(r, "reviewer")
	var ids []int64
	if err == nil {
		for _, v := range r.PostForm["account"] {
			id, perr := strconv.ParseInt(v, 10, 64)
			if perr != nil {
				return attest.Errorf(attest.ENOTFOUND, "no account %q", v)
			}
			ids = append(ids, id)
		}
		err = s.svc.AssignReviewer(r.Context(), orgID(r), rv.ID, reviewer, ids)
	}
	if err != nil {
		return s.reviewRefused(w, r, rv, err)
	}
	return redirect(w, r, fmt.Sprintf("/access-reviews/%d", rv.ID), "Reviewer assigned.")
}

// reviewDecide records the signed-in member's decision about an account.
// Auditors read reviews but never decide.
func (s *Server) reviewDecide(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.reviewByPath(r)
	if err != nil {
		return err
	}
	aid, err := pathID(r, "account")
	if err != nil {
		return err
	}
	d := attest.Decision{Decision: r.PostFormValue("decision"), Comment: r.PostFormValue("comment")}
	if err := d.Validate(); err != nil {
		return s.reviewRefused(w, r, rv, err)
	}
	p := principalFrom(r.Context())
	if p.Role == attest.RoleAuditor {
		return attest.Errorf(attest.EFORBIDDEN, "auditors read access reviews; members decide them")
	}
	if _, err := s.svc.DecideAccess(r.Context(), p.OrgID, rv.ID, aid, p.UserID, d); err != nil {
		return s.reviewRefused(w, r, rv, err)
	}
	return redirect(w, r, fmt.Sprintf("/access-reviews/%d#account-%d", rv.ID, aid), "Decision recorded.")
}

func (s *Server) reviewResolve(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.reviewByPath(r)
	if err != nil {
		return err
	}
	aid, err := pathID(r, "account")
	if err != nil {
		return err
	}
	day, err := postedDate(r, "resolved_on")
	if err == nil && day.IsZero() {
		day = attest.DateOf(s.Now())
	}
	if err == nil {
		_, err = s.svc.ResolveAccess(r.Context(), orgID(r), rv.ID, aid, day)
	}
	if err != nil {
		return s.reviewRefused(w, r, rv, err)
	}
	return redirect(w, r, fmt.Sprintf("/access-reviews/%d#account-%d", rv.ID, aid), "Marked done.")
}

// reviewSignOff signs the review off and keeps its record as evidence of
// its control (when it names one).
func (s *Server) reviewSignOff(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.reviewByPath(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if rv.Status == attest.ReviewSignedOff || rv.Undecided > 0 || rv.Unresolved > 0 {
		return s.reviewRefused(w, r, rv, attest.Errorf(attest.ECONFLICT, "the review cannot be signed off: %d accounts await a decision and %d revocations or changes are not done", rv.Undecided, rv.Unresolved))
	}
	var record *attest.Evidence
	if rv.ControlID != "" {
		accounts, err := s.svc.FindAccessAccounts(r.Context(), p.OrgID, rv.ID)
		if err != nil {
			return err
		}
		today := attest.DateOf(s.Now())
		record = &attest.Evidence{Kind: attest.EvidenceStatement, Title: "Access review of " + rv.System + ", signed off",
			Statement: reviewStatement(rv, accounts, p.Name, today), PeriodStart: rv.PeriodStart, PeriodEnd: min(rv.PeriodEnd, today),
			Links: []attest.EvidenceLinkRef{{ControlID: rv.ControlID}}}
	}
	done, err := s.svc.SignOffAccessReview(r.Context(), p.OrgID, rv.ID, p.UserID, record)
	if err != nil {
		return s.reviewRefused(w, r, rv, err)
	}
	msg := "Review signed off."
	if done.EvidenceID != 0 {
		msg += fmt.Sprintf(" Its record is evidence item %d of %s.", done.EvidenceID, rv.ControlID)
	}
	return redirect(w, r, fmt.Sprintf("/access-reviews/%d", rv.ID), msg)
}

// reviewStatement is the signed-off record as an evidence statement.
func reviewStatement(rv *attest.AccessReview, accounts []*attest.AccessAccount, signer string, day attest.Date) string {
	var b strings.Builder
	counts := map[string]int{}
	for _, a := range accounts {
		counts[a.Decision]++
	}
	fmt.Fprintf(&b, "Access review of %s for %s to %s, signed off by %s on %s. %d accounts: %d kept, %d revoked, %d changed; every revocation and change was carried out.\n\n",
		rv.System, rv.PeriodStart, rv.PeriodEnd, signer, day, len(accounts), counts[attest.DecisionKeep], counts[attest.DecisionRevoke], counts[attest.DecisionChange])
	for _, a := range accounts {
		line := fmt.Sprintf("- %s (%s): %s by %s", a.Account, a.Privileges, a.Decision, personText(a.DecidedBy))
		if a.Comment != "" {
			line += ": " + a.Comment
		}
		if !a.ResolvedOn.IsZero() {
			line += ", done " + string(a.ResolvedOn)
		}
		if b.Len()+len(line) > 9800 {
			b.WriteString("- … the full record is the review's CSV in Attest\n")
			break
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

// reviewRecord downloads the review's accounts and decisions as CSV.
func (s *Server) reviewRecord(w http.ResponseWriter, r *http.Request) error {
	rv, err := s.reviewByPath(r)
	if err != nil {
		return err
	}
	accounts, err := s.svc.FindAccessAccounts(r.Context(), orgID(r), rv.ID)
	if err != nil {
		return err
	}
	fetch := func(p attest.Page) ([][]string, int, error) {
		var rows [][]string
		for _, a := range accounts[min(p.Offset, len(accounts)):min(p.Offset+p.Limit, len(accounts))] {
			at := ""
			if a.DecidedAt != nil {
				at = a.DecidedAt.UTC().Format("2006-01-02T15:04:05Z")
			}
			rows = append(rows, []string{rv.System, string(rv.PeriodStart), string(rv.PeriodEnd), a.Account, a.DisplayName, a.Email, a.Privileges,
				personText(a.Reviewer), a.Decision, a.Comment, personText(a.DecidedBy), at, string(a.ResolvedOn)})
		}
		return rows, len(rows), nil
	}
	return s.csvExport(w, fmt.Sprintf("access-review-%d.csv", rv.ID),
		[]string{"system", "period_start", "period_end", "account", "name", "email", "privileges", "reviewer", "decision", "comment", "decided_by", "decided_at", "resolved_on"}, fetch, attest.Page{})
}
