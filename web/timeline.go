package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/attest-dev/attest"
)

// A control's page shows each check that tests it as a timeline over the
// observation window (read a day at a time, see store.CheckTimelines), one cell a day, and the share
// of the window so far that the check passed.

// Timeline is a check's timeline as the control page draws it.
type Timeline struct{ *attest.Timeline }

// SVG draws the timeline as a strip of day cells with a text alternative.
func (t Timeline) SVG() template.HTML {
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
	class := map[attest.DayState]string{attest.DayNone: "none", attest.DayPass: "pass", attest.DayFail: "fail", attest.DayDeviation: "deviation"}
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
func (s *Server) controlTimelines(r *http.Request, controlID string) []Timeline {
	ctx := r.Context()
	cs, err := s.mon().FindChecksOfControl(ctx, orgID(r), controlID)
	if err != nil {
		s.log.Error("checks of control", "control", controlID, "err", err)
		return nil
	}
	from, to := s.observationWindow(r)
	tls, err := s.mon().CheckTimelines(ctx, orgID(r), cs, from, to)
	if err != nil {
		s.log.Error("timelines of checks", "control", controlID, "err", err)
		return nil
	}
	out := make([]Timeline, 0, len(cs))
	for _, c := range cs {
		out = append(out, Timeline{tls[c.ID]})
	}
	return out
}
