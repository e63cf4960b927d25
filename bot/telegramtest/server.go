package telegramtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
)

// DefaultToken is the bot token a Server accepts unless WithToken is given.
const DefaultToken = "123456:TEST-TOKEN"

// ErrClosed is returned by waiting methods once the server has been closed.
var ErrClosed = errors.New("telegramtest: server closed")

// Option configures a Server.
type Option func(*config)

type config struct {
	token              string
	botFirstName       string
	botUsername        string
	globalLimit        int
	chatLimit          int
	webhookBackoff     time.Duration
	webhookConcurrency int
	webhookTimeout     time.Duration
	webhookAttempts    int
}

// WithToken sets the bot token the server accepts. It must have Telegram's
// "<bot id>:<secret>" shape; the numeric prefix becomes the bot's user id.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithBotUser sets the first name and username reported by getMe and used as
// the sender of the bot's messages. The defaults are "Test Bot" and "test_bot".
func WithBotUser(firstName, username string) Option {
	return func(c *config) {
		c.botFirstName = firstName
		c.botUsername = username
	}
}

// WithRateLimit enables flood control for sendMessage, sendDocument,
// sendPhoto, editMessageText and editMessageReplyMarkup: at most global
// requests per sliding second in total and at most perChat requests per
// sliding second to one chat. Zero or negative disables the respective limit.
// Requests over a limit are answered with HTTP 429 and retry_after and are not
// recorded as sent.
func WithRateLimit(global, perChat int) Option {
	return func(c *config) {
		c.globalLimit = global
		c.chatLimit = perChat
	}
}

// WithWebhookRetryBackoff sets the pause between failed webhook delivery
// attempts of the same update (default 50ms).
func WithWebhookRetryBackoff(d time.Duration) Option {
	return func(c *config) { c.webhookBackoff = d }
}

// WithWebhookConcurrency lets up to n updates be delivered to the webhook in
// parallel, whatever setWebhook's max_connections asked for. By default the server
// uses max_connections (40 when not given), as Telegram does. Updates of one chat are
// always delivered one at a time, in update_id order: the next only after the webhook
// answered the previous one, or the server gave up on it.
func WithWebhookConcurrency(n int) Option {
	return func(c *config) { c.webhookConcurrency = n }
}

// WithWebhookAttempts sets how many times an update is delivered to a webhook that fails
// (an error status, a timeout, no connection) before the server gives up on it and drops
// it, as Telegram does (default 10). See WebhookGaveUp.
func WithWebhookAttempts(n int) Option {
	return func(c *config) { c.webhookAttempts = n }
}

// WithWebhookTimeout bounds a single webhook delivery attempt (default 30s);
// an attempt that times out counts as failed and is retried.
func WithWebhookTimeout(d time.Duration) Option {
	return func(c *config) { c.webhookTimeout = d }
}

// User is a Telegram user the test acts as. A private chat with a user has
// the same id as the user.
type User struct {
	ID           int64
	FirstName    string
	LastName     string
	Username     string
	LanguageCode string
}

func (u User) model() *models.User {
	return &models.User{
		ID:           u.ID,
		FirstName:    u.FirstName,
		LastName:     u.LastName,
		Username:     u.Username,
		LanguageCode: u.LanguageCode,
	}
}

// CommandSet is one command list registered with setMyCommands.
type CommandSet struct {
	Commands []models.BotCommand
	// Scope is the scope object as sent, nil when the default scope was used.
	Scope        json.RawMessage
	LanguageCode string
}

// Server is a fake Telegram Bot API server. Create it with NewServer or New.
type Server struct {
	cfg     config
	botUser models.User
	httpSrv *httptest.Server
	methods map[string]methodSpec

	ctx       context.Context // canceled by Close; bounds webhook deliveries
	cancel    context.CancelFunc
	closed    chan struct{}
	closeOnce sync.Once
	workers   sync.WaitGroup
	hookHTTP  *http.Client
	hookTrans *http.Transport

	mu sync.Mutex

	// Update queue; see updates.go.
	nextUpdateID  int64
	queue         []*queued // sorted by id; entries before qhead are gone
	qhead         int
	redeliveries  []*queued
	history       map[int64]json.RawMessage
	pending       int
	updatesCh     chan struct{} // closed and cleared whenever the queue or webhook changes
	pollGen       uint64
	pollConflicts int
	webhook       webhookState

	// Chats and what the bot sent; see sent.go.
	users map[int64]User
	chats map[int64]*chatState
	all   []Sent

	calls          map[string]int
	callbacks      map[string]*callbackState
	answered       []string
	nextCallbackID int64
	nextFileID     int64
	files          map[string]*File
	commands       []commandEntry

	// Failure injection; see limits.go.
	failures  map[string]*failure
	blocked   map[int64]bool
	latency   time.Duration
	throttled int
	global    window
	perChat   map[int64]*window
	storm     *storm
	gaveUp    []int64
}

// NewServer starts a Server and stops it when the test ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := New(opts...)
	tb.Cleanup(s.Close)
	return s
}

// New starts a Server outside of a test. The caller must call Close.
func New(opts ...Option) *Server {
	cfg := config{
		token:           DefaultToken,
		botFirstName:    "Test Bot",
		botUsername:     "test_bot",
		webhookBackoff:  50 * time.Millisecond,
		webhookTimeout:  30 * time.Second,
		webhookAttempts: 10,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.webhookConcurrency < 0 {
		cfg.webhookConcurrency = 0
	}
	if cfg.webhookAttempts < 1 {
		cfg.webhookAttempts = 1
	}
	if cfg.webhookBackoff < 0 {
		cfg.webhookBackoff = 0
	}

	trans := http.DefaultTransport.(*http.Transport).Clone()
	trans.MaxIdleConnsPerHost = max(cfg.webhookConcurrency, 100) + 1
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg: cfg,
		botUser: models.User{
			ID:                      botIDFromToken(cfg.token),
			IsBot:                   true,
			FirstName:               cfg.botFirstName,
			Username:                cfg.botUsername,
			CanJoinGroups:           true,
			CanReadAllGroupMessages: false,
			SupportInlineQueries:    false,
		},
		ctx:          ctx,
		cancel:       cancel,
		closed:       make(chan struct{}),
		hookTrans:    trans,
		hookHTTP:     &http.Client{Transport: trans, Timeout: cfg.webhookTimeout},
		nextUpdateID: 1,
		history:      make(map[int64]json.RawMessage),
		users:        make(map[int64]User),
		chats:        make(map[int64]*chatState),
		calls:        make(map[string]int),
		callbacks:    make(map[string]*callbackState),
		files:        make(map[string]*File),
		failures:     make(map[string]*failure),
		blocked:      make(map[int64]bool),
		perChat:      make(map[int64]*window),
	}
	s.methods = s.methodTable()
	s.httpSrv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	return s
}

func botIDFromToken(token string) int64 {
	prefix, _, _ := strings.Cut(token, ":")
	id, err := strconv.ParseInt(prefix, 10, 64)
	if err != nil || id <= 0 {
		return 1
	}
	return id
}

// Close stops webhook delivery, wakes all long polls and waiters and shuts the
// HTTP server down. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.closed)
		s.notifyUpdatesLocked()
		s.mu.Unlock()
		s.cancel()
		s.workers.Wait()
		s.httpSrv.Close()
		s.hookTrans.CloseIdleConnections()
	})
}

// URL is the base URL to give the client (bot.WithServerURL).
func (s *Server) URL() string { return s.httpSrv.URL }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.cfg.token }

// BotUserID is the bot's own user id (the numeric prefix of the token).
func (s *Server) BotUserID() int64 { return s.botUser.ID }

// BotUser is the user object getMe returns.
func (s *Server) BotUser() models.User { return s.botUser }

// Calls reports how many requests for method were received, including
// rejected ones (wrong token, injected failures, rate limiting, validation
// errors). Method names are matched case-insensitively, as Telegram does.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[s.canonicalName(method)]
}

// Throttled reports how many HTTP 429 answers the server has given.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// AnsweredCallbacks returns the callback query ids answered via
// answerCallbackQuery, in order.
func (s *Server) AnsweredCallbacks() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.answered...)
}

// Commands returns the command lists currently registered with
// setMyCommands, one per (scope, language) pair, in registration order.
func (s *Server) Commands() []CommandSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CommandSet, len(s.commands))
	for i, c := range s.commands {
		out[i] = c.set
	}
	return out
}

// apiError is a failed API call as Telegram reports it.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

type methodFunc func(ctx context.Context, r *request) (any, *apiError)

type methodSpec struct {
	name string
	fn   methodFunc
	// slow methods are delayed by SetLatency.
	slow bool
}

func (s *Server) canonicalName(method string) string {
	if m, ok := s.methods[strings.ToLower(method)]; ok {
		return m.name
	}
	return method
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || method == "" {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found"})
		return
	}
	spec, known := s.methods[strings.ToLower(method)]
	name := method
	if known {
		name = spec.name
	}
	s.mu.Lock()
	s.calls[name]++
	s.mu.Unlock()

	if token != s.cfg.token {
		writeError(w, &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"})
		return
	}
	if !known {
		writeError(w, &apiError{code: http.StatusNotFound, desc: "Not Found: method not found"})
		return
	}
	req, err := parseRequest(w, r)
	if err != nil {
		writeError(w, badRequest("%v", err))
		return
	}
	req.method = spec.name

	if spec.slow {
		s.mu.Lock()
		d := s.latency
		s.mu.Unlock()
		if d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-s.closed:
				t.Stop()
			}
		}
	}

	result, apiErr := s.invoke(r.Context(), spec, req)
	if apiErr != nil {
		writeError(w, apiErr)
		return
	}
	writeResult(w, result)
}

// invoke carries out a method call: an injected failure, or else the method, whose
// refusal is noted.
func (s *Server) invoke(ctx context.Context, spec methodSpec, req *request) (any, *apiError) {
	if apiErr := s.injectedFailure(req); apiErr != nil {
		return nil, apiErr
	}
	result, apiErr := spec.fn(ctx, req)
	if apiErr != nil {
		s.mu.Lock()
		s.noteRejectionLocked(req, apiErr)
		s.mu.Unlock()
	}
	return result, apiErr
}

func writeResult(w http.ResponseWriter, result any) {
	var body []byte
	switch v := result.(type) {
	case json.RawMessage:
		body = make([]byte, 0, len(v)+24)
		body = append(body, `{"ok":true,"result":`...)
		body = append(body, v...)
		body = append(body, '}')
	default:
		b, err := json.Marshal(struct {
			OK     bool `json:"ok"`
			Result any  `json:"result"`
		}{true, result})
		if err != nil {
			writeError(w, &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error: " + err.Error()})
			return
		}
		body = b
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

func writeError(w http.ResponseWriter, e *apiError) {
	type params struct {
		RetryAfter int `json:"retry_after,omitempty"`
	}
	resp := struct {
		OK          bool    `json:"ok"`
		ErrorCode   int     `json:"error_code"`
		Description string  `json:"description"`
		Parameters  *params `json:"parameters,omitempty"`
	}{OK: false, ErrorCode: e.code, Description: e.desc}
	if e.retryAfter > 0 {
		resp.Parameters = &params{RetryAfter: e.retryAfter}
	}
	body, _ := json.Marshal(resp)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.code)
	_, _ = w.Write(body)
}

// methodTable maps lower-cased method names to their implementation.
func (s *Server) methodTable() map[string]methodSpec {
	list := []methodSpec{
		{name: "getMe", fn: s.getMe},
		{name: "getUpdates", fn: s.getUpdates},
		{name: "setWebhook", fn: s.setWebhook},
		{name: "deleteWebhook", fn: s.deleteWebhook},
		{name: "getWebhookInfo", fn: s.getWebhookInfo},
		{name: "sendMessage", fn: s.sendMessage, slow: true},
		{name: "sendDocument", fn: s.sendDocument, slow: true},
		{name: "sendPhoto", fn: s.sendPhoto, slow: true},
		{name: "editMessageText", fn: s.editMessageText, slow: true},
		{name: "editMessageReplyMarkup", fn: s.editMessageReplyMarkup, slow: true},
		{name: "deleteMessage", fn: s.deleteMessage, slow: true},
		{name: "answerCallbackQuery", fn: s.answerCallbackQuery, slow: true},
		{name: "sendChatAction", fn: s.sendChatAction, slow: true},
		{name: "setMyCommands", fn: s.setMyCommands},
		{name: "deleteMyCommands", fn: s.deleteMyCommands},
		{name: "getMyCommands", fn: s.getMyCommands},
	}
	m := make(map[string]methodSpec, len(list))
	for _, spec := range list {
		m[strings.ToLower(spec.name)] = spec
	}
	return m
}

func (s *Server) getMe(context.Context, *request) (any, *apiError) {
	return s.botUser, nil
}

var commandNameRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

type commandEntry struct {
	key string
	set CommandSet
}

// commandKey identifies a (scope, language) pair independently of how the
// scope JSON was formatted.
func commandKey(scope, lang string) (string, *apiError) {
	canon := `{"type":"default"}`
	if strings.TrimSpace(scope) != "" {
		var v map[string]any
		if err := json.Unmarshal([]byte(scope), &v); err != nil {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
		if _, ok := v["type"].(string); !ok {
			return "", badRequest("can't parse BotCommandScope JSON object")
		}
		b, _ := json.Marshal(v)
		canon = string(b)
	}
	return canon + "|" + lang, nil
}

func (s *Server) setMyCommands(_ context.Context, r *request) (any, *apiError) {
	var cmds []models.BotCommand
	raw := r.str("commands")
	if raw == "" {
		return nil, badRequest("parameter \"commands\" is required")
	}
	if err := json.Unmarshal([]byte(raw), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	for _, c := range cmds {
		if !commandNameRE.MatchString(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
	}
	lang := r.str("language_code")
	key, apiErr := commandKey(r.str("scope"), lang)
	if apiErr != nil {
		return nil, apiErr
	}
	set := CommandSet{Commands: cmds, LanguageCode: lang}
	if sc := r.str("scope"); sc != "" {
		set.Scope = json.RawMessage(sc)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.commands {
		if s.commands[i].key == key {
			if len(cmds) == 0 {
				s.commands = append(s.commands[:i], s.commands[i+1:]...)
			} else {
				s.commands[i].set = set
			}
			return true, nil
		}
	}
	if len(cmds) > 0 {
		s.commands = append(s.commands, commandEntry{key: key, set: set})
	}
	return true, nil
}

func (s *Server) deleteMyCommands(_ context.Context, r *request) (any, *apiError) {
	key, apiErr := commandKey(r.str("scope"), r.str("language_code"))
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.commands {
		if s.commands[i].key == key {
			s.commands = append(s.commands[:i], s.commands[i+1:]...)
			break
		}
	}
	return true, nil
}

func (s *Server) getMyCommands(_ context.Context, r *request) (any, *apiError) {
	key, apiErr := commandKey(r.str("scope"), r.str("language_code"))
	if apiErr != nil {
		return nil, apiErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.commands {
		if c.key == key {
			return c.set.Commands, nil
		}
	}
	return []models.BotCommand{}, nil
}
