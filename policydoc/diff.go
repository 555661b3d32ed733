package policydoc

import (
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// Op is what happened to a line between two versions of a text.
type Op int

// Line operations. Equal lines are in both texts, Delete lines only in the
// old one and Insert lines only in the new one.
const (
	Equal Op = iota
	Insert
	Delete
)

// String returns "equal", "insert" or "delete", the words templates use as
// CSS classes.
func (o Op) String() string {
	switch o {
	case Equal:
		return "equal"
	case Insert:
		return "insert"
	case Delete:
		return "delete"
	}
	return "unknown"
}

// Line is one line of a diff. Text has no line ending. OldNo and NewNo are
// the 1-based line numbers in the old and new text; the one that does not
// apply (OldNo of an inserted line, NewNo of a deleted one) is 0.
type Line struct {
	Op    Op
	Text  string
	OldNo int
	NewNo int
}

// Diff compares two texts line by line and returns every line of both, in
// reading order, with deletions before the insertions that replace them.
//
// Line endings are normalized first: a body saved from a browser form comes
// back with \r\n, and a missing final newline is not a change a reader can
// see, so neither shows up as a changed line. Two empty texts give no lines.
func Diff(old, new string) []Line {
	old, new = normalizeText(old), normalizeText(new)
	if old == new {
		// The common case when a reviewer opens an unchanged version; skip
		// the diff machinery.
		return equalLines(old)
	}
	dmp := diffmatchpatch.New()
	// Line mode: every distinct line becomes one rune, so the diff is over
	// lines and never splits one.
	a, b, lines := dmp.DiffLinesToChars(old, new)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	out := make([]Line, 0, strings.Count(old, "\n")+strings.Count(new, "\n"))
	oldNo, newNo := 0, 0
	for _, d := range diffs {
		for _, text := range splitLines(d.Text) {
			l := Line{Text: text}
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				oldNo++
				newNo++
				l.Op, l.OldNo, l.NewNo = Equal, oldNo, newNo
			case diffmatchpatch.DiffDelete:
				oldNo++
				l.Op, l.OldNo = Delete, oldNo
			case diffmatchpatch.DiffInsert:
				newNo++
				l.Op, l.NewNo = Insert, newNo
			}
			out = append(out, l)
		}
	}
	return out
}

// Stats counts the inserted and deleted lines of a diff, for a summary such
// as "+3 −1".
func Stats(lines []Line) (added, removed int) {
	for _, l := range lines {
		switch l.Op {
		case Insert:
			added++
		case Delete:
			removed++
		}
	}
	return added, removed
}

// normalizeText turns \r\n and lone \r into \n and ends a non-empty text
// with \n, so that "a\nb" and "a\nb\r\n" compare equal.
func normalizeText(s string) string {
	if strings.Contains(s, "\r") {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

// splitLines splits normalized text, which ends in \n, into its lines
// without line endings.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// equalLines returns the lines of a text compared with itself.
func equalLines(s string) []Line {
	texts := splitLines(s)
	out := make([]Line, len(texts))
	for i, t := range texts {
		out[i] = Line{Op: Equal, Text: t, OldNo: i + 1, NewNo: i + 1}
	}
	return out
}
