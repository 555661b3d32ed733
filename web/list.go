package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"

	"github.com/attest-dev/attest"
)

// The lists of controls and tasks share one shape: filters, a search and
// the sort in the query string (so a link or a reload shows the same
// list), a page of rows cut by the database, links to the other pages and
// to a CSV of everything the filters match.

// listState is a list's query and page, for its template.
type listState struct {
	path  string
	query url.Values
	// Sort and Desc are the sort in force ("" is the list's own order, by
	// the column def).
	Sort, def string
	Desc      bool
	// Page counts from 1; Pages is at least 1.
	Page, Pages, Total, PerPage int
}

// parseList reads the sort and page of a list from the query: sort=column,
// dir=desc, page=N (from 1); or limit and offset, as the API takes them.
// The list's own order is by its first column.
func parseList(path string, q url.Values, columns []string) (*listState, attest.Page, error) {
	l := &listState{path: path, query: q, Sort: q.Get("sort"), def: columns[0], Desc: q.Get("dir") == "desc", PerPage: attest.DefaultPageSize, Page: 1}
	p := attest.Page{Sort: l.Sort, Desc: l.Desc, Limit: l.PerPage}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return l.refused(attest.FieldErrorf("limit", "limit must be a number, not %q", v))
		}
		p.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return l.refused(attest.FieldErrorf("offset", "offset must be a number, not %q", v))
		}
		p.Offset = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return l.refused(attest.FieldErrorf("page", "page must be a number from 1, not %q", v))
		}
		l.Page, p.Offset = n, (n-1)*p.Limit
	}
	p, err := p.Check(columns)
	if err != nil {
		return l.refused(err)
	}
	l.PerPage = p.Limit
	return l, p, nil
}

// refused returns the first page of the list in its own order, with err,
// for a query it could not follow.
func (l *listState) refused(err error) (*listState, attest.Page, error) {
	l.Sort, l.Desc, l.Page, l.PerPage = "", false, 1, attest.DefaultPageSize
	return l, attest.Page{Limit: attest.DefaultPageSize}, err
}

// setTotal records how many rows match.
func (l *listState) setTotal(n int) {
	l.Total = n
	l.Pages = max(1, (n+l.PerPage-1)/l.PerPage)
}

// link is the list's URL with some query values changed ("" removes one).
func (l *listState) link(kv ...string) string {
	v := url.Values{}
	for k, vals := range l.query {
		v[k] = vals
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return l.path
	}
	return l.path + "?" + v.Encode()
}

// SortLink sorts by column, ascending, or descending when it is the sort
// in force already ascending; the page goes back to the first.
func (l *listState) SortLink(column string) string {
	dir := ""
	if l.sorted() == column && !l.Desc {
		dir = "desc"
	}
	return l.link("sort", column, "dir", dir, "page", "")
}

// SortMark is the aria-sort value of a column's header.
func (l *listState) SortMark(column string) string {
	switch {
	case l.sorted() != column:
		return "none"
	case l.Desc:
		return "descending"
	}
	return "ascending"
}

// sorted is the column the list is sorted by.
func (l *listState) sorted() string {
	if l.Sort == "" {
		return l.def
	}
	return l.Sort
}

// PageLink is the link to page n, or "" when there is no such page.
func (l *listState) PageLink(n int) string {
	if n < 1 || n > l.Pages || n == l.Page {
		return ""
	}
	return l.link("page", strconv.Itoa(n))
}

// Prev and Next are the links to the neighbouring pages, or "".
func (l *listState) Prev() string { return l.PageLink(l.Page - 1) }
func (l *listState) Next() string { return l.PageLink(l.Page + 1) }

// CSVLink is the CSV export of everything the filters match.
func (l *listState) CSVLink(path string) string {
	saved := l.path
	l.path = path
	defer func() { l.path = saved }()
	return l.link("page", "")
}

// writePage writes one page of a list as a JSON array, with the number of
// rows that match in the X-Total-Count header (the API's lists take limit
// and offset; their default page is attest.MaxPageSize rows).
func writePage[T any](w http.ResponseWriter, items []T, total int) error {
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	return writeJSON(w, http.StatusOK, items)
}

// csvExport writes a CSV download of every row a list's filters match,
// page after page, so memory stays one page whatever the list's size.
// fetch returns a page of rows, each as its cells; every cell is made
// formula-safe.
func (s *Server) csvExport(w http.ResponseWriter, name string, header []string, fetch func(p attest.Page) ([][]string, int, error), p attest.Page) error {
	p.Limit, p.Offset = attest.MaxPageSize, 0
	rows, total, err := fetch(p)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write(header)
	for {
		for _, row := range rows {
			for i := range row {
				row[i] = csvSafe(row[i])
			}
			cw.Write(row)
		}
		p.Offset += p.Limit
		if len(rows) < p.Limit || p.Offset >= total {
			break
		}
		if rows, _, err = fetch(p); err != nil {
			// The header is sent: the download ends short, and says so in
			// the server's log.
			s.log.Error("CSV export cut short", "file", name, "err", err)
			break
		}
	}
	cw.Flush()
	return cw.Error()
}
