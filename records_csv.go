package attest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// CSVRow is one data row of an imported CSV file: its line and its cells
// by column name.
type CSVRow struct {
	Line   int
	header []string
	cells  map[string]string
}

// Get returns the trimmed cell of a column ("" when the file lacks it).
func (r CSVRow) Get(column string) string { return r.cells[column] }

// Errorf returns EINVALID naming the row's line and the column.
func (r CSVRow) Errorf(column, format string, args ...any) error {
	return FieldErrorf(column, "CSV line %d, column %s: %s", r.Line, column, fmt.Sprintf(format, args...))
}

// Wrap names the row's line and the field of err (a domain error whose
// field is the column it is about) in its message.
func (r CSVRow) Wrap(err error) error {
	if err == nil || ErrorCode(err) != EINVALID {
		return err
	}
	col := ErrorField(err)
	if col == "" {
		return FieldErrorf("", "CSV line %d: %s", r.Line, ErrorMessage(err))
	}
	return FieldErrorf(col, "CSV line %d, column %s: %s", r.Line, col, ErrorMessage(err))
}

// ReadCSV reads a CSV file with a header row: every column must be one of
// known, the required ones present; each data row is handed to fn, whose
// error (naming line and column) stops the reading. Nothing is stored
// here: callers collect the rows and store them all or none.
func ReadCSV(in io.Reader, known, required []string, fn func(CSVRow) error) error {
	r := csv.NewReader(in)
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return Errorf(EINVALID, "the CSV file is empty")
	}
	if err != nil {
		return Errorf(EINVALID, "CSV: %v", err)
	}
	for i, h := range header {
		if err := ValidText(fmt.Sprintf("CSV line 1, column %d", i+1), h); err != nil {
			return err
		}
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(known, h) {
			return Errorf(EINVALID, "CSV line 1, column %d: unknown column %q (known: %s)", i+1, h, strings.Join(known, ", "))
		}
		header[i] = h
	}
	for _, req := range required {
		if !slices.Contains(header, req) {
			return Errorf(EINVALID, "CSV line 1: the column %s is required", req)
		}
	}
	rows := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Errorf(EINVALID, "CSV: %v", err)
		}
		line, _ := r.FieldPos(0)
		row := CSVRow{Line: line, header: header, cells: make(map[string]string, len(header))}
		for i, v := range rec {
			if err := ValidText(fmt.Sprintf("CSV line %d, column %s", line, header[i]), v); err != nil {
				return err
			}
			row.cells[header[i]] = strings.TrimSpace(v)
		}
		if err := fn(row); err != nil {
			return row.Wrap(err)
		}
		rows++
	}
	if rows == 0 {
		return Errorf(EINVALID, "the CSV file has no rows")
	}
	return nil
}

// CSVDate parses a date cell of a row.
func (r CSVRow) Date(column string) (Date, error) {
	d, err := ParseDate(r.Get(column))
	if err != nil {
		return "", r.Errorf(column, "%s", ErrorMessage(err))
	}
	return d, nil
}

// Bool parses a yes/no cell of a row ("" is no).
func (r CSVRow) Bool(column string) (bool, error) {
	switch strings.ToLower(r.Get(column)) {
	case "", "no", "false", "0", "n":
		return false, nil
	case "yes", "true", "1", "y":
		return true, nil
	}
	return false, r.Errorf(column, "%q is not yes or no", r.Get(column))
}

// CSVSafe keeps a spreadsheet from reading an exported cell as a formula.
func CSVSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
