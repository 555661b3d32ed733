package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/regcsv"
)

// The risk register's pages: the list with the heat maps of inherent and
// residual scores side by side, a risk's page with its treatment,
// acceptance, mitigating controls and treatment plan, the periodic risk
// assessments, and the scale and appetite.

func (s *Server) riskRoutes() []route {
	return []route{
		{"GET", "/risks", session, attest.ReadData, s.risksPage, false},
		{"GET", "/risks.csv", session, attest.ReadData, s.risksCSV, false},
		{"POST", "/risks", session, attest.EditReadiness, s.riskCreate, false},
		{"POST", "/risks/settings", session, attest.EditReadiness, s.riskSettings, false},
		{"GET", "/risks/assessments", session, attest.ReadData, s.riskAssessmentsPage, false},
		{"POST", "/risks/assessments", session, attest.EditReadiness, s.riskAssessmentCreate, false},
		{"GET", "/risks/{id}", session, attest.ReadData, s.riskPage, false},
		{"POST", "/risks/{id}", session, attest.EditOwnControl, s.riskUpdate, false},
		{"POST", "/risks/{id}/approve", session, attest.ReadData, s.riskApprove, false}, // the named approver only (a viewer from management may be one)
	}
}

func (s *Server) riskList() registerList[*attest.Risk] {
	return registerList[*attest.Risk]{path: "/risks", newestFirst: true, sorts: attest.RiskSorts,
		find: func(r *http.Request, f attest.RegisterFilter, p attest.Page) ([]*attest.Risk, int, error) {
			f.Scope = recordScope(r)
			return s.svc.FindRisks(r.Context(), orgID(r), f, p)
		},
		codec: func(r *http.Request) (regcsv.Codec[*attest.Risk], error) {
			st, err := s.svc.FindRegisterSettings(r.Context(), orgID(r))
			return regcsv.RiskCodec(st.RiskScale), err
		}}
}

func (s *Server) risksPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderRisks(w, r, http.StatusOK, nil)
}

// renderRisks shows the list; create holds a refused new risk's form.
func (s *Server) renderRisks(w http.ResponseWriter, r *http.Request, status int, create *form) error {
	ctx, org := r.Context(), orgID(r)
	risks, list, f, err := s.riskList().page(s, r)
	if err != nil {
		return err
	}
	if f.Invalid() && status == http.StatusOK {
		status = refusedStatus
	}
	st, err := s.svc.FindRegisterSettings(ctx, org)
	if err != nil {
		return err
	}
	inherent, residual, err := s.svc.RiskHeat(ctx, org, attest.RegisterFilter{Search: f.Get("q"), Category: f.Get("category"), Status: f.Get("status"), Scope: recordScope(r)})
	if err != nil && !f.refuse(err) {
		return err
	}
	owners, err := s.svc.FindOwners(ctx, org)
	if err != nil {
		return err
	}
	lib, err := catalog.RiskLibrary()
	if err != nil {
		return err
	}
	due, err := s.svc.RiskAssessmentDue(ctx, org)
	if err != nil {
		return err
	}
	if create == nil {
		create = newForm(nil)
	}
	return s.render(w, r, status, "risks", &view{Title: "Risk register", Nav: "risks", Data: map[string]any{
		"Risks": risks, "List": list, "Form": f, "Create": create, "Settings": st, "Owners": owners, "Library": lib,
		"Inherent": heatMap("heat-inherent", "Inherent risk", inherent, st.RiskScale, st.RiskAppetite),
		"Residual": heatMap("heat-residual", "Residual risk", residual, st.RiskScale, st.RiskAppetite),
		"Scale":    levels(st.RiskScale), "Categories": attest.RiskCategories, "Statuses": attest.RiskStatuses, "Treatments": attest.RiskTreatments,
		"AssessmentDue": due, "OwnerFilter": f.Get("owner"),
	}})
}

// levels is 1..n, the choices of a likelihood or impact.
func levels(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func (s *Server) risksCSV(w http.ResponseWriter, r *http.Request) error {
	return s.riskList().csv(s, w, r, "risks.csv")
}

// riskFromForm reads a risk's fields from a form onto base.
func (s *Server) riskFromForm(r *http.Request, f *form, base *attest.Risk) (*attest.Risk, error) {
	k := *base
	k.Title, k.Description, k.Category = f.Get("title"), f.Get("description"), strings.ToLower(f.Get("category"))
	k.TreatmentPlan, k.Treatment = f.Get("treatment_plan"), attest.RiskTreatment(f.Get("treatment"))
	if v := f.Get("status"); v != "" {
		k.Status = v
	}
	var err error
	if k.OwnerID, err = s.formPerson(r, f, "owner"); err != nil {
		return nil, err
	}
	if k.ApproverID, err = s.formPerson(r, f, "approver"); err != nil {
		return nil, err
	}
	for _, n := range []struct {
		name string
		to   *int
	}{{"likelihood", &k.Likelihood}, {"impact", &k.Impact}, {"residual_likelihood", &k.ResidualLikelihood}, {"residual_impact", &k.ResidualImpact}} {
		if *n.to, err = formInt(f, n.name); err != nil {
			return nil, err
		}
	}
	if k.AcceptanceReview, err = formDate(f, "acceptance_review"); err != nil {
		return nil, err
	}
	if k.ReviewedOn, err = formDate(f, "reviewed_on"); err != nil {
		return nil, err
	}
	if k.Treatment == attest.TreatAccept && (base.Treatment != attest.TreatAccept || base.ApproverID != k.ApproverID) {
		k.RequestedByID = principalFrom(r.Context()).UserID
	}
	return &k, nil
}

// riskCreate adds a risk from the form, or from a library risk (its
// title, category, description and ratings, to adjust on its page).
func (s *Server) riskCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := postForm(r)
	if err != nil {
		return err
	}
	k := &attest.Risk{}
	if id := f.Get("library_id"); id != "" {
		lr, err := catalog.LibraryRisk(id)
		if err != nil {
			return formError("library_id", err)
		}
		k = &attest.Risk{Title: lr.Title, Category: lr.Category, Description: lr.Description, Likelihood: lr.Likelihood, Impact: lr.Impact, LibraryID: lr.ID}
		st, err := s.svc.FindRegisterSettings(r.Context(), orgID(r))
		if err != nil {
			return err
		}
		k.Likelihood, k.Impact = min(k.Likelihood, st.RiskScale), min(k.Impact, st.RiskScale)
		k.OwnerID, err = s.formPerson(r, f, "owner")
	} else {
		k, err = s.riskFromForm(r, f, k)
	}
	if err == nil {
		err = s.svc.CreateRisk(r.Context(), orgID(r), k)
	}
	if f.refuse(err) {
		return s.renderRisks(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordRisk, k.ID), "Risk added to the register.")
}

// riskSettings saves the scale, the appetite and the assessment cadence.
func (s *Server) riskSettings(w http.ResponseWriter, r *http.Request) error {
	f, err := postForm(r)
	if err != nil {
		return err
	}
	st := attest.RegisterSettings{}
	if st.RiskScale, err = formInt(f, "risk_scale"); err != nil {
		return err
	}
	if st.RiskAppetite, err = formInt(f, "risk_appetite"); err != nil {
		return err
	}
	if st.AssessmentMonths, err = formInt(f, "assessment_months"); err != nil {
		return err
	}
	if st.AssessmentOwnerID, err = s.formPerson(r, f, "assessment_owner"); err != nil {
		return err
	}
	if err := s.svc.UpdateRegisterSettings(r.Context(), orgID(r), st); err != nil {
		return err
	}
	return redirect(w, r, "/risks", "Risk settings saved.")
}

// riskByPath loads the risk the path names.
func (s *Server) riskByPath(r *http.Request) (*attest.Risk, error) {
	id, err := recordID(r, attest.RecordRisk)
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, string(attest.RecordRisk), id); err != nil {
		return nil, err
	}
	return s.svc.FindRiskByID(r.Context(), orgID(r), id)
}

func (s *Server) riskPage(w http.ResponseWriter, r *http.Request) error {
	k, err := s.riskByPath(r)
	if err != nil {
		return err
	}
	v := url2form(map[string]string{"title": k.Title, "description": k.Description, "category": k.Category, "owner": idText(k.OwnerID),
		"likelihood": strconv.Itoa(k.Likelihood), "impact": strconv.Itoa(k.Impact), "residual_likelihood": zeroText(k.ResidualLikelihood),
		"residual_impact": zeroText(k.ResidualImpact), "treatment": string(k.Treatment), "treatment_plan": k.TreatmentPlan, "status": k.Status,
		"approver": idText(k.ApproverID), "acceptance_review": string(k.AcceptanceReview), "reviewed_on": string(k.ReviewedOn)})
	return s.renderRisk(w, r, http.StatusOK, k, v)
}

func (s *Server) renderRisk(w http.ResponseWriter, r *http.Request, status int, k *attest.Risk, f *form) error {
	st, err := s.svc.FindRegisterSettings(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	data := map[string]any{"Risk": k, "Form": f, "Settings": st, "Scale": levels(st.RiskScale), "Categories": attest.RiskCategories,
		"Statuses": attest.RiskStatuses, "Treatments": attest.RiskTreatments, "AboveAppetite": k.InherentScore() > st.RiskAppetite}
	data["CanEdit"], data["OwnerFixed"] = s.mayEditRecord(r, k.OwnerID), !principalFrom(r.Context()).Can(attest.EditReadiness, s.Now())
	if err := s.recordData(r, attest.RecordRisk, k.ID, data); err != nil {
		return err
	}
	if k.LibraryID != "" {
		if lr, err := catalog.LibraryRisk(k.LibraryID); err == nil {
			var suggest []string
			for _, c := range lr.Controls {
				if !containsString(k.Controls, c) {
					suggest = append(suggest, c)
				}
			}
			data["Suggested"] = suggest
		}
	}
	p := principalFrom(r.Context())
	data["MayApprove"] = k.Treatment == attest.TreatAccept && k.AcceptedAt == nil && k.ApproverID != 0 && k.ApproverID == p.UserID && k.RequestedByID != p.UserID
	return s.render(w, r, status, "risk", &view{Title: k.Title, Nav: "risks", Data: data})
}

func containsString(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// riskUpdate saves the edit form; a refusal keeps what was typed.
func (s *Server) riskUpdate(w http.ResponseWriter, r *http.Request) error {
	k, err := s.riskByPath(r)
	if err != nil {
		return err
	}
	f, err := postForm(r)
	if err != nil {
		return err
	}
	if err := s.recordEditor(r, f, attest.RecordRisk, k.OwnerID); err != nil {
		return err
	}
	next, err := s.riskFromForm(r, f, k)
	if err == nil {
		err = s.svc.UpdateRisk(r.Context(), orgID(r), next)
	}
	if f.refuse(err) {
		return s.renderRisk(w, r, refusedStatus, k, f)
	}
	if err != nil {
		return err
	}
	msg := "Risk saved."
	if next.Treatment == attest.TreatAccept && next.AcceptedAt == nil {
		msg = fmt.Sprintf("Risk saved. Its acceptance waits for %s's approval.", next.Approver.Display())
	}
	return redirect(w, r, recordPath(attest.RecordRisk, k.ID), msg)
}

// riskApprove records the named approver's approval of an acceptance.
func (s *Server) riskApprove(w http.ResponseWriter, r *http.Request) error {
	id, err := recordID(r, attest.RecordRisk)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if _, err := s.svc.ApproveRisk(r.Context(), p.OrgID, id, p.UserID); err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordRisk, id), "Acceptance approved.")
}

// idText is a user ID as a form value ("" for none).
func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// zeroText is a number as a form value ("" for 0).
func zeroText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// url2form is a form holding the values.
func url2form(m map[string]string) *form {
	f := newForm(nil)
	for k, v := range m {
		f.Values.Set(k, v)
	}
	return f
}
