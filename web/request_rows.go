package web

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// Rows of the grouped request list, with ready-made text: the template
// runs no function per slot.

// groupRow is one control of the list.
type groupRow struct {
	ControlID, ControlName string
	Owner                  *attest.Person
	NextDue                attest.Date
	Late, Missing          int
	Needs                  []needRow
}

// needRow is one evidence need of a control, with its periods as badges.
type needRow struct {
	Need            int
	What, Frequency string
	NextDue         attest.Date
	Slots           []badgeRow
	// Populations are the events of each begun period, for a need that
	// names its population.
	Populations []*populationRow
}

// badgeRow is one period as a compact badge: a short label, the full
// description for its title and for screen readers, and where it leads
// (the form for a missing period, the item for a provided one).
type badgeRow struct {
	Start     attest.Date
	State     attest.SlotState
	Late      bool
	Label     string
	Describe  string
	Href      string
	Statement string
	Items     []itemRef
}

// groupRows turns groups into rows; mayProvide says whether the viewer may
// provide evidence for a control of that owner.
func groupRows(groups []*attest.RequestGroup, titles map[int64]string, mayProvide func(ownerID int64) bool, pops map[populationKey]*populationRow) []groupRow {
	rows := make([]groupRow, len(groups))
	for i, g := range groups {
		gr := groupRow{ControlID: g.ControlID, ControlName: g.ControlName, Owner: g.Owner, NextDue: g.NextDue, Late: g.Late, Missing: g.Missing}
		canProvide := mayProvide(g.OwnerID)
		control := "/controls/" + url.PathEscape(g.ControlID)
		for _, rq := range g.Requests {
			nr := needRow{Need: rq.Need, What: rq.What, Frequency: strings.ReplaceAll(string(rq.Frequency), "_", " "), NextDue: rq.NextDue()}
			for _, sl := range rq.Slots {
				b := badgeRow{Start: sl.Start, State: sl.State, Late: sl.Late, Label: slotLabel(rq, &sl), Statement: sl.Statement, Href: control + "#evidence"}
				state := slotLabels[sl.State]
				if sl.Late {
					state = "late"
				}
				b.Describe = fmt.Sprintf("%s to %s: %s, due %s", sl.Start, sl.End, state, sl.Due)
				for _, id := range sl.Evidence {
					b.Items = append(b.Items, itemRef{ID: id, Title: titles[id]})
				}
				switch {
				case len(b.Items) > 0:
					b.Href = fmt.Sprintf("/evidence/%d", b.Items[0].ID)
					b.Describe += " · " + b.Items[0].Title
					if len(b.Items) > 1 {
						b.Describe += fmt.Sprintf(" and %d more", len(b.Items)-1)
					}
				case sl.State == attest.SlotMissing && canProvide:
					b.Href = fmt.Sprintf("%s?need=%d&slot=%s#provide-%d", control, rq.Need, sl.Start, rq.Need)
					b.Describe += " · provide"
				case sl.Statement != "":
					b.Describe += " · " + sl.Statement
				}
				if len(sl.Checks) > 0 {
					b.Describe += " · checks " + strings.Join(sl.Checks, ", ")
				}
				nr.Slots = append(nr.Slots, b)
				if pr := pops[populationKey{rq.ControlID, rq.Need, sl.Start}]; pr != nil {
					nr.Populations = append(nr.Populations, pr)
				}
			}
			gr.Needs = append(gr.Needs, nr)
		}
		rows[i] = gr
	}
	return rows
}

// slotLabel is a badge's short text: the month a period starts in ("Oct",
// or "Oct 3" when periods do not start on the first), the months of a
// longer period that does ("Oct–Dec"), the day of a Type I report; with
// the year's last two digits on the first period and on each January.
func slotLabel(rq *attest.EvidenceRequest, sl *attest.Slot) string {
	if sl.Start == sl.End {
		return string(sl.Start)
	}
	start, end := sl.Start.Time(), sl.End.Time()
	label := start.Format("Jan")
	switch {
	case start.Day() != 1:
		label = start.Format("Jan 2")
	case end.Month() != start.Month() || end.Year() != start.Year():
		label += "–" + end.Format("Jan")
	}
	if sl.Start == rq.Slots[0].Start || start.Month() == time.January {
		label += start.Format(" ’06")
	}
	return label
}
