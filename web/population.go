package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Populations: every hire, leaver, access grant and removal, change and
// internal test of a period, complete, for the auditor to sample from.

func (s *Server) population(r *http.Request) (*attest.Population, error) {
	q := r.URL.Query()
	from, err := queryDate(q, "from")
	if err != nil {
		return nil, err
	}
	to, err := queryDate(q, "to")
	if err != nil {
		return nil, err
	}
	if err := s.auditorPeriod(r, from, to); err != nil {
		return nil, err
	}
	kind := q.Get("kind")
	return s.svc.FindPopulation(r.Context(), orgID(r), kind, from, to)
}

// grantedWindows are the observation windows (RecordScope's) of the
// engagements granted to an auditor, in the order granted.
func (s *Server) grantedWindows(r *http.Request) ([][2]attest.Date, error) {
	var out [][2]attest.Date
	for _, id := range principalFrom(r.Context()).Engagements {
		e, err := s.svc.FindEngagementByID(r.Context(), orgID(r), id)
		if attest.ErrorCode(err) == attest.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		if from, to, ok := attest.ScopeWindow(e); ok {
			out = append(out, [2]attest.Date{from, to})
		}
	}
	return out, nil
}

// auditorPeriod refuses an auditor a population of a period that is not
// within the window of an engagement granted to them: the records of
// other periods are not theirs to see (RecordScope).
func (s *Server) auditorPeriod(r *http.Request, from, to attest.Date) error {
	if !recordScope(r).Scoped {
		return nil
	}
	windows, err := s.grantedWindows(r)
	if err != nil {
		return err
	}
	var names []string
	for _, w := range windows {
		if !from.IsZero() && !to.IsZero() && !from.Before(w[0]) && !w[1].Before(to) {
			return nil
		}
		names = append(names, string(w[0])+" to "+string(w[1]))
	}
	if len(names) == 0 {
		return attest.Errorf(attest.ENOTFOUND, "no engagement with a window is shared with you")
	}
	return attest.FieldErrorf("from", "choose a period within the observation window shared with you: %s", strings.Join(names, " or "))
}

func (s *Server) populationsPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := newForm(q)
	var pop *attest.Population
	status := http.StatusOK
	if q.Get("kind") != "" {
		var err error
		if pop, err = s.population(r); err != nil {
			if !f.refuse(err) {
				return err
			}
			status = refusedStatus
		}
	}
	if len(q) == 0 {
		today := attest.DateOf(s.Now())
		f.Values.Set("from", string(today.AddMonths(-12)))
		f.Values.Set("to", string(today))
		if recordScope(r).Scoped { // an auditor starts from their window
			windows, err := s.grantedWindows(r)
			if err != nil {
				return err
			}
			if len(windows) > 0 {
				f.Values.Set("from", string(windows[len(windows)-1][0]))
				f.Values.Set("to", string(windows[len(windows)-1][1]))
			}
		}
	}
	return s.render(w, r, status, "populations", &view{Title: "Populations", Nav: "records", Data: map[string]any{"Form": f, "Pop": pop, "Kinds": attest.PopulationKinds}})
}

// populationCSV downloads a population; its first line states the filter
// that built it, so the file says what it is complete for.
func (s *Server) populationCSV(w http.ResponseWriter, r *http.Request) error {
	p, err := s.population(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+p.FileName()+`"`)
	w.Header().Set("Cache-Control", "no-store")
	return p.WriteCSV(w)
}

// apiPopulation is GET /api/v1/populations?kind=&from=&to=: the hires of
// the last twelve months unless asked for another.
func (s *Server) apiPopulation(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	today := attest.DateOf(s.Now())
	from, to := today.AddMonths(-12), today
	if recordScope(r).Scoped { // an auditor's default is their window
		windows, err := s.grantedWindows(r)
		if err != nil {
			return err
		}
		if len(windows) > 0 {
			from, to = windows[len(windows)-1][0], windows[len(windows)-1][1]
		}
	}
	for k, v := range map[string]string{"kind": "hires", "from": string(from), "to": string(to)} {
		if q.Get(k) == "" {
			q.Set(k, v)
		}
	}
	r.URL.RawQuery = q.Encode()
	p, err := s.population(r)
	if err != nil {
		return err
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(p.Rows)))
	return writeJSON(w, http.StatusOK, p)
}
