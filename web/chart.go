package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/attest-dev/attest"
)

// trendCharts keeps the trend charts a server drew last. The store hands
// out the same snapshots until readiness is derived again, so dashboards
// viewed in the meantime reuse the drawing; new snapshots are new values,
// hence a new key. It holds at most 256 charts.
type trendCharts struct {
	mu sync.Mutex
	m  map[trendKey]template.HTML
}

type trendKey struct {
	first, last *attest.Snapshot
	n           int
}

// draw is trendChart, drawn once for each series.
func (c *trendCharts) draw(snaps []*attest.Snapshot) template.HTML {
	if len(snaps) == 0 {
		return trendChart(snaps)
	}
	k := trendKey{snaps[0], snaps[len(snaps)-1], len(snaps)}
	c.mu.Lock()
	h, ok := c.m[k]
	c.mu.Unlock()
	if ok {
		return h
	}
	h = trendChart(snaps)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= 256 {
		c.m = map[trendKey]template.HTML{}
	}
	c.m[k] = h
	c.mu.Unlock()
	return h
}

// trendChart draws the readiness score over time as an inline SVG line
// chart, server-side, with a text alternative for screen readers.
func trendChart(snaps []*attest.Snapshot) template.HTML {
	const w, h, pad = 600.0, 160.0, 24.0
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="trend" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="trend-title" preserveAspectRatio="none">`, w, h)
	title := "No readiness history yet"
	if n := len(snaps); n > 0 {
		title = fmt.Sprintf("Readiness from %s (%.1f%%) to %s (%.1f%%)", snaps[0].Date, snaps[0].Score, snaps[n-1].Date, snaps[n-1].Score)
	}
	fmt.Fprintf(&b, `<title id="trend-title">%s</title>`, template.HTMLEscapeString(title))
	for _, y := range []float64{0, 50, 100} {
		py := h - pad - y/100*(h-2*pad)
		fmt.Fprintf(&b, `<line class="grid" x1="%.0f" x2="%.0f" y1="%.1f" y2="%.1f"/><text class="axis" x="2" y="%.1f">%.0f%%</text>`, pad+12, w, py, py, py+4, y)
	}
	if len(snaps) > 0 {
		// x follows the date, so a gap in the history shows as one.
		first, last := snaps[0].Date.Time(), snaps[len(snaps)-1].Date.Time()
		span := last.Sub(first).Hours() / 24
		left, width := pad+12, w-pad-12
		xOf := func(i int) float64 {
			if span <= 0 {
				if len(snaps) == 1 {
					return left
				}
				return left + float64(i)/float64(len(snaps)-1)*width
			}
			return left + snaps[i].Date.Time().Sub(first).Hours()/24/span*width
		}
		dateAxis(&b, first, last, left, width, h-pad)
		// A 600-unit-wide chart shows no more than maxPoints points; two
		// years of daily snapshots are sampled evenly, keeping both ends.
		const maxPoints = 300
		n := len(snaps)
		m := min(n, maxPoints)
		pts := make([]byte, 0, m*12)
		var x0, y0 float64
		for j := range m {
			i := j
			if m < n {
				i = j * (n - 1) / (m - 1)
			}
			x := xOf(i)
			y := h - pad - snaps[i].Score/100*(h-2*pad)
			if j > 0 {
				pts = append(pts, ' ')
			}
			pts = strconv.AppendFloat(pts, x, 'f', 1, 64)
			pts = append(pts, ',')
			pts = strconv.AppendFloat(pts, y, 'f', 1, 64)
			x0, y0 = x, y
		}
		fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, pts)
		if n == 1 {
			fmt.Fprintf(&b, `<circle class="dot" cx="%.1f" cy="%.1f" r="4"/>`, x0, y0)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// dateAxis labels the time axis below the plot (whose bottom is at y):
// the first and the last date in full at the ends, and between them a few
// ticks on month starts (or week starts, for a history of under two
// months), labelled without crowding the ends.
func dateAxis(b *strings.Builder, first, last time.Time, left, width, y float64) {
	ly := y + 15
	fmt.Fprintf(b, `<g class="dates"><text class="axis date" x="%.1f" y="%.1f" text-anchor="start">%s</text>`, left, ly, attest.DateOf(first))
	if !last.After(first) {
		b.WriteString(`</g>`)
		return
	}
	fmt.Fprintf(b, `<text class="axis date" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, left+width, ly, attest.DateOf(last))
	days := last.Sub(first).Hours() / 24
	// Clearances are in chart units and allow for the larger type that
	// phones get (16 units): a full date is about 90 units wide there.
	const clearEnds, clearTicks = 130, 100
	prev := -1e9
	for _, t := range dateTicks(first, last) {
		x := left + t.Sub(first).Hours()/24/days*width
		if x-left < clearEnds || left+width-x < clearEnds || x-prev < clearTicks {
			continue
		}
		prev = x
		label := t.Format("Jan 2")
		if t.Day() == 1 {
			label = t.Format("Jan 2006")
		}
		fmt.Fprintf(b, `<line class="tick" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/><text class="axis date" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`,
			x, x, y, y+4, x, ly, label)
	}
	b.WriteString(`</g>`)
}

// dateTicks returns at most five dates strictly between first and last:
// every k-th month start, or every k-th Monday for short histories.
func dateTicks(first, last time.Time) []time.Time {
	days := last.Sub(first).Hours() / 24
	var out []time.Time
	if days >= 60 {
		months := int(days/30) + 1
		step := max(1, (months+4)/5)
		t := time.Date(first.Year(), first.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		for ; t.Before(last) && len(out) < 5; t = t.AddDate(0, step, 0) {
			out = append(out, t)
		}
		return out
	}
	weeks := int(days/7) + 1
	step := max(1, (weeks+4)/5)
	t := first.AddDate(0, 0, (8-int(first.Weekday()))%7)
	if !t.After(first) {
		t = t.AddDate(0, 0, 7)
	}
	for ; t.Before(last) && len(out) < 5; t = t.AddDate(0, 0, 7*step) {
		out = append(out, t)
	}
	return out
}

// scoreBar draws a horizontal bar for a percentage.
func scoreBar(score float64) template.HTML {
	if score < 0 {
		score = 0
	}
	if score > 100 {
		score = 100
	}
	return template.HTML(fmt.Sprintf(`<svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true"><rect class="bar-bg" width="100" height="8"/><rect class="bar-fg" width="%.1f" height="8"/></svg>`, score))
}
