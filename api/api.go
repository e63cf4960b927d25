// Package api is the channel API: agents, distributors and online platforms place and
// follow orders over HTTP JSON, under the same rules as chat orders (the same
// orders.Service), and are told of every change of their orders by signed webhooks.
//
// It is a sibling of package bot: it never imports bot or conversation. The OpenAPI 3.1
// description is generated from the Go types by huma and served at /api/v1/openapi.json;
// errors are RFC 9457 problems with a stable type each (problem.go).
package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/orderbot/orderbot/orders"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Desk is the order desk the API works on; *orders.Service implements it.
type Desk interface {
	PlaceThroughChannel(ctx context.Context, channel string, d orders.Draft) (orders.Order, bool, error)
	Quote(ctx context.Context, d orders.Draft) (orders.Quote, error)
	ChannelOrder(ctx context.Context, channel, number string) (orders.Order, error)
	ChannelCancel(ctx context.Context, channel, number, reason string) (orders.ChangeRequest, orders.Order, error)
	ChannelDecide(ctx context.Context, channel, number string, accept bool) (orders.Order, error)
	Products(ctx context.Context, f orders.ProductFilter) ([]orders.Product, error)
	Product(ctx context.Context, sku string) (orders.Product, error)
	Rules() orders.Rules
	Today() orders.Date
}

// Store keeps the channels, the idempotency records and the channels' order listings;
// *pgstore.Store implements it.
type Store interface {
	ChannelByKey(ctx context.Context, keyHash string) (orders.Channel, error)
	BeginIdempotent(ctx context.Context, channelID int64, key, hash string, ttl, stale time.Duration) (orders.IdempotencyRecord, bool, error)
	FinishIdempotent(ctx context.Context, channelID int64, key string, status int, body []byte) error
	ForgetIdempotent(ctx context.Context, channelID int64, key string) error
	PruneIdempotency(ctx context.Context, before time.Time) (int64, error)
	ChannelOrders(ctx context.Context, f orders.ChannelOrderFilter) ([]orders.Order, []time.Time, error)
}

// Config configures a Server. Desk and Store are required.
type Config struct {
	Desk  Desk
	Store Store
	// Redis shares the rate limits between instances; nil: no rate limit.
	Redis       redis.UniversalClient
	RedisPrefix string // default "orderbot:"
	// Rate is the requests per second each channel may make, all instances together
	// (default 20); Burst how many may come at once (default 2 × Rate).
	Rate  int
	Burst int
	// MaxBody is the largest request body (default 1 MiB).
	MaxBody int64
	// IdempotencyTTL is how long a first response is replayed (default 24 h).
	IdempotencyTTL time.Duration
	Logger         *slog.Logger
	Now            func() time.Time
}

// Server serves the API.
type Server struct {
	cfg     Config
	desk    Desk
	store   Store
	log     *slog.Logger
	now     func() time.Time
	limiter *redis_rate.Limiter
	api     huma.API
	mux     *http.ServeMux
}

// staleInFlight is how long a request may hold its idempotency key before another
// request with the key may take it over (the first one died).
const staleInFlight = 2 * time.Minute

// New returns the API's server.
func New(cfg Config) (*Server, error) {
	if cfg.Desk == nil || cfg.Store == nil {
		return nil, errors.New("api: Config.Desk and Config.Store are required")
	}
	if cfg.RedisPrefix == "" {
		cfg.RedisPrefix = "orderbot:"
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 20
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 2 * cfg.Rate
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, desk: cfg.Desk, store: cfg.Store, log: cfg.Logger, now: cfg.Now, mux: http.NewServeMux()}
	if cfg.Redis != nil {
		s.limiter = redis_rate.NewLimiter(cfg.Redis)
	}
	hc := huma.DefaultConfig("orderbot channel API", "1.0.0")
	hc.CreateHooks = nil // no $schema links in bodies
	hc.DocsPath = ""
	hc.SchemasPath = ""
	hc.OpenAPIPath = Prefix + "/openapi"
	hc.Transformers = []huma.Transformer{transform}
	hc.Info.Description = "Orders from agents, distributors and online platforms, under the same rules as chat orders. " +
		"Authenticate with `Authorization: Bearer <key>`; send an `Idempotency-Key` with every POST."
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "the channel's API key"},
	}
	hc.Security = []map[string][]string{{"bearer": {}}}
	s.api = humago.New(s.mux, hc)
	s.register()
	useProblemSchema(s.api)
	return s, nil
}

// OpenAPI returns the API's description.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

// Handler returns the HTTP handler: authentication, rate limit, body checks and
// idempotency around the operations.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serve) }

// Prune deletes the idempotency records older than their time to live.
func (s *Server) Prune(ctx context.Context) (int64, error) {
	return s.store.PruneIdempotency(ctx, s.now().Add(-s.cfg.IdempotencyTTL))
}

// PruneLoop prunes every interval until ctx ends.
func (s *Server) PruneLoop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Prune(ctx); err != nil {
			s.log.WarnContext(ctx, "idempotency keys not pruned", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "idempotency keys pruned", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

type ctxKey struct{}

// channelOf returns the authenticated channel of the request.
func channelOf(ctx context.Context) orders.Channel {
	c, _ := ctx.Value(ctxKey{}).(orders.Channel)
	return c
}

// HashKey is how API keys are stored: the hex SHA-256 of the key.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, Prefix+"/") {
		problem(http.StatusNotFound, TypeNotFound, "the API is under "+Prefix).write(w, r)
		return
	}
	if r.URL.Path == Prefix+"/openapi.json" || r.URL.Path == Prefix+"/openapi.yaml" {
		s.mux.ServeHTTP(w, r)
		return
	}
	ctx := r.Context()
	ch, p := s.authenticate(ctx, r)
	if p != nil {
		p.write(w, r)
		return
	}
	if p := s.limit(ctx, ch); p != nil {
		p.write(w, r)
		return
	}
	ctx = context.WithValue(ctx, ctxKey{}, ch)
	r = r.WithContext(ctx)
	if _, pattern := s.mux.Handler(r); pattern == "" {
		problem(http.StatusNotFound, TypeNotFound, "no such endpoint").write(w, r)
		return
	}
	if r.Method != http.MethodPost {
		s.mux.ServeHTTP(w, r)
		return
	}
	body, p := s.readBody(w, r)
	if p != nil {
		p.write(w, r)
		return
	}
	s.idempotent(w, r, ch, body)
}

// authenticate finds the channel of the request's bearer key.
func (s *Server) authenticate(ctx context.Context, r *http.Request) (orders.Channel, *Problem) {
	unauthorized := func(detail string) *Problem {
		p := problem(http.StatusUnauthorized, TypeUnauthorized, detail)
		p.headers = http.Header{"Www-Authenticate": {`Bearer realm="orderbot"`}}
		return p
	}
	scheme, key, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		return orders.Channel{}, unauthorized("send the channel's API key as Authorization: Bearer <key>")
	}
	ch, err := s.store.ChannelByKey(ctx, HashKey(strings.TrimSpace(key)))
	switch {
	case errors.Is(err, orders.ErrNotFound):
		return orders.Channel{}, unauthorized("the API key is not valid (wrong, rotated or revoked)")
	case err != nil:
		s.log.ErrorContext(ctx, "channel key lookup failed", "err", err)
		return orders.Channel{}, problem(http.StatusServiceUnavailable, TypeUnavailable, "try again shortly")
	}
	return ch, nil
}

// limit applies the channel's rate limit, shared by every instance through Redis. When
// Redis is down the request goes through: the limit protects the desk, it is not worth
// refusing orders for.
func (s *Server) limit(ctx context.Context, ch orders.Channel) *Problem {
	if s.limiter == nil {
		return nil
	}
	key := s.cfg.RedisPrefix + "api:rate:" + strconv.FormatInt(ch.ID, 10)
	res, err := s.limiter.Allow(ctx, key, redis_rate.Limit{Rate: s.cfg.Rate, Burst: s.cfg.Burst, Period: time.Second})
	if err != nil {
		s.log.WarnContext(ctx, "rate limit not checked", "err", err)
		return nil
	}
	if res.Allowed > 0 {
		return nil
	}
	secs := max(1, int(math.Ceil(res.RetryAfter.Seconds())))
	p := problem(http.StatusTooManyRequests, TypeRateLimited,
		fmt.Sprintf("more than %d requests per second; retry after %d s", s.cfg.Rate, secs))
	p.RetryAfter = secs
	p.headers = http.Header{"Retry-After": {strconv.Itoa(secs)}}
	return p
}

// readBody checks the content type and reads the body within the size limit.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *Problem) {
	if r.ContentLength > s.cfg.MaxBody {
		return nil, problem(http.StatusRequestEntityTooLarge, TypeBodyTooLarge,
			fmt.Sprintf("the body may have at most %d bytes", s.cfg.MaxBody))
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBody))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, problem(http.StatusRequestEntityTooLarge, TypeBodyTooLarge,
			fmt.Sprintf("the body may have at most %d bytes", s.cfg.MaxBody))
	case err != nil:
		return nil, problem(http.StatusBadRequest, TypeBadRequest, "the body could not be read")
	}
	if len(body) > 0 || r.Header.Get("Content-Type") != "" {
		mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, problem(http.StatusUnsupportedMediaType, TypeUnsupportedMediaType,
				"send the body as application/json")
		}
	}
	return body, nil
}

// idempotent runs a POST under Stripe's idempotency rules: the first response to a key
// (status and body) is kept and replayed for IdempotencyTTL; the same key with another
// request is refused (422); while the first request runs, others with its key get 409.
// A response that says the server failed (5xx) is not kept: the request may be retried
// with the same key (placing an order is idempotent by the key in the database as well).
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, ch orders.Channel, body []byte) {
	ctx := r.Context()
	key := r.Header.Get("Idempotency-Key")
	switch {
	case key == "":
		problem(http.StatusBadRequest, TypeIdempotencyKeyNeeded,
			"send an Idempotency-Key header (a UUID, say) with every POST; retry with the same key").write(w, r)
		return
	case len(key) > 255:
		problem(http.StatusBadRequest, TypeIdempotencyKeyBad, "the Idempotency-Key may have at most 255 characters").write(w, r)
		return
	}
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	hash := hex.EncodeToString(h.Sum(nil))
	rec, fresh, err := s.store.BeginIdempotent(ctx, ch.ID, key, hash, s.cfg.IdempotencyTTL, staleInFlight)
	if err != nil {
		s.log.ErrorContext(ctx, "idempotency key not checked", "err", err)
		problem(http.StatusServiceUnavailable, TypeUnavailable, "try again shortly with the same Idempotency-Key").write(w, r)
		return
	}
	if !fresh {
		switch {
		case rec.Hash != hash:
			problem(http.StatusUnprocessableEntity, TypeIdempotencyKeyReused,
				"this Idempotency-Key was used with another request: use a new key for a new request").write(w, r)
		case rec.Status == 0:
			problem(http.StatusConflict, TypeIdempotencyInFlight,
				"a request with this Idempotency-Key is still being processed; retry shortly").write(w, r)
		default:
			ct := "application/json"
			if rec.Status >= 400 {
				ct = "application/problem+json"
			}
			w.Header().Set("Content-Type", ct)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(rec.Status)
			_, _ = w.Write(rec.Body)
		}
		return
	}
	rr := &recorder{header: http.Header{}}
	// The placement's own key: a key reused after its time to live is a new placement.
	r = r.WithContext(context.WithValue(ctx, idemCtxKey{}, key+":"+hash[:16]))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	s.mux.ServeHTTP(rr, r)
	if rr.status == 0 {
		rr.status = http.StatusOK
	}
	// The outcome is recorded even when the client has gone.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if rr.status >= 500 {
		if err := s.store.ForgetIdempotent(sctx, ch.ID, key); err != nil {
			s.log.WarnContext(ctx, "idempotency key not released", "err", err)
		}
	} else if err := s.store.FinishIdempotent(sctx, ch.ID, key, rr.status, rr.body.Bytes()); err != nil {
		s.log.ErrorContext(ctx, "response not kept for its idempotency key", "err", err)
	}
	for k, vs := range rr.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(rr.status)
	_, _ = w.Write(rr.body.Bytes())
}

// recorder keeps a response to store it before it is sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}

// useProblemSchema documents every error response as a Problem.
func useProblemSchema(a huma.API) {
	oapi := a.OpenAPI()
	schema := oapi.Components.Schemas.Schema(typeOf[Problem](), true, "Problem")
	for _, item := range oapi.Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			for code, resp := range op.Responses {
				if code == "default" || (len(code) == 3 && code[0] >= '4') {
					resp.Content = map[string]*huma.MediaType{"application/problem+json": {Schema: schema}}
				}
			}
		}
	}
}
