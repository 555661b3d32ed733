package attest

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// A population is every event of a kind within a period, as the auditor
// samples it for a Type II report: complete, and with the filter that
// built it, so the auditor can check nothing was left out.

// PopulationKinds are the populations Attest exports.
var PopulationKinds = []string{"hires", "leavers", "access-grants", "access-removals", "changes", "internal-tests"}

// Population is one population's rows.
type Population struct {
	Kind string `json:"kind"`
	From Date   `json:"from"`
	To   Date   `json:"to"`
	// Filter says in words how the rows were selected.
	Filter string     `json:"filter"`
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// CheckPopulation validates a population request.
func CheckPopulation(kind string, from, to Date) error {
	if !containsString(PopulationKinds, kind) {
		return FieldErrorf("kind", "unknown population %q (one of %v)", kind, PopulationKinds)
	}
	if from.IsZero() || to.IsZero() || !from.Valid() || !to.Valid() {
		return FieldErrorf("from", "a population covers a period: give from and to (YYYY-MM-DD)")
	}
	if to.Before(from) {
		return FieldErrorf("to", "the period ends (%s) before it starts (%s)", to, from)
	}
	return nil
}

// PopulationFilter describes the selection of a population in words.
func PopulationFilter(kind string, from, to Date) string {
	what := map[string]string{
		"hires":           "roster people whose start date is",
		"leavers":         "roster people whose end date is",
		"access-grants":   "onboarding checklist account items done",
		"access-removals": "offboarding checklist account items done, and access review revocations or changes carried out,",
		"changes":         "change records implemented",
		"internal-tests":  "internal control tests performed",
	}[kind]
	return fmt.Sprintf("%s: all %s from %s to %s inclusive", kind, what, from, to)
}

// PopulationService builds populations.
type PopulationService interface {
	FindPopulation(ctx context.Context, orgID int64, kind string, from, to Date) (*Population, error)
	// CountPopulation returns how many rows FindPopulation would return.
	CountPopulation(ctx context.Context, orgID int64, kind string, from, to Date) (int, error)
}

// WithPopulations returns controls with the population of each library
// need filled in from the framework's library where the stored copy has
// none: organizations copied the library before needs named their
// populations, and a need the organization has not reworded is the
// library's. Custom controls and reworded needs are left as stored. The
// controls given are not modified; a control that gains a population is
// a copy.
func WithPopulations(fw *Framework, controls []*Control) []*Control {
	if fw == nil {
		return controls
	}
	var lib map[string]*Control
	out, copied := controls, false
	for i, c := range controls {
		if c.Custom {
			continue
		}
		if lib == nil {
			lib = make(map[string]*Control, len(fw.Controls))
			for _, l := range fw.Controls {
				lib[l.ID] = l
			}
		}
		l := lib[c.ID]
		if l == nil {
			continue
		}
		var needs []EvidenceNeed
		for j, n := range c.Evidence {
			if n.Population != "" || j >= len(l.Evidence) || l.Evidence[j].Population == "" || l.Evidence[j].What != n.What {
				continue
			}
			if needs == nil {
				needs = append([]EvidenceNeed(nil), c.Evidence...)
			}
			needs[j].Population = l.Evidence[j].Population
		}
		if needs == nil {
			continue
		}
		if !copied {
			out, copied = append([]*Control(nil), controls...), true
		}
		cp := *c
		cp.Evidence = needs
		out[i] = &cp
	}
	return out
}

// NeedFor is the index of the control's evidence need that a record of a
// population kind serves: the need listing that population, else the
// first per-event need, else the first need; -1 when the control has no
// need at all.
func NeedFor(c *Control, kind string) int {
	if len(c.Evidence) == 0 {
		return -1
	}
	for i, n := range c.Evidence {
		if kind != "" && n.Population == kind {
			return i
		}
	}
	for i, n := range c.Evidence {
		if n.Frequency == PerEvent {
			return i
		}
	}
	return 0
}

// PopulationLink is where the request list points for one period of a
// population: its page and its CSV.
func PopulationLink(kind string, from, to Date) (page, csv string) {
	q := "?kind=" + kind + "&from=" + string(from) + "&to=" + string(to)
	return "/populations" + q, "/populations.csv" + q
}

// WriteCSV writes the population as formula-safe CSV. Its first line
// states the filter that built it and how many rows follow, so the file
// says what it is complete for wherever it travels.
func (p *Population) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"# population", CSVSafe(p.Filter), "rows", strconv.Itoa(len(p.Rows))})
	cw.Write(p.Header)
	for _, row := range p.Rows {
		out := make([]string, len(row))
		for i, v := range row {
			out[i] = CSVSafe(v)
		}
		cw.Write(out)
	}
	cw.Flush()
	return cw.Error()
}

// FileName is the population's file name: population-<kind>-<from>-<to>.csv.
func (p *Population) FileName() string {
	return "population-" + p.Kind + "-" + string(p.From) + "-" + string(p.To) + ".csv"
}
