// Package regcsv reads and writes the registers (risks, vendors, assets,
// incidents) as CSV: one codec per register names its columns, turns a
// record into a row and a row into a validated record. Reading checks
// every row and reports the first bad one by line and column; writing
// makes every cell formula-safe, so a spreadsheet never runs a cell.
package regcsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// People resolves a member named in a cell (an ID, an email or an exact
// name) to a user ID; "" is nobody.
type People func(ref string) (int64, error)

// Codec is one register's CSV shape. Parse returns field errors named
// after the column (attest.FieldErrorf).
type Codec[T any] struct {
	// Header lists the columns an export writes; Required those an import
	// needs. An import takes any subset of Header, in any order.
	Header   []string
	Required []string
	Row      func(T) []string
	Parse    func(get func(column string) string, people People) (T, error)
}

// Safe makes a cell formula-safe: a leading =, +, -, @, tab or carriage
// return is escaped with a quote, so a spreadsheet shows it as text.
func Safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Write writes the header and the records' rows, every cell formula-safe.
func Write[T any](w io.Writer, c Codec[T], records []T) error {
	sw, err := NewWriter(w, c)
	if err != nil {
		return err
	}
	if err := sw.Write(records...); err != nil {
		return err
	}
	return sw.Flush()
}

// Writer writes records as formula-safe CSV rows as they come, so an
// export holds one page of records at a time, never the whole register.
type Writer[T any] struct {
	cw *csv.Writer
	c  Codec[T]
}

// NewWriter writes the codec's header and returns a writer for the rows.
func NewWriter[T any](w io.Writer, c Codec[T]) (*Writer[T], error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(c.Header); err != nil {
		return nil, err
	}
	return &Writer[T]{cw: cw, c: c}, nil
}

// Write writes the records' rows and flushes them.
func (w *Writer[T]) Write(records ...T) error {
	for _, r := range records {
		row := w.c.Row(r)
		for i := range row {
			row[i] = Safe(row[i])
		}
		if err := w.cw.Write(row); err != nil {
			return err
		}
	}
	return w.Flush()
}

// Flush writes what is buffered and reports any error so far.
func (w *Writer[T]) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}

// Read parses a CSV file with a header row into records, checking each
// row. The first problem is returned as EINVALID naming the line and the
// column; nothing is returned with it, so a caller stores all or none.
// Lines gives the line each record started on.
func Read[T any](in io.Reader, c Codec[T], people People) (records []T, lines []int, err error) {
	r := csv.NewReader(in)
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, attest.Errorf(attest.EINVALID, "the CSV file is empty")
	}
	if err != nil {
		return nil, nil, attest.Errorf(attest.EINVALID, "CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		if err := attest.ValidText(fmt.Sprintf("CSV line 1, column %d", i+1), h); err != nil {
			return nil, nil, err
		}
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(c.Header, h) {
			return nil, nil, attest.Errorf(attest.EINVALID, "CSV line 1, column %d: unknown column %q (known: %s)", i+1, h, strings.Join(c.Header, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, nil, attest.Errorf(attest.EINVALID, "CSV line 1, column %d: column %q appears twice", i+1, h)
		}
		col[h] = i
	}
	for _, req := range c.Required {
		if _, ok := col[req]; !ok {
			return nil, nil, attest.Errorf(attest.EINVALID, "CSV line 1: the %s column is required", req)
		}
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, attest.Errorf(attest.EINVALID, "CSV: %v", err)
		}
		line, _ := r.FieldPos(0)
		for i, v := range rec {
			if err := attest.ValidText(fmt.Sprintf("CSV line %d, column %d", line, i+1), v); err != nil {
				return nil, nil, err
			}
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(strings.TrimPrefix(rec[i], "'"))
			}
			return ""
		}
		v, err := c.Parse(get, people)
		if err != nil {
			return nil, nil, At(err, line, col)
		}
		records = append(records, v)
		lines = append(lines, line)
	}
	if len(records) == 0 {
		return nil, nil, attest.Errorf(attest.EINVALID, "the CSV file has no records")
	}
	return records, lines, nil
}

// At names the line and column of an error about a field.
func At(err error, line int, col map[string]int) error {
	if attest.ErrorCode(err) != attest.EINVALID {
		return err
	}
	field := attest.ErrorField(err)
	where := fmt.Sprintf("CSV line %d", line)
	if i, ok := col[field]; ok {
		where += fmt.Sprintf(", column %d (%s)", i+1, field)
	} else if field != "" {
		where += fmt.Sprintf(", %s", field)
	}
	return attest.FieldErrorf(field, "%s: %s", where, attest.ErrorMessage(err))
}

// number parses a whole number cell; "" is 0.
func number(column, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, attest.FieldErrorf(column, "%q is not a whole number", s)
	}
	return n, nil
}

// date parses a date cell.
func date(column, s string) (attest.Date, error) {
	d, err := attest.ParseDate(s)
	if err != nil {
		return "", attest.FieldErrorf(column, "%s", attest.ErrorMessage(err))
	}
	return d, nil
}

// boolean parses yes/no, true/false, 1/0; "" is false.
func boolean(column, s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "no", "false", "0", "n":
		return false, nil
	case "yes", "true", "1", "y":
		return true, nil
	}
	return false, attest.FieldErrorf(column, "%q is not yes or no", s)
}

// person resolves a member cell.
func person(column, s string, people People) (int64, error) {
	if s == "" || people == nil {
		return 0, nil
	}
	id, err := people(s)
	if err != nil {
		return 0, attest.FieldErrorf(column, "%s", attest.ErrorMessage(err))
	}
	return id, nil
}

// personCell is a member as a cell: their email, else their name.
func personCell(p *attest.Person) string {
	if p == nil {
		return ""
	}
	if p.Email != "" {
		return p.Email
	}
	return p.Name
}

func yes(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func stamp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// Import reads a CSV file and stores its records with store, all or none.
// A refusal of the store about its Nth record ("record N: …", as the
// store's imports word it) is reported at that record's line and column.
func Import[T any](in io.Reader, c Codec[T], people People, store func([]T) error) ([]T, error) {
	records, lines, err := Read(in, c, people)
	if err != nil {
		return nil, err
	}
	if err := store(records); err != nil {
		msg := attest.ErrorMessage(err)
		var n int
		if i := strings.Index(msg, "record "); attest.ErrorCode(err) == attest.EINVALID && i >= 0 {
			if _, scanErr := fmt.Sscanf(msg[i:], "record %d:", &n); scanErr == nil && n >= 1 && n <= len(lines) {
				_, rest, _ := strings.Cut(msg[i:], ": ")
				return nil, attest.FieldErrorf(attest.ErrorField(err), "CSV line %d, column %s: %s", lines[n-1], attest.ErrorField(err), rest)
			}
		}
		return nil, err
	}
	return records, nil
}
