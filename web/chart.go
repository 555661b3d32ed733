package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

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
			x := pad + 12
			if n > 1 {
				x += float64(i) / float64(n-1) * (w - pad - 12)
			}
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
