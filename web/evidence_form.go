package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Providing evidence follows the rule of editing a control: managers
// provide for every control, control owners for the controls they own. An
// item serving several controls needs the right to each of them, and a new
// version the right to every control of the item it replaces, so that no
// one can push another owner's evidence aside.

// maxLinks caps the needs one item may serve.
const maxLinks = 50

// evidenceFromForm reads a new item from form values and checks that the
// principal may provide it: its controls and needs exist and are the
// principal's to serve, and the item it supersedes is current.
func (s *Server) evidenceFromForm(r *http.Request, v url.Values) (*attest.Evidence, error) {
	e := &attest.Evidence{Kind: attest.EvidenceKind(v.Get("kind")), Title: v.Get("title"), URL: v.Get("url"), Statement: v.Get("statement")}
	for field, d := range map[string]*attest.Date{"period_start": &e.PeriodStart, "period_end": &e.PeriodEnd, "valid_until": &e.ValidUntil} {
		var err error
		if *d, err = attest.ParseDate(v.Get(field)); err != nil {
			return nil, formError(field, err)
		}
	}
	links, err := parseLinks(v)
	if err != nil {
		return nil, err
	}
	e.Links = links
	if sup := strings.TrimSpace(v.Get("supersedes")); sup != "" {
		if e.Supersedes, err = strconv.ParseInt(sup, 10, 64); err != nil || e.Supersedes <= 0 {
			return nil, attest.Errorf(attest.EINVALID, "supersedes: %q is not an evidence ID", sup)
		}
	}
	if err := s.authorizeEvidence(r, e); err != nil {
		return nil, err
	}
	return e, nil
}

// parseLinks reads the needs an item serves: "link" values of the form
// CONTROL:NEED, and a control_id with a need.
func parseLinks(v url.Values) ([]attest.EvidenceLinkRef, error) {
	var out []attest.EvidenceLinkRef
	add := func(control, need string) error {
		n, err := strconv.Atoi(strings.TrimSpace(need))
		if err != nil || n < 0 {
			return attest.Errorf(attest.EINVALID, "need %q of control %q is not a number", need, control)
		}
		out = append(out, attest.EvidenceLinkRef{ControlID: strings.TrimSpace(control), Need: n})
		return nil
	}
	for _, l := range v["link"] {
		i := strings.LastIndexByte(l, ':')
		if i < 0 {
			return nil, attest.Errorf(attest.EINVALID, "link %q is not of the form CONTROL:NEED", l)
		}
		if err := add(l[:i], l[i+1:]); err != nil {
			return nil, err
		}
	}
	if c := v.Get("control_id"); c != "" {
		if err := add(c, v.Get("need")); err != nil {
			return nil, err
		}
	}
	if len(out) > maxLinks {
		return nil, attest.Errorf(attest.EINVALID, "an item may serve at most %d needs", maxLinks)
	}
	return out, nil
}

// authorizeEvidence checks the item's controls, needs and predecessor
// before anything is stored: an upload is refused before its bytes are
// read, not after.
func (s *Server) authorizeEvidence(r *http.Request, e *attest.Evidence) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	controls := map[string]*attest.Control{}
	check := func(id string) (*attest.Control, error) {
		if c, ok := controls[id]; ok {
			return c, nil
		}
		c, err := s.svc.FindControlByID(ctx, p.OrgID, id)
		if err != nil {
			return nil, err
		}
		if !s.mayEditControl(p, c) {
			return nil, attest.Errorf(attest.EFORBIDDEN, "only the owner of %s or a compliance manager may provide its evidence", c.ID)
		}
		controls[id] = c
		return c, nil
	}
	for _, l := range e.Links {
		c, err := check(l.ControlID)
		if err != nil {
			return err
		}
		if l.Need >= len(c.Evidence) {
			return attest.Errorf(attest.ENOTFOUND, "control %s has no evidence need %d", c.ID, l.Need)
		}
	}
	if e.Supersedes != 0 {
		old, err := s.svc.FindEvidenceByID(ctx, p.OrgID, e.Supersedes)
		if err != nil {
			return err
		}
		if old.SupersededBy != 0 {
			return attest.Errorf(attest.ECONFLICT, "evidence %d was already replaced by %d", old.ID, old.SupersededBy)
		}
		for _, l := range old.Links {
			if _, err := check(l.ControlID); err != nil {
				return err
			}
		}
	}
	return nil
}

// evidenceFields are the fields of the evidence form.
var evidenceFields = []string{"kind", "title", "period_start", "period_end", "valid_until", "url", "statement", "file"}

// refuseEvidence shows the evidence form again as typed, with the reason
// beside its field, when err is a mistake in it: on the page of the item it
// would replace, or on the control page of its first need. Any other error
// is returned as it is.
func (s *Server) refuseEvidence(w http.ResponseWriter, r *http.Request, v url.Values, err error) error {
	f := newForm(v)
	if !f.refuse(err, evidenceFields...) {
		return err
	}
	if sup := strings.TrimSpace(v.Get("supersedes")); sup != "" {
		r.SetPathValue("id", sup)
		return s.renderEvidenceItem(w, r, refusedStatus, f)
	}
	links, lerr := parseLinks(v)
	if lerr != nil || len(links) == 0 {
		return err
	}
	c, cerr := s.svc.FindControlByID(r.Context(), orgID(r), links[0].ControlID)
	if cerr != nil {
		return err
	}
	return s.renderControl(w, r, refusedStatus, c, controlForms{Evidence: f, Need: links[0].Need})
}

// saveEvidence stores the item and goes back to its first control.
func (s *Server) saveEvidence(w http.ResponseWriter, r *http.Request, e *attest.Evidence) error {
	if err := s.svc.CreateEvidence(r.Context(), orgID(r), e); err != nil {
		return err
	}
	return redirect(w, r, "/controls/"+url.PathEscape(e.Links[0].ControlID), fmt.Sprintf("Added evidence %d: %s.", e.ID, e.Title))
}

// slotNotApplicable records that a slot had nothing to prove, with the
// reason; the same people who provide a control's evidence may say so.
func (s *Server) slotNotApplicable(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	engID, err := strconv.ParseInt(r.PostFormValue("engagement_id"), 10, 64)
	if err != nil {
		return attest.Errorf(attest.ENOTFOUND, "no engagement %q", r.PostFormValue("engagement_id"))
	}
	e, err := s.engagementFor(r, engID)
	if err != nil {
		return err
	}
	c, err := s.svc.FindControlByID(ctx, p.OrgID, r.PostFormValue("control_id"))
	if err != nil {
		return err
	}
	if !s.mayEditControl(p, c) {
		return attest.Errorf(attest.EFORBIDDEN, "only the owner of %s or a compliance manager may mark its evidence not applicable", c.ID)
	}
	need, err := strconv.Atoi(r.PostFormValue("need"))
	if err != nil {
		return attest.Errorf(attest.EINVALID, "need %q is not a number", r.PostFormValue("need"))
	}
	start, err := attest.ParseDate(r.PostFormValue("period_start"))
	if err != nil {
		return formError("period_start", err)
	}
	st := &attest.SlotStatement{EngagementID: e.ID, ControlID: c.ID, Need: need, PeriodStart: start, Statement: r.PostFormValue("statement")}
	err = s.svc.MarkSlotNotApplicable(ctx, p.OrgID, st)
	if f := newForm(r.PostForm); f.refuse(err, "statement") {
		if cur, cerr := s.currentEngagement(r); cerr == nil && cur.ID == e.ID { // the control page shows that engagement's slots
			return s.renderControl(w, r, refusedStatus, c, controlForms{NA: f, NANeed: need, NAStart: start})
		}
	}
	if err != nil {
		return err
	}
	back := r.PostFormValue("back")
	if back == "" {
		back = "/controls/" + url.PathEscape(c.ID)
	}
	return redirect(w, r, safeNext(back), fmt.Sprintf("Marked %s from %s not applicable.", c.ID, start))
}
