package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Training campaigns: the material, who must complete it by when, and the
// completion records (an in-app acknowledgement or an uploaded
// certificate kept as evidence); the overdue list shows who is late.

func (s *Server) trainingRegister() register {
	return register{Name: "training", Heading: "Training", Noun: "campaigns", Path: "/training", Sorts: attest.TrainingSorts,
		Intro:     "Security awareness every year and role-specific training: who must complete what by when, and who has.",
		Cols:      []regCol{{"title", "Campaign"}, {"", "Kind"}, {"due_date", "Due"}, {"", "Assigned"}, {"", "Completed"}, {"", "Control"}},
		Filters:   []regFilter{{Name: "kind", Label: "Kind", Kind: "select", Options: [][2]string{{"", "any"}, {"awareness", "awareness"}, {"role", "role-specific"}}}},
		CSVHeader: []string{"id", "title", "kind", "material", "due_date", "assigned", "completed", "control_id"},
		find: func(r *http.Request, q url.Values, p attest.Page) ([][]regCell, [][]string, any, int, error) {
			cs, total, err := s.svc.FindTrainingPage(r.Context(), orgID(r), attest.TrainingFilter{Search: q.Get("q"), Kind: q.Get("kind"), Scope: recordScope(r)}, p)
			if err != nil {
				return nil, nil, nil, 0, err
			}
			today := attest.DateOf(s.Now())
			rows, csv := make([][]regCell, len(cs)), make([][]string, len(cs))
			for i, c := range cs {
				badge := ""
				if c.DueDate.Before(today) && c.Completed < c.Assigned {
					badge = "overdue"
				}
				rows[i] = []regCell{{Text: c.Title, Href: fmt.Sprintf("/training/%d", c.ID), Badge: badge}, {Text: c.Kind}, {Text: string(c.DueDate)},
					{Text: strconv.Itoa(c.Assigned)}, {Text: strconv.Itoa(c.Completed)}, {Text: c.ControlID, Href: controlHref(c.ControlID)}}
				csv[i] = []string{idText(c.ID), c.Title, c.Kind, c.Material, string(c.DueDate), strconv.Itoa(c.Assigned), strconv.Itoa(c.Completed), c.ControlID}
			}
			return rows, csv, cs, total, nil
		}}
}

func controlHref(id string) string {
	if id == "" {
		return ""
	}
	return "/controls/" + id
}

func (s *Server) trainingCreate(w http.ResponseWriter, r *http.Request) error {
	c := &attest.TrainingCampaign{Title: r.PostFormValue("title"), Kind: r.PostFormValue("kind"), Material: r.PostFormValue("material"), ControlID: r.PostFormValue("control_id")}
	var err error
	if c.DueDate, err = postedDate(r, "due_date"); err == nil {
		err = s.svc.CreateTrainingCampaign(r.Context(), orgID(r), c)
	}
	if err == nil && r.PostFormValue("assign_all") != "" {
		_, err = s.svc.AssignTraining(r.Context(), orgID(r), c.ID, nil)
	}
	if err != nil {
		return s.refuseRegister(w, r, s.trainingRegister(), err)
	}
	return redirect(w, r, fmt.Sprintf("/training/%d", c.ID), "Campaign created.")
}

func (s *Server) trainingByPath(r *http.Request) (*attest.TrainingCampaign, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	if err := s.seeRecord(r, attest.ScopeTraining, id); err != nil {
		return nil, err
	}
	return s.svc.FindTrainingCampaign(r.Context(), orgID(r), id)
}

func (s *Server) trainingPage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.trainingByPath(r)
	if err != nil {
		return err
	}
	return s.renderTraining(w, r, http.StatusOK, c, "")
}

func (s *Server) renderTraining(w http.ResponseWriter, r *http.Request, status int, c *attest.TrainingCampaign, problem string) error {
	as, err := s.svc.FindTrainingAssignments(r.Context(), orgID(r), c.ID)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	var mine *attest.TrainingAssignment
	for _, a := range as {
		if p.Email != "" && strings.EqualFold(a.Email, p.Email) {
			mine = a
		}
	}
	return s.render(w, r, status, "training_campaign", &view{Title: c.Title, Nav: "records", Data: map[string]any{
		"Campaign": c, "Assignments": as, "Mine": mine, "Problem": problem, "Today": attest.DateOf(s.Now()),
	}})
}

// trainingAssign assigns every active person of the roster, or those listed.
func (s *Server) trainingAssign(w http.ResponseWriter, r *http.Request) error {
	c, err := s.trainingByPath(r)
	if err != nil {
		return err
	}
	var ids []int64
	for _, v := range r.PostForm["person"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return s.renderTraining(w, r, refusedStatus, c, fmt.Sprintf("%q is not a person of the roster", v))
		}
		ids = append(ids, id)
	}
	n, err := s.svc.AssignTraining(r.Context(), orgID(r), c.ID, ids)
	if attest.ErrorCode(err) == attest.EINVALID {
		return s.renderTraining(w, r, refusedStatus, c, attest.ErrorMessage(err))
	}
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/training/%d", c.ID), fmt.Sprintf("%d people assigned.", n))
}

// trainingAcknowledge records the signed-in member's own completion.
func (s *Server) trainingAcknowledge(w http.ResponseWriter, r *http.Request) error {
	c, err := s.trainingByPath(r)
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	as, err := s.svc.FindTrainingAssignments(r.Context(), p.OrgID, c.ID)
	if err != nil {
		return err
	}
	for _, a := range as {
		if p.Email != "" && strings.EqualFold(a.Email, p.Email) {
			if _, err := s.svc.CompleteTraining(r.Context(), p.OrgID, a.ID, attest.DateOf(s.Now()), attest.CompletedAcknowledged, 0); err != nil {
				return err
			}
			back := fmt.Sprintf("/training/%d", c.ID)
			if !p.Can(attest.ReadData, s.Now()) {
				back = "/my-training"
			}
			return redirect(w, r, back, "Thank you: your completion is recorded.")
		}
	}
	return s.renderTraining(w, r, refusedStatus, c, "this training is not assigned to you")
}

// trainingComplete records someone's completion: an acknowledgement, or a
// certificate uploaded as evidence (its item number).
func (s *Server) trainingComplete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var ev int64
	if v := strings.TrimSpace(r.PostFormValue("evidence_id")); v != "" {
		if ev, err = strconv.ParseInt(v, 10, 64); err != nil {
			return attest.FieldErrorf("evidence_id", "evidence is named by its number")
		}
		if _, err := s.svc.FindEvidenceByID(r.Context(), orgID(r), ev); err != nil {
			return attest.FieldErrorf("evidence_id", "no evidence item %d", ev)
		}
	}
	day, err := postedDate(r, "completed_on")
	if err != nil {
		return err
	}
	if day.IsZero() {
		day = attest.DateOf(s.Now())
	}
	a, err := s.svc.CompleteTraining(r.Context(), orgID(r), id, day, r.PostFormValue("method"), ev)
	if err != nil {
		return err
	}
	return redirect(w, r, fmt.Sprintf("/training/%d", a.CampaignID), "Completion recorded for "+a.Person+".")
}

// myTrainingPage lists the signed-in member's own training, with a button
// to record each one done: employees, who see no registers, complete
// their training here.
func (s *Server) myTrainingPage(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	var as []*attest.TrainingAssignment
	if p.Email != "" {
		var err error
		if as, err = s.svc.FindTrainingOf(r.Context(), p.OrgID, p.Email); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "my_training", &view{Title: "My training", Nav: "my-training", Data: map[string]any{"Assignments": as, "Today": attest.DateOf(s.Now())}})
}
