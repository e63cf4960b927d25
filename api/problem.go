package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// ProblemBase starts the type of every problem: the type of a problem is a stable URI a
// client may compare (RFC 9457); the README documents each.
const ProblemBase = "https://orderbot.dev/problems/"

// Problem types.
const (
	TypeUnauthorized         = ProblemBase + "unauthorized"           // 401: missing, wrong or revoked API key
	TypeNotFound             = ProblemBase + "not-found"              // 404: no such order (or another channel's)
	TypeMalformedJSON        = ProblemBase + "malformed-json"         // 400: the body is not JSON
	TypeInvalidField         = ProblemBase + "invalid-field"          // 422: fields say which
	TypeUnknownSKU           = ProblemBase + "unknown-sku"            // 422: no such product
	TypeProductUnavailable   = ProblemBase + "product-unavailable"    // 422: the product is not sold any more
	TypeInsufficientStock    = ProblemBase + "insufficient-stock"     // 409: lines say what is available
	TypeWantedDateTooEarly   = ProblemBase + "wanted-date-too-early"  // 422: earliest_date says the earliest
	TypeQuoteChanged         = ProblemBase + "quote-changed"          // 409: prices changed while placing; retry
	TypeInvalidTransition    = ProblemBase + "invalid-state"          // 409: the order's status does not allow it
	TypeBodyTooLarge         = ProblemBase + "body-too-large"         // 413
	TypeUnsupportedMediaType = ProblemBase + "unsupported-media-type" // 415: send application/json
	TypeIdempotencyKeyNeeded = ProblemBase + "idempotency-key-missing"
	TypeIdempotencyKeyBad    = ProblemBase + "idempotency-key-invalid"
	TypeIdempotencyKeyReused = ProblemBase + "idempotency-key-reused" // 422: same key, another request
	TypeIdempotencyInFlight  = ProblemBase + "idempotency-key-in-use" // 409: the first request is still running
	TypeRateLimited          = ProblemBase + "rate-limited"           // 429: Retry-After says when
	TypeMethodNotAllowed     = ProblemBase + "method-not-allowed"
	TypeInternal             = ProblemBase + "internal"        // 500: nothing was changed, or retry with the same key
	TypeUnavailable          = ProblemBase + "unavailable"     // 503
	TypeBadRequest           = ProblemBase + "bad-request"     // 400: anything else the request got wrong
	TypeInvalidCursor        = ProblemBase + "invalid-cursor"  // 400
	TypeInvalidQuery         = ProblemBase + "invalid-query"   // 400/422: a query parameter
	TypeCancelRefused        = ProblemBase + "cannot-cancel"   // 409: shipped orders cannot be cancelled
	TypeForbidden            = ProblemBase + "forbidden"       // 403
	TypeConflict             = ProblemBase + "conflict"        // 409: the order changed meanwhile; read it again
	TypeNoCustomer           = ProblemBase + "customer-needed" // 422: a platform names the end customer
)

// Problem is an RFC 9457 problem detail, the body of every error response.
type Problem struct {
	Type     string `json:"type" doc:"A stable URI identifying the kind of problem"`
	Title    string `json:"title" doc:"A short summary of the kind of problem"`
	Status   int    `json:"status" doc:"The HTTP status code"`
	Detail   string `json:"detail,omitempty" doc:"What went wrong this time, for people"`
	Instance string `json:"instance,omitempty" doc:"The request path"`
	// Errors name each invalid field.
	Errors []FieldError `json:"errors,omitempty" doc:"The invalid fields (invalid-field)"`
	// Lines say what is available of each line that lacks stock.
	Lines []ShortLine `json:"lines,omitempty" doc:"The lines that lack stock (insufficient-stock)"`
	// EarliestDate is the earliest wanted date that can be met.
	EarliestDate string `json:"earliest_date,omitempty" format:"date" doc:"The earliest possible delivery (wanted-date-too-early)"`
	// RetryAfter is how many seconds to wait.
	RetryAfter int `json:"retry_after,omitempty" doc:"Seconds to wait before retrying (rate-limited)"`

	headers http.Header
}

// FieldError names an invalid field.
type FieldError struct {
	Field   string `json:"field" doc:"The field, like lines[0].quantity"`
	Message string `json:"message"`
}

// ShortLine is a line that lacks stock.
type ShortLine struct {
	SKU       string `json:"sku"`
	Requested int    `json:"requested"`
	Available int    `json:"available"`
}

func (p *Problem) Error() string  { return p.Title + ": " + p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send problems as application/problem+json.
func (p *Problem) ContentType(string) string { return "application/problem+json" }

func problem(status int, typ, detail string) *Problem {
	return &Problem{Type: typ, Title: titleOf(typ, status), Status: status, Detail: detail}
}

func invalidField(field, message string) *Problem {
	p := problem(http.StatusUnprocessableEntity, TypeInvalidField, field+": "+message)
	p.Errors = []FieldError{{Field: field, Message: message}}
	return p
}

func titleOf(typ string, status int) string {
	name, ok := strings.CutPrefix(typ, ProblemBase)
	if !ok {
		return http.StatusText(status)
	}
	name = strings.ReplaceAll(name, "-", " ")
	return strings.ToUpper(name[:1]) + name[1:]
}

// write sends the problem, outside of huma.
func (p *Problem) write(w http.ResponseWriter, r *http.Request) {
	if p.Instance == "" && r != nil {
		p.Instance = r.URL.Path
	}
	for k, vs := range p.headers {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// fromHuma turns huma's own errors (a body that is not JSON or fails the schema, a body too
// large) into problems with stable types.
func fromHuma(ctx huma.Context, e *huma.ErrorModel) *Problem {
	var p *Problem
	switch e.Status {
	case http.StatusBadRequest:
		p = problem(e.Status, TypeMalformedJSON, "the body is not valid JSON")
		if len(e.Errors) > 0 && !strings.HasPrefix(e.Errors[0].Location, "body") {
			p = problem(e.Status, TypeInvalidQuery, e.Detail)
		}
	case http.StatusUnprocessableEntity:
		p = problem(e.Status, TypeInvalidField, "")
		var names []string
		for _, d := range e.Errors {
			field := strings.TrimPrefix(strings.TrimPrefix(d.Location, "body"), ".")
			if field == "" {
				field = "body"
			}
			if rest, ok := strings.CutPrefix(field, "query."); ok {
				field, p.Type, p.Title = rest, TypeInvalidQuery, titleOf(TypeInvalidQuery, e.Status)
			}
			p.Errors = append(p.Errors, FieldError{Field: field, Message: d.Message})
			names = append(names, field+": "+d.Message)
		}
		p.Detail = strings.Join(names, "; ")
	case http.StatusRequestEntityTooLarge:
		p = problem(e.Status, TypeBodyTooLarge, e.Detail)
	case http.StatusUnsupportedMediaType:
		p = problem(e.Status, TypeUnsupportedMediaType, "send application/json")
	case http.StatusNotFound:
		p = problem(e.Status, TypeNotFound, e.Detail)
	default:
		p = problem(e.Status, ProblemBase+strconv.Itoa(e.Status), e.Detail)
		p.Title = http.StatusText(e.Status)
	}
	if ctx != nil {
		p.Instance = ctx.URL().Path
	}
	return p
}

// transform is the huma transformer that makes every error a Problem.
func transform(ctx huma.Context, _ string, v any) (any, error) {
	switch e := v.(type) {
	case *huma.ErrorModel:
		return fromHuma(ctx, e), nil
	case *Problem:
		if e.Instance == "" {
			e.Instance = ctx.URL().Path
		}
		for k, vs := range e.headers {
			for _, h := range vs {
				ctx.AppendHeader(k, h)
			}
		}
		return e, nil
	}
	return v, nil
}
