package web

import (
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

func TestTrendChart(t *testing.T) {
	series := func(n int) []*attest.Snapshot {
		out := make([]*attest.Snapshot, n)
		for i := range out {
			out[i] = &attest.Snapshot{Date: attest.DateOf(attest.Date("2025-01-01").Time().AddDate(0, 0, i)), Score: float64(i % 101)}
		}
		return out
	}
	tests := []struct {
		name   string
		n      int
		points int
		want   []string
	}{
		{"empty", 0, 0, []string{"No readiness history yet"}},
		{"one day draws a dot", 1, 1, []string{`<circle class="dot" cx="36.0" cy="136.0"`}},
		{"a few days, every point", 3, 3, []string{`points="36.0,136.0 318.0,134.9 600.0,133.8"`}},
		{"two years, sampled to 300 with both ends", 730, 300, []string{"from 2025-01-01 (0.0%) to 2026-12-31 (22.0%)", `points="36.0,136.0 `, ` 600.0,111.4"/>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := string(trendChart(series(tt.n)))
			for _, w := range tt.want {
				if !strings.Contains(svg, w) {
					t.Errorf("chart lacks %q:\n%.400s", w, svg)
				}
			}
			got := 0
			if i := strings.Index(svg, `points="`); i >= 0 {
				got = len(strings.Fields(svg[i+8 : i+8+strings.Index(svg[i+8:], `"`)]))
			} else if strings.Contains(svg, "<circle") {
				got = 1
			}
			if got != tt.points {
				t.Errorf("%d points drawn, want %d", got, tt.points)
			}
		})
	}
}
