package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/regcsv"
)

// The asset and system inventory's pages: the list, and an asset's page
// with the engagements it is in scope of (an engagement's systems are
// taken from here) and the controls it evidences.

func (s *Server) assetRoutes() []route {
	return []route{
		{"GET", "/assets", session, attest.ReadData, s.assetsPage, false},
		{"GET", "/assets.csv", session, attest.ReadData, s.assetsCSV, false},
		{"POST", "/assets", session, attest.EditReadiness, s.assetCreate, false},
		{"GET", "/assets/{id}", session, attest.ReadData, s.assetPage, false},
		{"POST", "/assets/{id}", session, attest.EditOwnControl, s.assetUpdate, false},
		{"POST", "/assets/{id}/scope", session, attest.EditReadiness, s.assetScope, false},
		{"POST", "/engagements/{id}/assets", session, attest.EditReadiness, s.engagementScopeAsset, false},
	}
}

func (s *Server) assetList() registerList[*attest.Asset] {
	return registerList[*attest.Asset]{path: "/assets", sorts: attest.AssetSorts,
		find: func(r *http.Request, f attest.RegisterFilter, p attest.Page) ([]*attest.Asset, int, error) {
			f.Scope = recordScope(r)
			return s.svc.FindAssets(r.Context(), orgID(r), f, p)
		},
		codec: func(*http.Request) (regcsv.Codec[*attest.Asset], error) { return regcsv.Assets, nil }}
}

func (s *Server) assetsPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAssets(w, r, http.StatusOK, newForm(nil))
}

func (s *Server) renderAssets(w http.ResponseWriter, r *http.Request, status int, create *form) error {
	assets, list, f, err := s.assetList().page(s, r)
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
	return s.render(w, r, status, "assets", &view{Title: "Assets and systems", Nav: "assets", Data: map[string]any{
		"Assets": assets, "List": list, "Form": f, "Create": create, "Owners": owners, "Types": attest.AssetTypes, "Environments": attest.Environments,
		"Classifications": attest.Classifications, "Statuses": attest.AssetStatuses, "OwnerFilter": f.Get("owner"),
	}})
}

func (s *Server) assetsCSV(w http.ResponseWriter, r *http.Request) error {
	return s.assetList().csv(s, w, r, "assets.csv")
}

// assetFromForm reads an asset's fields from a form onto base.
func (s *Server) assetFromForm(r *http.Request, f *form, base *attest.Asset) (*attest.Asset, error) {
	a := *base
	a.Name, a.Type, a.Description, a.Environment = f.Get("name"), f.Get("type"), f.Get("description"), f.Get("environment")
	a.Classification, a.Integrations = f.Get("classification"), f.Get("integrations")
	if st := f.Get("status"); st != "" {
		a.Status = st
	}
	var err error
	if a.OwnerID, err = s.formPerson(r, f, "owner"); err != nil {
		return nil, err
	}
	if a.ReviewedOn, err = formDate(f, "reviewed_on"); err != nil {
		return nil, err
	}
	return &a, nil
}

func (s *Server) assetCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := postForm(r)
	if err != nil {
		return err
	}
	a, err := s.assetFromForm(r, f, &attest.Asset{})
	if err == nil {
		err = s.svc.CreateAsset(r.Context(), orgID(r), a)
	}
	if f.refuse(err) {
		return s.renderAssets(w, r, refusedStatus, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordAsset, a.ID), "Asset added to the inventory.")
}

func (s *Server) assetByPath(r *http.Request) (*attest.Asset, error) {
	id, err := recordID(r, attest.RecordAsset)
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, string(attest.RecordAsset), id); err != nil {
		return nil, err
	}
	return s.svc.FindAssetByID(r.Context(), orgID(r), id)
}

func (s *Server) assetPage(w http.ResponseWriter, r *http.Request) error {
	a, err := s.assetByPath(r)
	if err != nil {
		return err
	}
	f := url2form(map[string]string{"name": a.Name, "type": a.Type, "description": a.Description, "owner": idText(a.OwnerID), "environment": a.Environment,
		"classification": a.Classification, "integrations": a.Integrations, "status": a.Status, "reviewed_on": string(a.ReviewedOn)})
	return s.renderAsset(w, r, http.StatusOK, a, f)
}

func (s *Server) renderAsset(w http.ResponseWriter, r *http.Request, status int, a *attest.Asset, f *form) error {
	engagements, err := s.svc.FindEngagements(r.Context(), orgID(r))
	if err != nil {
		return err
	}
	names := map[int64]string{}
	var open []*attest.Engagement
	for _, e := range engagements {
		names[e.ID] = e.Name
		if !containsInt(a.Engagements, e.ID) && !e.Archived() {
			open = append(open, e)
		}
	}
	data := map[string]any{"Asset": a, "Form": f, "Types": attest.AssetTypes, "Environments": attest.Environments, "Classifications": attest.Classifications,
		"Statuses": attest.AssetStatuses, "EngagementNames": names, "Unscoped": open}
	data["CanEdit"], data["OwnerFixed"] = s.mayEditRecord(r, a.OwnerID), !principalFrom(r.Context()).Can(attest.EditReadiness, s.Now())
	if err := s.recordData(r, attest.RecordAsset, a.ID, data); err != nil {
		return err
	}
	return s.render(w, r, status, "asset", &view{Title: a.Name, Nav: "assets", Data: data})
}

func containsInt(xs []int64, x int64) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func (s *Server) assetUpdate(w http.ResponseWriter, r *http.Request) error {
	a, err := s.assetByPath(r)
	if err != nil {
		return err
	}
	f, err := postForm(r)
	if err != nil {
		return err
	}
	if err := s.recordEditor(r, f, attest.RecordAsset, a.OwnerID); err != nil {
		return err
	}
	next, err := s.assetFromForm(r, f, a)
	if err == nil {
		err = s.svc.UpdateAsset(r.Context(), orgID(r), next)
	}
	if f.refuse(err) {
		return s.renderAsset(w, r, refusedStatus, a, f)
	}
	if err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordAsset, a.ID), "Asset saved.")
}

// assetScope puts the asset in an engagement's systems in scope.
func (s *Server) assetScope(w http.ResponseWriter, r *http.Request) error {
	id, err := recordID(r, attest.RecordAsset)
	if err != nil {
		return err
	}
	eng, err := strconv.ParseInt(r.PostFormValue("engagement_id"), 10, 64)
	if err != nil {
		return attest.FieldErrorf("engagement_id", "choose an engagement")
	}
	if _, err := s.svc.ScopeAsset(r.Context(), orgID(r), eng, id); err != nil {
		return err
	}
	return redirect(w, r, recordPath(attest.RecordAsset, id), "The asset is now a system in the engagement's scope.")
}

// inventoryFor lists the active assets an engagement does not hold yet,
// for its page's "from the inventory" form (the editors' only).
func (s *Server) inventoryFor(r *http.Request, e *attest.Engagement) ([]*attest.Asset, error) {
	if !principalFrom(r.Context()).Can(attest.EditReadiness, s.Now()) {
		return nil, nil
	}
	assets, _, err := s.svc.FindAssets(r.Context(), orgID(r), attest.RegisterFilter{Status: "active"}, attest.Page{Limit: attest.MaxPageSize})
	if err != nil {
		return nil, err
	}
	var out []*attest.Asset
	for _, a := range assets {
		if !containsInt(a.Engagements, e.ID) {
			out = append(out, a)
		}
	}
	return out, nil
}

// engagementScopeAsset adds an asset of the inventory to the engagement's
// systems in scope, from the engagement's page.
func (s *Server) engagementScopeAsset(w http.ResponseWriter, r *http.Request) error {
	eng, err := pathID(r, "id")
	if err != nil {
		return err
	}
	asset, err := strconv.ParseInt(r.PostFormValue("asset_id"), 10, 64)
	if err != nil {
		return attest.FieldErrorf("asset_id", "choose an asset of the inventory")
	}
	if _, err := s.svc.ScopeAsset(r.Context(), orgID(r), eng, asset); err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/engagements/%d", eng), "The system is in scope, taken from the inventory.")
}
