package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// A control's page shows each check that tests it as a timeline over the
// observation window, one cell a day: passed, failing within the
// remediation window, a deviation (a failure left open past it), or not
// yet run; and the share of the window so far that the check passed.

// dayState is how a check stood on one day.
type dayState int

const (
	dayNone dayState = iota
	dayPass
	dayFail
	dayDeviation
)

// Timeline is one check's days over a window.
type Timeline struct {
	Check    *attest.MonitoredCheck
	From, To attest.Date
	Days     []dayState
	// Passed is the share of the days with results on which no resource
	// failed (excepted failures aside), 0 to 100; Deviations counts days
	// with a failure past its window.
	Passed     float64
	Observed   int
	Deviations int
}

// BuildTimeline folds a check's result intervals into days from..to
// (inclusive), as of now: difference arrays keep it linear in intervals
// plus days, however many resources the check reads.
func BuildTimeline(c *attest.MonitoredCheck, rs []*attest.CheckResult, from, to attest.Date, now time.Time) *Timeline {
	start := from.Time()
	n := int(to.Time().Sub(start).Hours()/24) + 1
	if n < 1 {
		n = 1
	}
	seen, fail, dev := make([]int, n+1), make([]int, n+1), make([]int, n+1)
	dayOf := func(t time.Time) int {
		d := int(t.Sub(start).Hours() / 24)
		return max(0, min(d, n))
	}
	mark := func(arr []int, a, b time.Time) {
		i, j := dayOf(a), dayOf(b)
		if b.Sub(start) >= 0 && j < n {
			j++ // the day the interval ends counts
		}
		if i < j {
			arr[i]++
			arr[j]--
		}
	}
	for _, r := range rs {
		end := now
		if r.Until != nil {
			end = *r.Until
		}
		mark(seen, r.Since, end)
		if r.Status == attest.CheckFail && !r.Excepted {
			mark(fail, r.Since, end)
			if r.Deadline != nil && end.After(*r.Deadline) {
				mark(dev, *r.Deadline, end)
			}
		}
	}
	t := &Timeline{Check: c, From: from, To: to, Days: make([]dayState, n)}
	today := dayOf(now)
	var s, f, d, passed int
	for i := range n {
		s, f, d = s+seen[i], f+fail[i], d+dev[i]
		switch {
		case i > today || s == 0:
			continue
		case d > 0:
			t.Days[i] = dayDeviation
			t.Deviations++
		case f > 0:
			t.Days[i] = dayFail
		default:
			t.Days[i] = dayPass
			passed++
		}
		t.Observed++
	}
	if t.Observed > 0 {
		t.Passed = float64(int(1000*float64(passed)/float64(t.Observed))) / 10
	}
	return t
}

// SVG draws the timeline as a strip of day cells with a text alternative.
func (t *Timeline) SVG() template.HTML {
	const w, h = 600.0, 18.0
	var b strings.Builder
	id := "tl-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(t.Check.ID))
	fmt.Fprintf(&b, `<svg class="timeline" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s" preserveAspectRatio="none">`, w, h, id)
	fmt.Fprintf(&b, `<title id="%s">%s</title>`, id, template.HTMLEscapeString(fmt.Sprintf("%s from %s to %s: passed %.1f%% of %d observed days, %d days with a deviation",
		t.Check.Title, t.From, t.To, t.Passed, t.Observed, t.Deviations)))
	cw := w / float64(len(t.Days))
	class := map[dayState]string{dayNone: "none", dayPass: "pass", dayFail: "fail", dayDeviation: "deviation"}
	for i := 0; i < len(t.Days); {
		j := i
		for j < len(t.Days) && t.Days[j] == t.Days[i] {
			j++
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%.2f" y="0" width="%.2f" height="%.0f"/>`, class[t.Days[i]], float64(i)*cw, float64(j-i)*cw, h)
		i = j
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// observationWindow is the current engagement's period, or the last 90
// days without one.
func (s *Server) observationWindow(r *http.Request) (attest.Date, attest.Date) {
	today := attest.DateOf(s.Now())
	if e, err := s.currentEngagement(r); err == nil {
		if from, to := attest.EngagementPeriod(e); from.Valid() && !from.IsZero() && from != to {
			return from, to
		}
	}
	return today.AddDays(-89), today
}

// controlTimelines returns the timelines of the checks testing a control.
func (s *Server) controlTimelines(r *http.Request, controlID string) []*Timeline {
	ctx := r.Context()
	cs, err := s.mon().FindChecksOfControl(ctx, orgID(r), controlID)
	if err != nil {
		s.log.Error("checks of control", "control", controlID, "err", err)
		return nil
	}
	from, to := s.observationWindow(r)
	out := make([]*Timeline, 0, len(cs))
	for _, c := range cs {
		rs, err := s.mon().ResultsBetween(ctx, orgID(r), c.ID, from.Time(), to.Time().Add(24*time.Hour))
		if err != nil {
			s.log.Error("results of check", "check", c.ID, "err", err)
			return nil
		}
		out = append(out, BuildTimeline(c, rs, from, to, s.Now()))
	}
	return out
}
