package bot

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	tgbot "github.com/go-telegram/bot"

	"github.com/orderbot/orderbot/conversation"
)

// isPermanent reports whether handling an update failed for good, so that handling it
// again would fail again: Telegram refused a reply (400, 403), a handler panicked, or the
// desk returned an error the dialog does not explain. Failures that may pass — the network,
// Telegram's 5xx and 429, PostgreSQL or Redis unavailable or overloaded, a timeout, a turn
// that lost its chat — are transient: the update is retried with backoff.
func isPermanent(err error) bool {
	var pe *permanentError
	switch {
	case err == nil:
		return false
	case errors.As(err, &pe):
		return true
	case errors.Is(err, tgbot.ErrorForbidden), errors.Is(err, tgbot.ErrorBadRequest), tgbot.IsMigrateError(errors.Unwrap(err)):
		return true
	}
	return !isTransient(err)
}

// isTransient reports whether err may pass when the update is handled again.
func isTransient(err error) bool {
	var (
		tooMany *tgbot.TooManyRequestsError
		netErr  net.Error
		sqlErr  interface{ SQLState() string }
		redis   interface{ RedisError() }
	)
	switch {
	case errors.As(err, &tooMany),
		errors.Is(err, conversation.ErrLockLost),
		errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.ErrClosedPipe),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, tgbot.ErrorUnauthorized), errors.Is(err, tgbot.ErrorNotFound), errors.Is(err, tgbot.ErrorConflict):
		// A wrong token or URL (401, 404) is the operator's to fix, not the update's fault.
		return true
	case errors.As(err, &sqlErr):
		return transientSQLState(sqlErr.SQLState())
	case errors.As(err, &redis):
		msg := err.Error()
		for _, p := range []string{"LOADING", "BUSY", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN", "READONLY", "OOM"} {
			if strings.Contains(msg, p) {
				return true
			}
		}
		return false
	}
	msg := err.Error()
	// Telegram answered 5xx (the client reports other codes this way), or the Redis or
	// database client gave up on a connection.
	for _, s := range []string{"error response from telegram", "connection refused", "connection reset",
		"broken pipe", "i/o timeout", "redis: client is closed", "redis: connection pool timeout",
		"sql: database is closed", "driver: bad connection"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// transientSQLState reports whether a PostgreSQL error code is one that may pass: a
// connection exception, insufficient resources, an operator intervention (a shutdown), a
// system error, a serialization failure or deadlock, a lock not available, a read-only
// server (a failover).
func transientSQLState(code string) bool {
	if len(code) != 5 {
		return false
	}
	switch code[:2] {
	case "08", "53", "57", "58", "40":
		return true
	}
	return code == "55P03" || code == "25006"
}
