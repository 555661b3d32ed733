package auditpack

import (
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/evpack"
)

// index maps the readiness's criteria to their controls and each control's
// slots to the files, links and statements that cover them. Upcoming slots
// are left out: nothing is due for them yet, and an auditor tests the
// periods that have begun.
func (p *packer) index(rd *attest.Readiness, reqs []*attest.EvidenceRequest) *evpack.Index {
	byControl := map[string][]*attest.EvidenceRequest{}
	for _, r := range reqs {
		byControl[r.ControlID] = append(byControl[r.ControlID], r)
	}
	ix := &evpack.Index{}
	for _, cr := range rd.Criteria {
		icr := evpack.IndexCriterion{ID: cr.ID, Title: cr.Title}
		for _, ref := range cr.Controls {
			ic := evpack.IndexControl{ID: ref.ID, Title: ref.Name, Status: string(ref.Status)}
			for _, r := range byControl[ref.ID] {
				for _, s := range r.Slots {
					if s.State != attest.SlotUpcoming {
						ic.Slots = append(ic.Slots, p.slot(r, s))
					}
				}
			}
			icr.Controls = append(icr.Controls, ic)
		}
		ix.Criteria = append(ix.Criteria, icr)
	}
	return ix
}

// slot is one period of one need as the index shows it. The period names
// the need too, since a control with several needs has several rows for
// the same months.
func (p *packer) slot(r *attest.EvidenceRequest, s attest.Slot) evpack.IndexSlot {
	out := p.slotEvidence(r, s)
	// A need whose events Attest records points at the window's
	// population too, whatever its state: the list the auditor samples.
	if name := p.popFiles[r.PopulationKind]; name != "" {
		out.Files = append(out.Files, name)
	}
	return out
}

func (p *packer) slotEvidence(r *attest.EvidenceRequest, s attest.Slot) evpack.IndexSlot {
	out := evpack.IndexSlot{Period: string(s.Start) + " to " + string(s.End), State: evpack.SlotMissing}
	if r.What != "" {
		out.Period += " (" + r.What + ")"
	}
	switch s.State {
	case attest.SlotNotApplicable:
		out.State, out.Statement = evpack.SlotNotApplicable, s.Statement
		return out
	case attest.SlotProvided:
		out.State = evpack.SlotProvided
	default:
		return out
	}
	var statements []string
	files := map[string]bool{}
	for _, id := range s.Evidence {
		it := p.byID[id]
		if it == nil {
			continue
		}
		switch it.Kind {
		case attest.EvidenceFile:
			if name := p.fileOf[id]; name != "" && !files[name] {
				files[name] = true
				out.Files = append(out.Files, name)
			}
		case attest.EvidenceLink:
			out.Links = append(out.Links, it.URL)
		case attest.EvidenceStatement:
			statements = append(statements, it.Title+": "+it.Statement)
		}
	}
	out.Statement = strings.Join(statements, "\n\n")
	return out
}
