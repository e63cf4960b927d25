package main

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/orders"
)

// config is everything read from the environment, validated once at start.
type config struct {
	Token         string
	DatabaseURL   string
	RedisURL      string
	WebhookURL    string
	WebhookSecret string
	HTTPAddr      string
	MetricsAddr   string // health and metrics; HTTPAddr serves them too when the two are equal
	APIURL        string
	Location      *time.Location
	Rules         orders.Rules
	RulesFile     string
	LogLevel      slog.Level
	RedisPrefix   string
	NotifyRate    int // messages per second to Telegram, all instances together
	Updates       updatesConfig
	ReportHour    int // hour of the day of the weekly and monthly reports to managers
	API           apiConfig
}

// Defaults point at the local services of scripts/services.sh.
const (
	defaultDatabaseURL = "postgres://orderbot@127.0.0.1:55432/orderbot?sslmode=disable"
	defaultRedisURL    = "redis://127.0.0.1:56379/0"
	defaultHTTPAddr    = "127.0.0.1:8080"
	defaultMetricsAddr = "127.0.0.1:9090"
	defaultAPIURL      = "https://api.telegram.org"
	defaultTimezone    = "Asia/Shanghai"
)

var (
	tokenRE  = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]{20,}$`)
	secretRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// configError names the variable that is wrong and what is expected.
type configError struct{ name, want string }

func (e *configError) Error() string { return e.name + ": " + e.want }

func loadConfig(getenv func(string) string) (config, error) {
	get := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := config{
		Token:         get("TELEGRAM_BOT_TOKEN", ""),
		DatabaseURL:   get("ORDERBOT_DATABASE_URL", defaultDatabaseURL),
		RedisURL:      get("ORDERBOT_REDIS_URL", defaultRedisURL),
		WebhookURL:    get("ORDERBOT_WEBHOOK_URL", ""),
		WebhookSecret: get("ORDERBOT_WEBHOOK_SECRET", ""),
		HTTPAddr:      get("ORDERBOT_HTTP_ADDR", defaultHTTPAddr),
		MetricsAddr:   get("ORDERBOT_METRICS_ADDR", defaultMetricsAddr),
		APIURL:        strings.TrimRight(get("ORDERBOT_TELEGRAM_API_URL", defaultAPIURL), "/"),
		RulesFile:     get("ORDERBOT_RULES_FILE", ""),
		RedisPrefix:   get("ORDERBOT_REDIS_PREFIX", "orderbot:"),
	}
	if c.Token != "" && !tokenRE.MatchString(c.Token) {
		return c, &configError{"TELEGRAM_BOT_TOKEN", "expected a bot token like 123456789:AAE… from @BotFather"}
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return c, &configError{"ORDERBOT_DATABASE_URL", "expected a URL like postgres://user:password@host:5432/orderbot?sslmode=disable"}
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		return c, &configError{"ORDERBOT_REDIS_URL", "expected a URL like redis://host:6379/0"}
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, &configError{"ORDERBOT_TELEGRAM_API_URL", "expected an http(s) URL like https://api.telegram.org"}
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return c, &configError{"ORDERBOT_WEBHOOK_URL", "expected an https URL like https://bot.example.com/telegram"}
		}
		if !secretRE.MatchString(c.WebhookSecret) {
			return c, &configError{"ORDERBOT_WEBHOOK_SECRET", "expected 1-256 characters of A-Z, a-z, 0-9, _ and - (required with ORDERBOT_WEBHOOK_URL)"}
		}
	} else if c.WebhookSecret != "" && !secretRE.MatchString(c.WebhookSecret) {
		return c, &configError{"ORDERBOT_WEBHOOK_SECRET", "expected 1-256 characters of A-Z, a-z, 0-9, _ and -"}
	}
	if !strings.Contains(c.HTTPAddr, ":") {
		return c, &configError{"ORDERBOT_HTTP_ADDR", "expected host:port like :8080 or 127.0.0.1:8080"}
	}
	if !strings.Contains(c.MetricsAddr, ":") {
		return c, &configError{"ORDERBOT_METRICS_ADDR", "expected host:port like 127.0.0.1:9090"}
	}
	loc, err := time.LoadLocation(get("ORDERBOT_TIMEZONE", defaultTimezone))
	if err != nil {
		return c, &configError{"ORDERBOT_TIMEZONE", "expected an IANA time zone like Asia/Shanghai or Europe/Berlin"}
	}
	c.Location = loc
	switch strings.ToLower(get("ORDERBOT_LOG_LEVEL", "info")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return c, &configError{"ORDERBOT_LOG_LEVEL", "expected debug, info, warn or error"}
	}
	c.NotifyRate = 30
	if v := get("ORDERBOT_NOTIFY_RATE", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return c, &configError{"ORDERBOT_NOTIFY_RATE", "expected messages per second from 1 to 1000 (Telegram allows about 30)"}
		}
		c.NotifyRate = n
	}
	if err := c.Updates.load(get); err != nil {
		return c, err
	}
	c.ReportHour = 9
	if v := get("ORDERBOT_REPORT_HOUR", ""); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 23 {
			return c, &configError{"ORDERBOT_REPORT_HOUR", "expected an hour of the day from 1 to 23 (the weekly report goes out on Mondays from then)"}
		}
		c.ReportHour = n
	}
	if c.API, err = loadAPIConfig(get); err != nil {
		return c, err
	}
	if c.RulesFile == "" {
		c.Rules = orders.DefaultRules()
	} else {
		data, err := os.ReadFile(c.RulesFile)
		if err != nil {
			return c, &configError{"ORDERBOT_RULES_FILE", fmt.Sprintf("cannot read %s: %v", c.RulesFile, err)}
		}
		r, err := orders.ReadRules(bytes.NewReader(data))
		if err != nil {
			return c, &configError{"ORDERBOT_RULES_FILE", fmt.Sprintf("%s: %v", c.RulesFile, err)}
		}
		c.Rules = r
	}
	return c, nil
}
