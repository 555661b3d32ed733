package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/internal/testdb"
)

// The schema is written twice, once per database. These tests migrate both
// and compare what they built, so a column, index or foreign key added to
// one dialect only fails here.

// schema is a database's tables as both dialects can describe them.
type schema map[string]*tableDef

type tableDef struct {
	columns map[string]columnDef
	pk      string   // primary key columns, comma-separated
	indexes []string // "unique (a, b)" or "(a, b)", sorted
	fks     []string // "(a) -> t (b) on delete cascade", sorted
}

type columnDef struct {
	class   string // integer, real, text, boolean, time, blob
	notNull bool
	dflt    string // normalized; "" when none
}

// TestSchemasAgree migrates SQLite and PostgreSQL and compares their
// tables, columns (type class, nullability, default), primary keys,
// indexes and foreign keys.
func TestSchemasAgree(t *testing.T) {
	base := os.Getenv(testdb.EnvPostgres)
	if base == "" {
		t.Skipf("%s is not set: there is no PostgreSQL schema to compare with", testdb.EnvPostgres)
	}
	ctx := context.Background()
	lite, err := Open(ctx, Config{DataDir: t.TempDir()}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	pg, err := Open(ctx, Config{DatabaseURL: testdb.Postgres(t, base)}, catalog.MustSOC2())
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	a, err := sqliteSchema(ctx, lite.db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := postgresSchema(ctx, pg.db)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) < 10 {
		t.Fatalf("read only %d SQLite tables: the introspection is broken", len(a))
	}
	for _, d := range compareSchemas(a, b) {
		t.Error(d)
	}
}

// TestSchemaComparerCatchesDrift: the comparer reports a column, an
// index, a nullability and a foreign key that only one side has.
func TestSchemaComparerCatchesDrift(t *testing.T) {
	ctx := context.Background()
	open := func() *DB {
		db, err := Open(ctx, Config{DataDir: t.TempDir()}, catalog.MustSOC2())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a, b := open(), open()
	for _, ddl := range []string{
		`ALTER TABLE tasks ADD COLUMN extra TEXT`,
		`CREATE INDEX tasks_title ON tasks (org_id, title)`,
		`CREATE TABLE drift (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES organizations (id), note TEXT NOT NULL DEFAULT 'x')`,
	} {
		if _, err := b.db.Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	sa, err := sqliteSchema(ctx, a.db)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sqliteSchema(ctx, b.db)
	if err != nil {
		t.Fatal(err)
	}
	if d := compareSchemas(sa, sa); len(d) != 0 {
		t.Fatalf("a schema differs from itself: %v", d)
	}
	got := strings.Join(compareSchemas(sa, sb), "\n")
	for _, want := range []string{"tasks.extra", "tasks: index (org_id, title)", "table drift"} {
		if !strings.Contains(got, want) {
			t.Errorf("the differences do not mention %q:\n%s", want, got)
		}
	}
	// A column that differs in type class, nullability or default.
	sb = cloneSchema(sa)
	c := sb["tasks"].columns["title"]
	c.notNull, c.class = false, "integer"
	sb["tasks"].columns["title"] = c
	sb["tasks"].fks = nil
	got = strings.Join(compareSchemas(sa, sb), "\n")
	for _, want := range []string{"tasks.title: text not null", "tasks: foreign key"} {
		if !strings.Contains(got, want) {
			t.Errorf("the differences do not mention %q:\n%s", want, got)
		}
	}
}

func cloneSchema(s schema) schema {
	out := schema{}
	for n, t := range s {
		cols := map[string]columnDef{}
		for k, v := range t.columns {
			cols[k] = v
		}
		out[n] = &tableDef{columns: cols, pk: t.pk, indexes: append([]string{}, t.indexes...), fks: append([]string{}, t.fks...)}
	}
	return out
}

// compareSchemas lists every difference between a (SQLite) and b
// (PostgreSQL), in a stable order.
func compareSchemas(a, b schema) []string {
	var out []string
	for _, name := range unionKeys(a, b) {
		ta, tb := a[name], b[name]
		switch {
		case tb == nil:
			out = append(out, fmt.Sprintf("table %s exists on SQLite only", name))
			continue
		case ta == nil:
			out = append(out, fmt.Sprintf("table %s exists on PostgreSQL only", name))
			continue
		}
		for _, col := range unionKeys(ta.columns, tb.columns) {
			ca, oka := ta.columns[col]
			cb, okb := tb.columns[col]
			switch {
			case !okb:
				out = append(out, fmt.Sprintf("%s.%s exists on SQLite only", name, col))
			case !oka:
				out = append(out, fmt.Sprintf("%s.%s exists on PostgreSQL only", name, col))
			case ca != cb:
				out = append(out, fmt.Sprintf("%s.%s: %s on SQLite, %s on PostgreSQL", name, col, ca, cb))
			}
		}
		if ta.pk != tb.pk {
			out = append(out, fmt.Sprintf("%s: primary key (%s) on SQLite, (%s) on PostgreSQL", name, ta.pk, tb.pk))
		}
		out = append(out, listDiff(name+": index", ta.indexes, tb.indexes)...)
		out = append(out, listDiff(name+": foreign key", ta.fks, tb.fks)...)
	}
	return out
}

func (c columnDef) String() string {
	s := c.class
	if c.notNull {
		s += " not null"
	}
	if c.dflt != "" {
		s += " default " + c.dflt
	}
	return s
}

func listDiff(what string, a, b []string) []string {
	in := func(xs []string, x string) bool {
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	}
	var out []string
	for _, x := range a {
		if !in(b, x) {
			out = append(out, fmt.Sprintf("%s %s exists on SQLite only", what, x))
		}
	}
	for _, x := range b {
		if !in(a, x) {
			out = append(out, fmt.Sprintf("%s %s exists on PostgreSQL only", what, x))
		}
	}
	return out
}

func unionKeys[V any](a, b map[string]V) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ignoredTable names tables that are not the application's schema: the
// migration tool's and the job queue's (River keeps its own).
func ignoredTable(name string) bool {
	return name == "goose_db_version" || strings.HasPrefix(name, "river_") || strings.HasPrefix(name, "sqlite_")
}

// typeClass maps a declared type to what both databases store alike.
func typeClass(decl string) string {
	d := strings.ToLower(strings.TrimSpace(decl))
	switch {
	case strings.Contains(d, "int"), d == "serial", d == "bigserial":
		return "integer"
	case strings.Contains(d, "bool"):
		return "boolean"
	case strings.Contains(d, "timestamp"), d == "date", d == "datetime":
		return "time"
	case strings.Contains(d, "real"), strings.Contains(d, "double"), strings.Contains(d, "numeric"), strings.Contains(d, "float"):
		return "real"
	case strings.Contains(d, "char"), strings.Contains(d, "text"), d == "":
		return "text"
	case strings.Contains(d, "blob"), d == "bytea":
		return "blob"
	}
	return d
}

var castSuffix = regexp.MustCompile(`::[a-z ]+(\[\])?$`)

// normalizeDefault writes a default the same way for both databases:
// casts dropped, booleans as 1 and 0, identity columns without one.
func normalizeDefault(d string) string {
	d = strings.ToLower(strings.TrimSpace(d))
	d = castSuffix.ReplaceAllString(d, "")
	d = strings.TrimSuffix(strings.TrimPrefix(d, "("), ")")
	switch {
	case strings.HasPrefix(d, "nextval("):
		return ""
	case d == "true":
		return "1"
	case d == "false":
		return "0"
	case d == "now()", d == "current_timestamp":
		return "now"
	}
	return d
}

func sqliteSchema(ctx context.Context, db *sql.DB) (schema, error) {
	names, err := strings1(ctx, db, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := schema{}
	for _, name := range names {
		if ignoredTable(name) {
			continue
		}
		t := &tableDef{columns: map[string]columnDef{}}
		rows, err := db.QueryContext(ctx, `SELECT name, type, "notnull", COALESCE(dflt_value, ''), pk FROM pragma_table_info(?)`, name)
		if err != nil {
			return nil, err
		}
		pk := map[int]string{}
		for rows.Next() {
			var col, typ, dflt string
			var notNull bool
			var pkPos int
			if err := rows.Scan(&col, &typ, &notNull, &dflt, &pkPos); err != nil {
				rows.Close()
				return nil, err
			}
			if pkPos > 0 {
				pk[pkPos] = col
				notNull = true // SQLite allows NULL in some keys; the schema never means it
			}
			t.columns[col] = columnDef{class: typeClass(typ), notNull: notNull, dflt: normalizeDefault(dflt)}
		}
		rows.Close()
		for i := 1; i <= len(pk); i++ {
			t.pk = strings.TrimPrefix(t.pk+", "+pk[i], ", ")
		}
		idx, err := db.QueryContext(ctx, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, name)
		if err != nil {
			return nil, err
		}
		type ix struct {
			name, origin string
			unique       bool
			partial      bool
		}
		var ixs []ix
		for idx.Next() {
			var x ix
			if err := idx.Scan(&x.name, &x.unique, &x.origin, &x.partial); err != nil {
				idx.Close()
				return nil, err
			}
			ixs = append(ixs, x)
		}
		idx.Close()
		for _, x := range ixs {
			if x.origin == "pk" {
				continue
			}
			cols, err := strings1(ctx, db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, x.name)
			if err != nil {
				return nil, err
			}
			t.indexes = append(t.indexes, indexString(cols, x.unique, x.partial))
		}
		fk, err := db.QueryContext(ctx, `SELECT id, "table", "from", COALESCE("to", ''), on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, name)
		if err != nil {
			return nil, err
		}
		type fkey struct {
			table, onDelete string
			from, to        []string
		}
		byID := map[int]*fkey{}
		var ids []int
		for fk.Next() {
			var id int
			var table, from, to, onDelete string
			if err := fk.Scan(&id, &table, &from, &to, &onDelete); err != nil {
				fk.Close()
				return nil, err
			}
			f := byID[id]
			if f == nil {
				f = &fkey{table: table, onDelete: onDelete}
				byID[id] = f
				ids = append(ids, id)
			}
			f.from, f.to = append(f.from, from), append(f.to, to)
		}
		fk.Close()
		for _, id := range ids {
			f := byID[id]
			if len(f.to) == 1 && f.to[0] == "" { // the referenced table's primary key
				if f.to, err = strings1(ctx, db, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, f.table); err != nil {
					return nil, err
				}
			}
			t.fks = append(t.fks, fkString(f.from, f.table, f.to, f.onDelete))
		}
		sort.Strings(t.indexes)
		sort.Strings(t.fks)
		out[name] = t
	}
	return out, nil
}

func postgresSchema(ctx context.Context, db *sql.DB) (schema, error) {
	out := schema{}
	rows, err := db.QueryContext(ctx, `SELECT table_name, column_name, data_type, is_nullable = 'NO', COALESCE(column_default, ''), is_identity = 'YES'
		FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var table, col, typ, dflt string
		var notNull, identity bool
		if err := rows.Scan(&table, &col, &typ, &notNull, &dflt, &identity); err != nil {
			rows.Close()
			return nil, err
		}
		if ignoredTable(table) {
			continue
		}
		t := out[table]
		if t == nil {
			t = &tableDef{columns: map[string]columnDef{}}
			out[table] = t
		}
		if identity {
			dflt = ""
		}
		t.columns[col] = columnDef{class: typeClass(typ), notNull: notNull, dflt: normalizeDefault(dflt)}
	}
	rows.Close()
	// Indexes, primary keys included, with their columns in order.
	idx, err := db.QueryContext(ctx, `SELECT t.relname, i.indisprimary, i.indisunique, i.indpred IS NOT NULL,
			array_to_string(ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n), ',')
		FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE ns.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	for idx.Next() {
		var table, cols string
		var primary, unique, partial bool
		if err := idx.Scan(&table, &primary, &unique, &partial, &cols); err != nil {
			idx.Close()
			return nil, err
		}
		t := out[table]
		if t == nil {
			continue
		}
		if primary {
			t.pk = strings.ReplaceAll(cols, ",", ", ")
			continue
		}
		t.indexes = append(t.indexes, indexString(strings.Split(cols, ","), unique, partial))
	}
	idx.Close()
	fk, err := db.QueryContext(ctx, `SELECT t.relname, r.relname, c.confdeltype,
			array_to_string(ARRAY(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n), ','),
			array_to_string(ARRAY(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.n), ',')
		FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
		JOIN pg_namespace ns ON ns.oid = t.relnamespace
		WHERE c.contype = 'f' AND ns.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	onDelete := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
	for fk.Next() {
		var table, ref, del, from, to string
		if err := fk.Scan(&table, &ref, &del, &from, &to); err != nil {
			fk.Close()
			return nil, err
		}
		if t := out[table]; t != nil {
			t.fks = append(t.fks, fkString(strings.Split(from, ","), ref, strings.Split(to, ","), onDelete[del]))
		}
	}
	fk.Close()
	for _, t := range out {
		sort.Strings(t.indexes)
		sort.Strings(t.fks)
	}
	return out, nil
}

func indexString(cols []string, unique, partial bool) string {
	s := "(" + strings.Join(cols, ", ") + ")"
	if unique {
		s = "unique " + s
	}
	if partial {
		s += " where …"
	}
	return s
}

func fkString(from []string, table string, to []string, onDelete string) string {
	return fmt.Sprintf("(%s) -> %s (%s) on delete %s", strings.Join(from, ", "), table, strings.Join(to, ", "), strings.ToLower(onDelete))
}

// strings1 returns the first column of every row.
func strings1(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
