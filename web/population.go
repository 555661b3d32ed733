package web

import (
	"net/http"
	"strconv"

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
	kind := q.Get("kind")
	return s.svc.FindPopulation(r.Context(), orgID(r), kind, from, to)
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
	for k, v := range map[string]string{"kind": "hires", "from": string(today.AddMonths(-12)), "to": string(today)} {
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
