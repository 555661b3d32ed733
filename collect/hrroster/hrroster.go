// Package hrroster reads the HR roster, the population joiner and leaver
// checks need, from a CSV file or uploaded text: one row per person with
// name, email, department, manager, start_date and end_date. A bad row
// fails the whole run, named by line and column, so a half-read roster
// never replaces a good one.
package hrroster

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attest-dev/attest/collect"
)

// Kind is the "hrroster" integration.
var Kind = collect.Kind{
	Name:  "hrroster",
	Title: "HR roster (CSV)",
	Fields: []collect.Field{
		{Name: "path", Label: "CSV file", Help: "Absolute path of the roster on the server; or paste it below."},
		{Name: "csv", Label: "CSV text", Help: "Columns: name, email, department, manager, start_date, end_date (dates as YYYY-MM-DD)."},
	},
	ResourceTypes: []string{"hr.person"},
	New:           newCollector,
}

// Columns are the roster's columns; name, email and start_date are
// required in every row.
var Columns = []string{"name", "email", "department", "manager", "start_date", "end_date"}

// maxErrors bounds the errors reported for one roster.
const maxErrors = 20

type collector struct {
	path, text string
	now        func() time.Time
}

func newCollector(cfg collect.Config) (collect.Collector, error) {
	path, text := strings.TrimSpace(cfg.Settings["path"]), cfg.Settings["csv"]
	switch {
	case path == "" && strings.TrimSpace(text) == "":
		return nil, errors.New("path: give the roster's path or its CSV text")
	case path != "" && text != "":
		return nil, errors.New("path: give the path or the CSV text, not both")
	case path != "" && !filepath.IsAbs(path):
		return nil, fmt.Errorf("path: want an absolute path, got %q", path)
	}
	return &collector{path: path, text: text, now: cfg.Clock()}, nil
}

// Test opens the file.
func (c *collector) Test(ctx context.Context) error {
	_, err := c.open()
	return err
}

func (c *collector) open() (io.Reader, error) {
	if c.path == "" {
		return strings.NewReader(c.text), nil
	}
	b, err := os.ReadFile(c.path)
	if err != nil {
		return nil, fmt.Errorf("hrroster: %w: cannot read %s: %v", collect.ErrUnreachable, c.path, errors.Unwrap(err))
	}
	return bytes.NewReader(b), nil
}

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("hrroster: %w", err)
	}
	r, err := c.open()
	if err != nil {
		return err
	}
	people, err := Parse(r, c.now())
	if err != nil {
		return err
	}
	for _, p := range people {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("hrroster: %w", err)
		}
		if err := emit(p); err != nil {
			return err
		}
	}
	return nil
}

// Parse reads a whole roster and returns one hr.person per row, or every
// bad row's line and column (up to 20) and no people at all.
func Parse(r io.Reader, now time.Time) ([]collect.Resource, error) {
	cr := csv.NewReader(r)
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("hrroster: %w: the roster is empty; want a header line: %s", collect.ErrMalformed, strings.Join(Columns, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("hrroster: %w: %v", collect.ErrMalformed, err)
	}
	index := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := index[h]; dup {
			return nil, fmt.Errorf("hrroster: %w: line 1: column %q appears twice", collect.ErrMalformed, h)
		}
		index[h] = i
	}
	for _, col := range Columns {
		if _, ok := index[col]; !ok {
			return nil, fmt.Errorf("hrroster: %w: line 1: no %q column; want %s", collect.ErrMalformed, col, strings.Join(Columns, ","))
		}
	}
	var (
		people []collect.Resource
		errs   []string
		seen   = map[string]int{}
		today  = now.UTC().Truncate(24 * time.Hour)
	)
	bad := func(line int, col, format string, args ...any) {
		if len(errs) < maxErrors {
			errs = append(errs, fmt.Sprintf("line %d, column %s: %s", line, col, fmt.Sprintf(format, args...)))
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad(pe.Line, fmt.Sprint(pe.Column), "%v", pe.Err)
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					continue
				}
			} else {
				bad(0, "-", "%v", err)
			}
			break
		}
		line, _ := cr.FieldPos(0)
		field := func(col string) string { return strings.TrimSpace(rec[index[col]]) }
		rowOK := true
		for _, col := range Columns {
			v := field(col)
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				bad(line, col, "not text (invalid UTF-8 or a NUL byte)")
				rowOK = false
			}
		}
		if !rowOK {
			continue
		}
		name, email := field("name"), strings.ToLower(field("email"))
		if name == "" {
			bad(line, "name", "required")
		}
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
			bad(line, "email", "%q is not an email address", field("email"))
		} else if first, dup := seen[email]; dup {
			bad(line, "email", "%s is already on line %d", email, first)
		} else {
			seen[email] = line
		}
		start, err := time.Parse(time.DateOnly, field("start_date"))
		if err != nil {
			bad(line, "start_date", "%q is not a date (YYYY-MM-DD)", field("start_date"))
		}
		var end any
		var endDate time.Time
		if v := field("end_date"); v != "" {
			if endDate, err = time.Parse(time.DateOnly, v); err != nil {
				bad(line, "end_date", "%q is not a date (YYYY-MM-DD)", v)
			} else if !start.IsZero() && endDate.Before(start) {
				bad(line, "end_date", "%s is before the start date %s", v, field("start_date"))
			}
			end = v
		}
		if len(errs) > 0 {
			continue // keep reading to report every bad row
		}
		var leftDays any
		active := end == nil || !endDate.Before(today)
		if !active {
			leftDays = math.Floor(today.Sub(endDate).Hours() / 24)
		}
		people = append(people, collect.Resource{Type: "hr.person", ID: email, Name: name, CollectedAt: now, Attributes: map[string]any{
			"email": email, "name": name, "department": field("department"), "manager": strings.ToLower(field("manager")),
			"start_date": field("start_date"), "end_date": end, "active": active, "days_since_end": leftDays,
		}})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("hrroster: %w: %s", collect.ErrMalformed, strings.Join(errs, "; "))
	}
	return people, nil
}
