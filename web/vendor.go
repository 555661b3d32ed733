package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// The vendor inventory's pages: the list, and a vendor's page with its
// assurance reports (evidence items with their period and expiry), its
// reviews and their findings, and the controls it evidences.

func (s *Server) vendorRoutes() []route {
	return []route{
		{"GET", "/vendors", session, attest.ReadData, s.vendorsPage, false},
		{"GET", "/vendors.csv", session, attest.ReadData, s.vendorsCSV, false},
		{"POST", "/vendors", session, attest.EditReadiness, s.vendorCreate, false},
		{"GET", "/vendors/{id}", session, attest.ReadData, s.vendorPage, false},
		{"POST", "/vendors/{id}", session, attest.EditOwnControl, s.vendorUpdate, false},
		{"POST", "/vendors/{id}/reports", session, attest.EditReadiness, s.vendorReport, false},
		{"POST", "/vendors/{id}/reviews", session, attest.EditReadiness, s.vendorReview, false},
	}
}

func (s *Server) vendorList() registerList[*attest.Vendor] {
	return registerList[*attest.Vendor]{path: "/vendors", sorts: attest.VendorSorts,
		find: func(r *http.Request, f attest.RegisterFilter, p attest.Page) ([]*attest.Vendor, int, error) {
			f.Scope = recordScope(r)
			return s.svc.FindVendors(r.Context(), orgID(r), f, p)
		},
		codec: func(*http.Request) (regcsv.Codec[*attest.Vendor], error) { return regcsv.Vendors, nil }}
}

func (s *Server) vendorsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderVendors(w, r, http.StatusOK, newForm(nil))
}

func (s *Server) renderVendors(w http.ResponseWriter, r *http.Request, status int, create *form) error {
	vendors, list, f, err := s.vendorList().page(s, r)
	if err != nil {
		return err
	}
	if f.Invalid() && status == http.StatusOK {
		status = refusedStatus
	}
	owners, err := s.svc.FindOwners(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	return s.render(w, r, status, "vendors", &view{Title: "Vendors", Nav: "vendors", Data: map[string]any{
		"Vendors": vendors, "List": list, "Form": f, "Create": create, "Owners": owners, "Tiers": attest.VendorTiers, "Statuses": attest.VendorStatuses,
		"OwnerFilter": f.Get("owner"),
	}})
}

func (s *Server) vendorsCSV(w http.ResponseWriter, r *http.Request) error {
	return s.vendorList().csv(s, w, r, "vendors.csv")
}

// vendorFromForm reads a vendor's fields from a form onto base.
func (s *Server) vendorFromForm(r *http.Request, f *form, base *attest.Vendor) (*attest.Vendor, error) {
	v := *base
	v.Name, v.Service, v.DataShared, v.Tier = f.Get("name"), f.Get("service"), f.Get("data_shared"), f.Get("tier")
	v.Subservice, v.ComplementaryControls = f.Get("subservice") != "", f.Get("complementary_controls")
	if st := f.Get("status"); st != "" {
		v.Status = st
	}
	var err error
	if v.OwnerID, err = s.formPerson(r, f, "owner"); err != nil {
		return nil, err
	}
	if v.ContractStart, err = formDate(f, "contract_start"); err != nil {
		return nil, err
	}
	if v.ContractEnd, err = formDate(f, "contract_end"); err != nil {
		return nil, err
	}
	return &v, nil
}

func (s *Server) vendorCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := postForm(r)
	if err != nil {
		return err
	}
	v, err := s.vendorFromForm(r, f, &attest.Vendor{})
	if err == nil {
		err = s.svc.CreateVendor(r.Context(), orgID(r), v)
	}
	if f.refuse(err) {
		return s.renderVendors(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordVendor, v.ID), "Vendor added; its first review is due today.")
}

func (s *Server) vendorByPath(r *http.Request) (*attest.Vendor, error) {
	id, err := recordID(r, attest.RecordVendor)
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, string(attest.RecordVendor), id); err != nil {
		return nil, err
	}
	return s.svc.FindVendorByID(r.Context(), orgID(r), id)
}

func (s *Server) vendorPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.vendorByPath(r)
	if err != nil {
		return err
	}
	sub := ""
	if v.Subservice {
		sub = "on"
	}
	f := url2form(map[string]string{"name": v.Name, "service": v.Service, "data_shared": v.DataShared, "tier": v.Tier, "owner": idText(v.OwnerID),
		"contract_start": string(v.ContractStart), "contract_end": string(v.ContractEnd), "subservice": sub, "complementary_controls": v.ComplementaryControls, "status": v.Status})
	return s.renderVendor(w, r, http.StatusOK, v, f, newForm(nil))
}

// renderVendor shows a vendor's page: f is the edit form, sub a refused
// report or review form.
func (s *Server) renderVendor(w http.ResponseWriter, r *http.Request, status int, v *attest.Vendor, f, sub *form) error {
	ctx, org := r.Context(), orgID(r)
	reports, err := s.svc.FindVendorReports(ctx, org, v.ID)
	if err != nil {
		return err
	}
	reviews, err := s.svc.FindRecordEvents(ctx, org, attest.EventVendorReview, v.ID)
	if err != nil {
		return err
	}
	data := map[string]any{"Vendor": v, "Form": f, "Sub": sub, "Reports": reports, "Reviews": reviews, "Tiers": attest.VendorTiers,
		"Statuses": attest.VendorStatuses, "ReportKinds": attest.ReportKinds, "ReviewMonths": attest.ReviewMonths(v.Tier), "Expired": v.ReportExpired(attest.DateOf(s.Now()))}
	data["CanEdit"], data["OwnerFixed"] = s.mayEditRecord(r, v.OwnerID), !principalFrom(r.Context()).Can(attest.EditReadiness, s.Now())
	if err := s.recordData(r, attest.RecordVendor, v.ID, data); err != nil {
		return err
	}
	return s.render(w, r, status, "vendor", &view{Title: v.Name, Nav: "vendors", Data: data})
}

func (s *Server) vendorUpdate(w http.ResponseWriter, r *http.Request) error {
	v, err := s.vendorByPath(r)
	if err != nil {
		return err
	}
	f, err := postForm(r)
	if err != nil {
		return err
	}
	if err := s.recordEditor(r, f, attest.RecordVendor, v.OwnerID); err != nil {
		return err
	}
	next, err := s.vendorFromForm(r, f, v)
	if err == nil {
		err = s.svc.UpdateVendor(r.Context(), orgID(r), next)
	}
	if f.refuse(err) {
		return s.renderVendor(w, r, refusedStatus, v, f, newForm(nil))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordVendor, v.ID), "Vendor saved.")
}

// vendorReport records an assurance report held as an evidence item.
func (s *Server) vendorReport(w http.ResponseWriter, r *http.Request) error {
	v, err := s.vendorByPath(r)
	if err != nil {
		return err
	}
	f, err := postForm(r)
	if err != nil {
		return err
	}
	rep := &attest.VendorReport{VendorID: v.ID, Kind: f.Get("kind")}
	ev, err := strconv.ParseInt(strings.TrimSpace(f.Get("evidence_id")), 10, 64)
	if err != nil {
		err = attest.FieldErrorf("evidence_id", "give the number of the evidence item holding the report (upload it on the evidence page first)")
	}
	rep.EvidenceID = ev
	if err == nil {
		rep.Expires, err = formDate(f, "expires")
	}
	if err == nil {
		err = s.svc.AddVendorReport(r.Context(), orgID(r), rep)
	}
	if f.refuse(err) {
		return s.renderVendor(w, r, refusedStatus, v, newForm(nil), f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordVendor, v.ID), "Assurance report recorded.")
}

// vendorReview records a review of the vendor with its findings.
func (s *Server) vendorReview(w http.ResponseWriter, r *http.Request) error {
	v, err := s.vendorByPath(r)
	if err != nil {
		return err
	}
	f, err := postForm(r)
	if err != nil {
		return err
	}
	ev := &attest.RecordEvent{Kind: attest.EventVendorReview, RecordID: v.ID, Summary: f.Get("summary"), Findings: f.Get("findings")}
	ev.OccurredAt, err = formTime(f, "date")
	if err == nil {
		ev.Participants, err = s.formPeople(r, f, "participants")
	}
	if err == nil {
		ev.NextDue, err = formDate(f, "next_due")
	}
	if err == nil {
		err = s.svc.AddRecordEvent(r.Context(), orgID(r), ev)
	}
	if f.refuse(err) {
		return s.renderVendor(w, r, refusedStatus, v, newForm(nil), f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordVendor, v.ID), "Review recorded; the next one is due "+string(ev.NextDue)+".")
}
