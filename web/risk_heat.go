package web

import (
	"fmt"
	"html/template"
	"strings"
)

// heatColors fill a cell by its score's share of the largest score:
// low, moderate, high, severe.
var heatColors = []string{"#cfe8d5", "#f6e7a8", "#f4bf8a", "#e8867c"}

// heatBand is the band of a score on a scale: 0 (low) to 3 (severe).
func heatBand(score, scale int) int {
	share := float64(score) / float64(scale*scale)
	switch {
	case share > 0.6:
		return 3
	case share > 0.35:
		return 2
	case share > 0.15:
		return 1
	}
	return 0
}

// heatMap draws one likelihood × impact matrix as an inline SVG drawn by
// the server: likelihood up the side (highest at the top), impact along
// the bottom, each cell filled by its score's band and labelled with how
// many risks sit in it; cells above the appetite are outlined. The title
// and a description list every occupied cell for screen readers.
func heatMap(id, label string, cells map[[2]int]int, scale, appetite int) template.HTML {
	const cell, left, top = 56.0, 44.0, 8.0
	size := cell * float64(scale)
	var b strings.Builder
	total := 0
	var desc []string
	for l := scale; l >= 1; l-- {
		for i := 1; i <= scale; i++ {
			if n := cells[[2]int{l, i}]; n > 0 {
				total += n
				desc = append(desc, fmt.Sprintf("likelihood %d, impact %d: %d", l, i, n))
			}
		}
	}
	fmt.Fprintf(&b, `<svg class="heatmap" id="%s" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-labelledby="%s-title %s-desc">`,
		id, left+size+8, top+size+40, left+size+8, top+size+40, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s: %d risks on a %d×%d scale</title>`, id, template.HTMLEscapeString(label), total, scale, scale)
	if len(desc) == 0 {
		desc = []string{"no risks"}
	}
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, template.HTMLEscapeString(strings.Join(desc, "; ")))
	for l := scale; l >= 1; l-- {
		y := top + float64(scale-l)*cell
		fmt.Fprintf(&b, `<text class="axis" x="%.0f" y="%.1f" text-anchor="middle">%d</text>`, left-14.0, y+cell/2+4, l)
		for i := 1; i <= scale; i++ {
			x := left + float64(i-1)*cell
			score := l * i
			stroke, width := "#ffffff", 2
			if score > appetite {
				stroke, width = "#7a1f17", 2
			}
			fmt.Fprintf(&b, `<rect class="cell" data-likelihood="%d" data-impact="%d" data-count="%d" x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="%s" stroke="%s" stroke-width="%d"/>`,
				l, i, cells[[2]int{l, i}], x, y, cell, cell, heatColors[heatBand(score, scale)], stroke, width)
			if n := cells[[2]int{l, i}]; n > 0 {
				fmt.Fprintf(&b, `<text class="count" x="%.1f" y="%.1f" text-anchor="middle" font-size="18" font-weight="bold" fill="#1d1d1f">%d</text>`, x+cell/2, y+cell/2+6, n)
			}
		}
	}
	for i := 1; i <= scale; i++ {
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.0f" text-anchor="middle">%d</text>`, left+float64(i-1)*cell+cell/2, top+size+16, i)
	}
	fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%.0f" text-anchor="middle">impact →</text>`, left+size/2, top+size+34)
	fmt.Fprintf(&b, `<text class="axis" x="10" y="%.1f" text-anchor="middle" transform="rotate(-90 10 %.1f)">likelihood →</text>`, top+size/2, top+size/2)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
