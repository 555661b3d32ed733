package web

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestHeatMap draws matrices of 3×3 to 5×5: one cell per rating pair,
// the risks counted where they sit, the cells above the appetite
// outlined, and a description listing the occupied cells.
func TestHeatMap(t *testing.T) {
	for _, c := range []struct {
		scale, appetite, above int
	}{
		{3, 4, 3},  // 2×3, 3×2, 3×3
		{4, 8, 4},  // 3×3, 3×4, 4×3, 4×4
		{5, 8, 11}, // scores above 8: 2×5, 3×3..3×5, 4×3..4×5, 5×2..5×5
	} {
		cells := map[[2]int]int{{1, 1}: 2, {c.scale, c.scale}: 1}
		svg := string(heatMap("h", "Inherent risk", cells, c.scale, c.appetite))
		d, err := goquery.NewDocumentFromReader(strings.NewReader(svg))
		if err != nil {
			t.Fatal(err)
		}
		if n := d.Find("rect.cell").Length(); n != c.scale*c.scale {
			t.Errorf("%d×%d: %d cells", c.scale, c.scale, n)
		}
		if n := d.Find(`rect.cell[stroke="#7a1f17"]`).Length(); n != c.above {
			t.Errorf("%d×%d appetite %d: %d cells outlined, want %d", c.scale, c.scale, c.appetite, n, c.above)
		}
		if got := d.Find(`rect[data-likelihood="1"][data-impact="1"]`).AttrOr("data-count", ""); got != "2" {
			t.Errorf("cell 1×1 counts %q", got)
		}
		if desc := d.Find("desc").Text(); !strings.Contains(desc, "likelihood 1, impact 1: 2") {
			t.Errorf("description %q", desc)
		}
	}
}
