// Package stmtcache keeps, on every connection of a database/sql driver, the statements it
// ran with arguments prepared: the server parses and analyses such a statement once per
// connection instead of at every execution, and after a few executions PostgreSQL may use
// a generic plan instead of planning each time (plan_cache_mode decides). Parsing and
// planning were a quarter of the database's CPU time in orderbot's order dialog.
//
// Statements without arguments go through unchanged (the driver's simple protocol), and
// so does everything asked for with Prepare (lib/pq's COPY among them). A connection
// keeps at most Max statements; once full, further ones run unprepared: a statement is
// never closed while its connection lives, so nothing is closed under a query in progress.
package stmtcache

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
)

// Max is the number of statements a connection keeps prepared.
const Max = 256

// Wrap returns a connector whose connections keep their statements prepared.
func Wrap(c driver.Connector) driver.Connector { return &connector{inner: c} }

type connector struct{ inner driver.Connector }

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	cn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	// The connection must offer what database/sql would otherwise use directly.
	p, ok1 := cn.(driver.ConnPrepareContext)
	e, ok2 := cn.(driver.ExecerContext)
	q, ok3 := cn.(driver.QueryerContext)
	if !ok1 || !ok2 || !ok3 {
		return cn, nil
	}
	return &conn{Conn: cn, prep: p, exec: e, query: q, stmts: map[string]driver.Stmt{}}, nil
}

func (c *connector) Driver() driver.Driver { return c.inner.Driver() }

// conn is one connection; database/sql never uses a connection from two goroutines at once.
type conn struct {
	driver.Conn
	prep  driver.ConnPrepareContext
	exec  driver.ExecerContext
	query driver.QueryerContext
	stmts map[string]driver.Stmt
}

var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
)

// stmt returns the prepared statement of query, preparing it when the connection has
// room; nil means run it unprepared.
func (c *conn) stmt(ctx context.Context, query string) (driver.Stmt, error) {
	if st, ok := c.stmts[query]; ok || len(c.stmts) >= Max {
		return st, nil
	}
	st, err := c.prep.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.stmts[query] = st
	return st, nil
}

// forget drops a statement the server no longer accepts (it was deallocated, or a schema
// change altered its result); the next use prepares it again.
func (c *conn) forget(query string, err error) {
	if stale(err) {
		delete(c.stmts, query)
	}
}

// stale reports an error of a prepared statement that preparing it again cures:
// SQLSTATE 26000 (no such prepared statement) or 0A000's "cached plan must not change
// result type".
func stale(err error) bool {
	var coded interface{ SQLState() string }
	if !errors.As(err, &coded) {
		return false
	}
	switch coded.SQLState() {
	case "26000":
		return true
	case "0A000":
		return strings.Contains(err.Error(), "cached plan")
	}
	return false
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.exec.ExecContext(ctx, query, args)
	}
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.exec.ExecContext(ctx, query, args)
	}
	res, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
	if err != nil {
		c.forget(query, err)
	}
	return res, err
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		return c.query.QueryContext(ctx, query, args)
	}
	st, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return c.query.QueryContext(ctx, query, args)
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		c.forget(query, err)
	}
	return rows, err
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.prep.PrepareContext(ctx, query)
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the driver offers nothing else
}

func (c *conn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// Close closes the connection; its prepared statements go with it on the server.
func (c *conn) Close() error {
	clear(c.stmts)
	return c.Conn.Close()
}
