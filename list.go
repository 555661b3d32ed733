package attest

import (
	"slices"
	"strings"
)

// Page sizes of a list: what a page shows unless asked, and the most it
// may show.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Page asks for one page of a sorted list: the lists of controls and tasks
// are sorted, counted and cut in the database, never loaded whole.
type Page struct {
	// Sort names a column the list allows ("" is the list's own order).
	Sort string
	// Desc sorts from the largest value down.
	Desc bool
	// Limit is the number of rows (DefaultPageSize when 0); Offset the
	// number of matching rows before them.
	Limit, Offset int
}

// Check returns the page with its size set and its sort column checked
// against the columns the list allows; EINVALID names a column it does
// not allow or a negative size or offset.
func (p Page) Check(columns []string) (Page, error) {
	p.Sort = strings.ToLower(strings.TrimSpace(p.Sort))
	if p.Sort != "" && !slices.Contains(columns, p.Sort) {
		return p, FieldErrorf("sort", "cannot sort by %q (sort by %s)", p.Sort, strings.Join(columns, ", "))
	}
	switch {
	case p.Limit < 0:
		return p, FieldErrorf("limit", "limit must not be negative")
	case p.Limit == 0:
		p.Limit = DefaultPageSize
	case p.Limit > MaxPageSize:
		return p, FieldErrorf("limit", "a page holds at most %d rows", MaxPageSize)
	}
	if p.Offset < 0 {
		return p, FieldErrorf("offset", "offset must not be negative")
	}
	return p, nil
}

// ControlSorts are the columns a list of controls sorts by; the first is
// its own order.
var ControlSorts = []string{"id", "name", "status", "owner", "frequency", "due_date", "updated_at"}

// TaskSorts are the columns a list of tasks sorts by; the first is its own
// order (dated tasks first).
var TaskSorts = []string{"due_date", "title", "status", "owner", "control", "created_at"}
