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

// TestTrendChartDateAxis: the time axis names the first and last dates and
// a few dates between them, and x follows the date, so a gap shows.
func TestTrendChartDateAxis(t *testing.T) {
	days := func(start string, offsets ...int) []*attest.Snapshot {
		out := make([]*attest.Snapshot, len(offsets))
		for i, d := range offsets {
			out[i] = &attest.Snapshot{Date: attest.DateOf(attest.Date(start).Time().AddDate(0, 0, d)), Score: 50}
		}
		return out
	}
	seq := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	tests := []struct {
		name      string
		snaps     []*attest.Snapshot
		want, not []string
	}{
		{"four months: month ticks", days("2026-01-01", seq(121)...),
			[]string{`text-anchor="start">2026-01-01<`, `text-anchor="end">2026-05-01<`, ">Feb 2026<", ">Mar 2026<", ">Apr 2026<"}, []string{">Jan 2026<", ">May 2026<"}},
		{"a tick too close to an end label is left out", days("2026-01-10", seq(121)...),
			[]string{`>2026-01-10<`, `>2026-05-10<`, ">Mar 2026<", ">Apr 2026<"}, []string{">Feb 2026<"}},
		{"two years: at most five ticks", days("2025-01-01", seq(730)...),
			[]string{">2025-01-01<", ">2026-12-31<"}, nil},
		{"three weeks: week ticks", days("2026-03-02", seq(22)...),
			[]string{">2026-03-02<", ">2026-03-23<", ">Mar 9<", ">Mar 16<"}, []string{"2026<"}},
		{"one day: one date", days("2026-03-02", 0), []string{">2026-03-02<"}, []string{`text-anchor="end"`}},
		{"a gap shows", days("2026-01-01", 0, 29, 30), []string{`points="36.0,80.0 581.2,80.0 600.0,80.0"`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := string(trendChart(tt.snaps))
			for _, w := range tt.want {
				if !strings.Contains(svg, w) {
					t.Errorf("chart lacks %q:\n%s", w, svg[:min(len(svg), 1500)])
				}
			}
			for _, w := range tt.not {
				if strings.Contains(svg, w) {
					t.Errorf("chart has %q", w)
				}
			}
			if n := strings.Count(svg, `class="tick"`); n > 5 {
				t.Errorf("%d ticks, want at most 5", n)
			}
		})
	}
}
