package policydoc

import (
	"fmt"
	"strings"
	"testing"
)

// diffString writes a diff as "op old new text" rows so a failing test
// shows the whole result at once.
func diffString(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%s %d %d %q\n", l.Op, l.OldNo, l.NewNo, l.Text)
	}
	return b.String()
}

func TestDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new string
		want     []Line
	}{
		{"both empty", "", "", []Line{}},
		{"identical", "a\nb\n", "a\nb\n", []Line{
			{Equal, "a", 1, 1}, {Equal, "b", 2, 2},
		}},
		{"from empty", "", "a\nb\n", []Line{
			{Insert, "a", 0, 1}, {Insert, "b", 0, 2},
		}},
		{"to empty", "a\nb\n", "", []Line{
			{Delete, "a", 1, 0}, {Delete, "b", 2, 0},
		}},
		{"insert at end", "a\nb\n", "a\nb\nc\n", []Line{
			{Equal, "a", 1, 1}, {Equal, "b", 2, 2}, {Insert, "c", 0, 3},
		}},
		{"insert at start", "b\nc\n", "a\nb\nc\n", []Line{
			{Insert, "a", 0, 1}, {Equal, "b", 1, 2}, {Equal, "c", 2, 3},
		}},
		{"delete in middle", "a\nb\nc\n", "a\nc\n", []Line{
			{Equal, "a", 1, 1}, {Delete, "b", 2, 0}, {Equal, "c", 3, 2},
		}},
		{"change in middle", "a\nb\nc\nd\n", "a\nB\nc\nd\n", []Line{
			{Equal, "a", 1, 1}, {Delete, "b", 2, 0}, {Insert, "B", 0, 2}, {Equal, "c", 3, 3}, {Equal, "d", 4, 4},
		}},
		{"change two lines", "a\nb\nc\nd\n", "a\nx\ny\nd\n", []Line{
			{Equal, "a", 1, 1}, {Delete, "b", 2, 0}, {Delete, "c", 3, 0},
			{Insert, "x", 0, 2}, {Insert, "y", 0, 3}, {Equal, "d", 4, 4},
		}},
		{"missing final newline is not a change", "a\nb", "a\nb\n", []Line{
			{Equal, "a", 1, 1}, {Equal, "b", 2, 2},
		}},
		{"CRLF is not a change", "a\r\nb\r\n", "a\nb\n", []Line{
			{Equal, "a", 1, 1}, {Equal, "b", 2, 2},
		}},
		{"change on last line without newline", "a\nb", "a\nc", []Line{
			{Equal, "a", 1, 1}, {Delete, "b", 2, 0}, {Insert, "c", 0, 2},
		}},
		{"blank lines count", "a\n\nb\n", "a\nb\n", []Line{
			{Equal, "a", 1, 1}, {Delete, "", 2, 0}, {Equal, "b", 3, 2},
		}},
		{"repeated lines", "x\nx\nx\n", "x\nx\n", []Line{
			{Equal, "x", 1, 1}, {Equal, "x", 2, 2}, {Delete, "x", 3, 0},
		}},
		{"substring of a line is a whole-line change", "the policy\n", "the new policy\n", []Line{
			{Delete, "the policy", 1, 0}, {Insert, "the new policy", 0, 1},
		}},
		{"unicode", "café “a”\n", "café “b”\n", []Line{
			{Delete, "café “a”", 1, 0}, {Insert, "café “b”", 0, 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Diff(tt.old, tt.new)
			if g, w := diffString(got), diffString(tt.want); g != w {
				t.Errorf("Diff(%q, %q) =\n%swant\n%s", tt.old, tt.new, g, w)
			}
		})
	}
}

// TestDiffReconstructs checks on a real-sized text that the equal and
// deleted lines give back the old text and the equal and inserted ones the
// new text, with line numbers counting up without gaps.
func TestDiffReconstructs(t *testing.T) {
	t.Parallel()
	old := testBody(t)
	edited := strings.Replace(old, "## Scope", "## Scope and applicability", 1)
	edited = strings.Replace(edited, "## Exceptions\n", "## Exceptions\n\nNew paragraph.\n", 1)
	edited = strings.Replace(edited, "## Enforcement", "## Sanctions", 1)
	lines := Diff(old, edited)
	var gotOld, gotNew []string
	for _, l := range lines {
		if l.Op != Insert {
			gotOld = append(gotOld, l.Text)
			if l.OldNo != len(gotOld) {
				t.Errorf("line %q: OldNo = %d, want %d", l.Text, l.OldNo, len(gotOld))
			}
		}
		if l.Op != Delete {
			gotNew = append(gotNew, l.Text)
			if l.NewNo != len(gotNew) {
				t.Errorf("line %q: NewNo = %d, want %d", l.Text, l.NewNo, len(gotNew))
			}
		}
	}
	if g := strings.Join(gotOld, "\n") + "\n"; g != old {
		t.Errorf("old text not reconstructed:\n%s", g)
	}
	if g := strings.Join(gotNew, "\n") + "\n"; g != edited {
		t.Errorf("new text not reconstructed:\n%s", g)
	}
	if added, removed := Stats(lines); added != 4 || removed != 2 {
		t.Errorf("Stats = +%d -%d, want +4 -2", added, removed)
	}
}

func TestStats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		lines          []Line
		added, removed int
	}{
		{"none", nil, 0, 0},
		{"equal only", []Line{{Op: Equal}, {Op: Equal}}, 0, 0},
		{"mixed", []Line{{Op: Insert}, {Op: Delete}, {Op: Equal}, {Op: Insert}}, 2, 1},
	}
	for _, tt := range tests {
		added, removed := Stats(tt.lines)
		if added != tt.added || removed != tt.removed {
			t.Errorf("%s: Stats = %d, %d, want %d, %d", tt.name, added, removed, tt.added, tt.removed)
		}
	}
}

func TestOpString(t *testing.T) {
	t.Parallel()
	for op, want := range map[Op]string{Equal: "equal", Insert: "insert", Delete: "delete", Op(42): "unknown"} {
		if got := op.String(); got != want {
			t.Errorf("Op(%d).String() = %q, want %q", op, got, want)
		}
	}
}
