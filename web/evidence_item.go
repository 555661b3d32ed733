package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// maxChain bounds the versions shown around an item: a chain is a handful
// of versions, and a loop in bad data must not hang the page.
const maxChain = 50

// itemRow is an item as lists show it.
type itemRow struct {
	*attest.Evidence
	Expired bool
}

// versionRef is one version of an item in its chain.
type versionRef struct {
	ID        int64
	Title     string
	CreatedAt time.Time
	Current   bool
}

// linkView is a need an item serves.
type linkView struct {
	ControlID, ControlName, What string
	Need                         int
}

// evidenceItemPage shows an item: who provided it when, for which period,
// from where, its hash, the needs it serves and its versions.
func (s *Server) evidenceItemPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderEvidenceItem(w, r, http.StatusOK, nil)
}

// renderEvidenceItem shows the item named by the path's id; refused is the
// new-version form as typed when it was refused (nil: a fresh one).
func (s *Server) renderEvidenceItem(w http.ResponseWriter, r *http.Request, status int, refused *form) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	e, err := s.evidenceFor(r)
	if err != nil {
		return err
	}
	canEdit := e.SupersededBy == 0
	var links []linkView
	var linkValues []string
	for _, l := range e.Links {
		c, err := s.svc.FindControlByID(ctx, p.OrgID, l.ControlID)
		if err != nil {
			return err
		}
		lv := linkView{ControlID: c.ID, ControlName: c.Name, Need: l.Need}
		if l.Need < len(c.Evidence) {
			lv.What = c.Evidence[l.Need].What
		}
		links = append(links, lv)
		linkValues = append(linkValues, fmt.Sprintf("%s:%d", l.ControlID, l.Need))
		canEdit = canEdit && s.mayEditControl(p, c)
	}
	versions, err := s.versions(r, e)
	if err != nil {
		return err
	}
	dir, err := s.directory(r.Context(), p.OrgID)
	if err != nil {
		return err
	}
	form := evidenceForm{Links: linkValues, Supersedes: e.ID, Start: e.PeriodStart, End: e.PeriodEnd, Kind: e.Kind, Title: e.Title}
	if refused != nil {
		form = form.refused(refused)
	}
	return s.render(w, r, status, "evidence_item", &view{Title: e.Title, Nav: "evidence", Data: map[string]any{
		"ProvidedBy": dir.actor(e.ProvidedBy), "Item": e, "Expired": e.Expired(attest.DateOf(s.Now())), "Links": links, "Versions": versions, "CanEdit": canEdit,
		"Form": form,
	}})
}

// versions returns the item's chain, oldest first, with the versions the
// principal may not see left out.
func (s *Server) versions(r *http.Request, e *attest.Evidence) ([]versionRef, error) {
	windows, all, err := s.evidenceWindows(r)
	if err != nil {
		return nil, err
	}
	var older, newer []versionRef
	walk := func(id int64, next func(*attest.Evidence) int64, out *[]versionRef) error {
		for n := 0; id != 0 && n < maxChain; n++ {
			it, err := s.svc.FindEvidenceByID(r.Context(), orgID(r), id)
			if err != nil {
				return err
			}
			if all || inWindows(it, windows) {
				*out = append(*out, versionRef{ID: it.ID, Title: it.Title, CreatedAt: it.CreatedAt})
			}
			id = next(it)
		}
		return nil
	}
	if err := walk(e.Supersedes, func(it *attest.Evidence) int64 { return it.Supersedes }, &older); err != nil {
		return nil, err
	}
	if err := walk(e.SupersededBy, func(it *attest.Evidence) int64 { return it.SupersededBy }, &newer); err != nil {
		return nil, err
	}
	out := make([]versionRef, 0, len(older)+1+len(newer))
	for i := len(older) - 1; i >= 0; i-- {
		out = append(out, older[i])
	}
	out = append(out, versionRef{ID: e.ID, Title: e.Title, CreatedAt: e.CreatedAt, Current: true})
	return append(out, newer...), nil
}

// A control's page lists its newest items and, per period, the first
// items that cover it: a control collected from daily has thousands.
const (
	itemsShown     = 50
	slotItemsShown = 3
)

// evidenceForm is what the evidence form is filled with.
type evidenceForm struct {
	Links      []string
	What       string
	Supersedes int64
	Start, End attest.Date
	Kind       attest.EvidenceKind
	Title      string
	// Open is set for the form of the need a "provide" link named (or the
	// first), so that the page opens on it.
	Open bool
	// The rest is set when the form comes back refused: the other values
	// typed and the messages (Errs is nil otherwise).
	ValidUntil, URL, Statement string
	Errs                       *form
}

// refused returns the form filled with what was typed in f, open.
func (ef evidenceForm) refused(f *form) evidenceForm {
	ef.Title, ef.Kind = f.Get("title"), attest.EvidenceKind(f.Get("kind"))
	ef.Start, ef.End = attest.Date(f.Get("period_start")), attest.Date(f.Get("period_end"))
	ef.ValidUntil, ef.URL, ef.Statement, ef.Errs, ef.Open = f.Get("valid_until"), f.Get("url"), f.Get("statement"), f, true
	return ef
}

// controlEvidence is the evidence part of a control's page: the control's
// requests in the current engagement, its items newest first, and a form
// per evidence need. It reads this control's evidence only. ?need= and
// ?slot= (the start of a period) name the slot a "provide" link came
// from: that need's form opens on that period. A form in cf that was
// refused comes back as typed, open, in place of its need's.
func (s *Server) controlEvidence(r *http.Request, c *attest.Control, cf controlForms) (map[string]any, error) {
	ctx := r.Context()
	p := principalFrom(ctx)
	all, total, err := s.svc.RecentEvidence(ctx, p.OrgID, c.ID, itemsShown)
	if err != nil {
		return nil, err
	}
	windows, seesAll, err := s.evidenceWindows(r)
	if err != nil {
		return nil, err
	}
	today := attest.DateOf(s.Now())
	var items []itemRow
	for _, it := range all {
		if seesAll || inWindows(it, windows) {
			items = append(items, itemRow{Evidence: it, Expired: it.Expired(today)})
		}
	}
	q := r.URL.Query()
	wantNeed, err := strconv.Atoi(q.Get("need"))
	if err != nil || wantNeed < 0 || wantNeed >= len(c.Evidence) {
		wantNeed = 0
	}
	wantSlot, _ := attest.ParseDate(q.Get("slot"))
	forms := make([]evidenceForm, len(c.Evidence))
	for i, need := range c.Evidence {
		forms[i] = evidenceForm{Links: []string{fmt.Sprintf("%s:%d", c.ID, i)}, What: need.What, Kind: attest.EvidenceFile, Open: i == wantNeed}
	}
	data := map[string]any{"Items": items, "Forms": forms, "ItemsTotal": total, "ItemsMore": total > len(all),
		"NA": cf.NA, "NANeed": cf.NANeed, "NAStart": cf.NAStart, "Refused": cf.Evidence != nil}
	// A refused form keeps what was typed in it, whatever the defaults,
	// and is the one open.
	defer func() {
		if cf.Evidence != nil && cf.Need >= 0 && cf.Need < len(forms) {
			for i := range forms {
				forms[i].Open = false
			}
			forms[cf.Need] = forms[cf.Need].refused(cf.Evidence)
		}
	}()
	e, err := s.currentEngagement(r)
	if attest.ErrorCode(err) == attest.ENOTFOUND {
		return data, nil // no engagement yet: no requests
	} else if err != nil {
		return nil, err
	}
	reqs, err := s.svc.ControlRequests(ctx, p.OrgID, e, []*attest.Control{c})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, rq := range reqs {
		for _, sl := range rq.Slots {
			ids = append(ids, sl.Evidence[:min(len(sl.Evidence), slotItemsShown)]...)
		}
	}
	titles, err := s.svc.EvidenceTitles(ctx, p.OrgID, ids)
	if err != nil {
		return nil, err
	}
	rows, cov := requestRows(reqs, titles)
	statements, err := s.svc.FindSlotStatements(ctx, p.OrgID, e.ID)
	if err != nil {
		return nil, err
	}
	by := map[string]string{}
	for _, st := range statements {
		if st.ControlID == c.ID {
			by[fmt.Sprintf("%d %s", st.Need, st.PeriodStart)] = fmt.Sprintf("%s on %s", strings.TrimPrefix(st.By, "user:"), st.At.UTC().Format("2006-01-02"))
		}
	}
	pops, err := s.populations(ctx, p.OrgID, []*attest.RequestGroup{{Requests: reqs}}, today)
	if err != nil {
		return nil, err
	}
	for i := range rows {
		for j := range rows[i].Slots {
			sl := &rows[i].Slots[j]
			if sl.State == attest.SlotNotApplicable {
				sl.StatementBy = by[fmt.Sprintf("%d %s", rows[i].Need, sl.Start)]
			}
			sl.Population = pops[populationKey{c.ID, rows[i].Need, sl.Start}]
		}
	}
	// Each form proposes one slot of its need: the one the link named,
	// else the earliest missing one, else the running one; never the
	// whole window, which would claim periods that have not begun.
	for _, rq := range reqs {
		slot := attest.Date("")
		if rq.Need == wantNeed {
			slot = wantSlot
		}
		if sl := rq.ProvideSlot(slot, today); sl != nil && rq.Need < len(forms) {
			forms[rq.Need].Start, forms[rq.Need].End = sl.Start, sl.End
		}
	}
	data["Engagement"], data["Requests"], data["Coverage"] = e, rows, cov
	return data, nil
}
