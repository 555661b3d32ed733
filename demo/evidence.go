package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
)

// loadEvidence gives the implemented controls evidence for about the
// configured share of the periods that have begun: links to the company's
// document store for regular needs, a statement of the population for
// per-event ones, and not-applicable statements where nothing happened.
// Which periods are covered is chosen by a hash, so every load is alike.
func loadEvidence(ctx context.Context, db *store.DB, orgID int64, e *attest.Engagement, f *file) error {
	ef := f.Evidence
	implemented := map[string]bool{}
	for _, id := range f.Implemented {
		implemented[id] = true
	}
	for id := range ef.NothingHappened {
		if !implemented[id] {
			return fmt.Errorf("demo.yaml: evidence.nothing_happened names %s, which is not implemented", id)
		}
	}
	reqs, err := db.Requests(ctx, orgID, e.ID)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if !implemented[r.ControlID] {
			continue
		}
		for _, s := range r.Slots {
			if s.State != attest.SlotMissing {
				continue
			}
			if why, ok := ef.NothingHappened[r.ControlID]; ok && r.Population {
				st := &attest.SlotStatement{EngagementID: e.ID, ControlID: r.ControlID, Need: r.Need, PeriodStart: s.Start, Statement: why}
				if err := db.MarkSlotNotApplicable(ctx, orgID, st); err != nil {
					return fmt.Errorf("demo statement for %s: %w", r.ControlID, err)
				}
				continue
			}
			if chosen(r.ControlID, r.Need, s.Start) >= ef.Share {
				continue
			}
			item := &attest.Evidence{Title: fmt.Sprintf("%s (%s to %s)", r.What, s.Start, s.End), PeriodStart: s.Start, PeriodEnd: s.End,
				CollectedAt: collected(s.Start.Time().AddDate(0, 0, 3), db.Now()), ProvidedBy: providedBy(r.Owner),
				Links: []attest.EvidenceLinkRef{{ControlID: r.ControlID, Need: r.Need}}}
			if r.Population {
				item.Kind = attest.EvidenceStatement
				item.Statement = fmt.Sprintf("Population for %s: the full list is kept in the ticketing system under the label %s-%s.", r.What, strings.ToLower(r.ControlID), s.Start)
			} else {
				item.Kind = attest.EvidenceLink
				item.URL = fmt.Sprintf("%s/%s/%d/%s", ef.BaseURL, r.ControlID, r.Need, s.Start)
			}
			if err := db.CreateEvidence(ctx, orgID, item); err != nil {
				return fmt.Errorf("demo evidence for %s: %w", r.ControlID, err)
			}
		}
	}
	return nil
}

// chosen maps a slot to a number in [0, 1).
func chosen(control string, need int, start attest.Date) float64 {
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d/%s", control, need, start)
	return float64(h.Sum32()%1000) / 1000
}

// collected is when a demo item was collected: a few days into its period,
// but never in the future.
func collected(t, now time.Time) time.Time {
	if t.After(now) {
		return now
	}
	return t
}

// providedBy records evidence as provided by the control's owner, as the
// audit log names a signed-in member.
func providedBy(owner *attest.Person) string {
	if owner == nil {
		return ""
	}
	return "user:" + owner.Email
}
