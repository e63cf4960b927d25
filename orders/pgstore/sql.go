package pgstore

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/orders"
)

// query builds a statement with numbered parameters.
type query struct {
	sql   strings.Builder
	args  []any
	where int // conditions added
}

func newQuery(base string) *query {
	q := &query{}
	q.sql.WriteString(base)
	return q
}

// arg adds a parameter and returns its placeholder.
func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// and adds a condition to the WHERE clause.
func (q *query) and(cond string) {
	if q.where == 0 {
		q.sql.WriteString(" WHERE ")
	} else {
		q.sql.WriteString(" AND ")
	}
	q.where++
	q.sql.WriteString(cond)
}

// add appends SQL text.
func (q *query) add(format string, args ...any) { fmt.Fprintf(&q.sql, format, args...) }

// page adds LIMIT and OFFSET; zero means no limit and no offset.
func (q *query) page(limit, offset int) {
	if limit > 0 {
		q.add(" LIMIT %s", q.arg(limit))
	}
	if offset > 0 {
		q.add(" OFFSET %s", q.arg(offset))
	}
}

func (q *query) String() string { return q.sql.String() }

// containsPattern returns the ILIKE pattern matching text anywhere, with LIKE's wildcards in
// text escaped.
func containsPattern(text string) string {
	var b strings.Builder
	b.WriteByte('%')
	for _, r := range text {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('%')
	return b.String()
}

// date scans a DATE column (NULL is the zero Date).
type date struct{ orders.Date }

// Scan implements sql.Scanner.
func (d *date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		d.Date = orders.Date{}
	case time.Time:
		d.Date = orders.DateOf(v)
	case []byte:
		return d.Date.UnmarshalText(v)
	case string:
		return d.Date.UnmarshalText([]byte(v))
	default:
		return fmt.Errorf("scan date: unexpected %T", src)
	}
	return nil
}

// dateArg is the parameter of a DATE: NULL for the zero Date.
func dateArg(d orders.Date) driver.Value {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

// timeArg is the parameter of a TIMESTAMPTZ: NULL for the zero time.
func timeArg(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t
}

// nullString is the parameter of a nullable TEXT: NULL for "".
func nullString(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}
