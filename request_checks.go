package attest

// An automated evidence need is proved period by period by the checks that
// test its control. A slot of such a need is covered when, over the days
// of the slot that have begun, the checks ran (at least one day with
// results) and no failure was left open past its remediation window: a
// failure fixed within its window, or one covered by an approved
// exception, does not spoil the slot. A failure left open past its window
// on any day of the slot makes the slot a deviation, which counts as due
// and not covered, whatever manual evidence was also provided, so the
// auditor sees it. A slot in which the checks never ran keeps whatever
// manual evidence gave it (missing without any).

// PeriodOf is the slot of an engagement's window that holds today for a
// need or control of frequency f (the periods of the request list: a
// quarterly control's quarter of the window, counted from its start).
// Before the window it is the first slot, after it the last; a Type I
// report has the single day.
func PeriodOf(e *Engagement, f Frequency, today Date) (from, to Date) {
	start, end := EngagementPeriod(e)
	if start.IsZero() || end.IsZero() {
		return today, today
	}
	if e.ReportType == TypeI {
		return start, end
	}
	spans := periods(start, end, slotMonths(f))
	if len(spans) == 0 {
		return start, end
	}
	for _, sp := range spans {
		if !today.Before(sp[0]) && !sp[1].Before(today) {
			return sp[0], sp[1]
		}
	}
	if today.Before(start) {
		return spans[0][0], spans[0][1]
	}
	last := spans[len(spans)-1]
	return last[0], last[1]
}

// Span sums up a timeline's days from..to (inclusive, cut to the
// timeline): whether the check ran on any of them (had results, when the
// timeline does not say which days it ran), and whether any was a
// deviation.
func (t *Timeline) Span(from, to Date) (observed, deviation bool) {
	if t == nil || len(t.Days) == 0 {
		return false, false
	}
	i := max(0, daysBetween(t.From, from))
	j := min(len(t.Days)-1, daysBetween(t.From, to))
	for ; i <= j; i++ {
		switch t.Days[i] {
		case DayDeviation:
			return true, true
		case DayNone:
		default:
			observed = observed || t.Runs == nil || t.Runs[i]
		}
	}
	return observed, false
}

func daysBetween(a, b Date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

// ApplyCheckCoverage fills the slots of the automated needs in reqs from
// the timelines of the checks testing each control (by control ID, each
// covering at least the slots' days), as of today. Slots that have not
// begun and needs that are not automated are left alone.
func ApplyCheckCoverage(reqs []*EvidenceRequest, timelines map[string][]*Timeline, automated map[string][]bool, today Date) {
	for _, r := range reqs {
		tls := timelines[r.ControlID]
		if len(tls) == 0 || !needAutomated(automated, r.ControlID, r.Need) {
			continue
		}
		for i := range r.Slots {
			s := &r.Slots[i]
			if today.Before(s.Start) {
				continue
			}
			to := s.End
			if today.Before(to) {
				to = today
			}
			var ran, deviated []string
			for _, tl := range tls {
				obs, dev := tl.Span(s.Start, to)
				if dev {
					deviated = append(deviated, tl.Check.ID)
				}
				if obs {
					ran = append(ran, tl.Check.ID)
				}
			}
			switch {
			case len(deviated) > 0:
				s.State, s.Late, s.Checks = SlotDeviation, false, deviated
			case len(ran) > 0:
				if s.State != SlotProvided {
					s.State, s.Statement = SlotProvided, ""
				}
				s.Late, s.Checks = false, ran
			}
		}
	}
}

// AutomatedNeeds says, by control ID, which of each control's evidence
// needs are automated.
func AutomatedNeeds(controls []*Control) map[string][]bool {
	out := map[string][]bool{}
	for _, c := range controls {
		var flags []bool
		any := false
		for _, n := range c.Evidence {
			flags = append(flags, n.Automated)
			any = any || n.Automated
		}
		if any {
			out[c.ID] = flags
		}
	}
	return out
}

func needAutomated(m map[string][]bool, control string, need int) bool {
	f := m[control]
	return need >= 0 && need < len(f) && f[need]
}
