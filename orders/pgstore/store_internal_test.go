package pgstore

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"github.com/orderbot/orderbot/orders"
)

func TestTranslate(t *testing.T) {
	pqErr := func(code pqerror.Code) error { return fmt.Errorf("query: %w", &pq.Error{Code: code, Message: "boom"}) }
	other := errors.New("network down")
	for _, tt := range []struct {
		err       error
		want      error // errors.Is target, nil when the error must pass through unchanged
		retryable bool
	}{
		{sql.ErrNoRows, orders.ErrNotFound, false},
		{fmt.Errorf("get: %w", sql.ErrNoRows), orders.ErrNotFound, false},
		{pqErr(pqerror.UniqueViolation), orders.ErrConflict, false},
		{pqErr(pqerror.CheckViolation), orders.ErrInvalid, false},
		{pqErr(pqerror.ForeignKeyViolation), orders.ErrInvalid, false},
		{pqErr(pqerror.NotNullViolation), orders.ErrInvalid, false},
		{pqErr(pqerror.NumericValueOutOfRange), orders.ErrInvalid, false},
		{pqErr(pqerror.TRSerializationFailure), nil, true},
		{pqErr(pqerror.TRDeadlockDetected), nil, true},
		{other, nil, false},
		{&orders.StockShortage{}, nil, false},
		{&orders.ValidationError{Field: "x"}, nil, false},
	} {
		got := translate(tt.err)
		switch {
		case tt.want == nil && got != tt.err:
			t.Errorf("translate(%v) = %v, want it unchanged", tt.err, got)
		case tt.want != nil && !errors.Is(got, tt.want):
			t.Errorf("translate(%v) = %v, want %v", tt.err, got, tt.want)
		}
		if tt.want != nil && pq.As(tt.err) != nil && pq.As(got) == nil {
			t.Errorf("translate(%v) dropped the driver error", tt.err)
		}
		if r := retryable(tt.err); r != tt.retryable {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, r, tt.retryable)
		}
	}
	if err := fail("place order", pqErr(pqerror.UniqueViolation)); !errors.Is(err, orders.ErrConflict) ||
		err.Error() != "place order: conflict: query: pq: boom (23505)" {
		t.Errorf("fail = %q", err)
	}
}

func TestContainsPattern(t *testing.T) {
	for in, want := range map[string]string{
		"chair":   "%chair%",
		"100%":    `%100\%%`,
		"x_1":     `%x\_1%`,
		`back\sl`: `%back\\sl%`,
		"办公椅":     "%办公椅%",
	} {
		if got := containsPattern(in); got != want {
			t.Errorf("containsPattern(%q) = %q, want %q", in, got, want)
		}
	}
}
