package orders

import (
	"errors"
	"fmt"
	"strings"
)

// Domain errors. Stores translate driver errors into these; the dialog and the
// CLI map them to what a person reads.
var (
	ErrNotFound          = errors.New("not found")
	ErrInvalidTransition = errors.New("invalid status transition")
	ErrOutOfStock        = errors.New("out of stock")
	ErrForbidden         = errors.New("forbidden")
	ErrConflict          = errors.New("conflict")
	ErrInvalid           = errors.New("invalid")
	ErrInactive          = errors.New("product not available")
	// ErrQuoteChanged: prices or dates changed since the customer saw the summary.
	ErrQuoteChanged = errors.New("the order changed since it was shown")
)

// StockShortage says which lines could not be reserved when an order was placed.
type StockShortage struct {
	Lines []Shortage
}

// Shortage is one line whose quantity exceeds what is available.
type Shortage struct {
	SKU       string
	Wanted    int
	Available int
}

func (e *StockShortage) Error() string {
	parts := make([]string, len(e.Lines))
	for i, l := range e.Lines {
		parts[i] = fmt.Sprintf("%s wanted %d, available %d", l.SKU, l.Wanted, l.Available)
	}
	return "out of stock: " + strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrOutOfStock) true for a *StockShortage.
func (e *StockShortage) Is(target error) bool { return target == ErrOutOfStock }

// ValidationError names the field that is wrong and why, for CLI and import errors.
type ValidationError struct {
	Line   int // 1-based line of an input file, 0 when not from a file
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason)
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true for a *ValidationError.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }
