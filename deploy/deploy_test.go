// Package deploy_test checks the deployment files (docker-compose.yml, deploy/Caddyfile)
// where no Docker engine runs: the compose file is loaded and validated against the Compose
// specification by compose-go, the library `docker compose` itself uses.
package deploy_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// load reads docker-compose.yml with the given environment (nothing else from the host's)
// and the profiles enabled.
func load(t *testing.T, env map[string]string, profiles ...string) *types.Project {
	t.Helper()
	dir, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  dir,
		ConfigFiles: []types.ConfigFile{{Filename: "docker-compose.yml", Content: data}},
		Environment: env,
	}, func(o *loader.Options) {
		o.SetProjectName("orderbot", true)
		o.Profiles = profiles
	})
	if err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return p
}

// Commands that do not talk to Telegram run without a token, with a catalog from the host.
func TestComposeRunsCommandsWithoutToken(t *testing.T) {
	p := load(t, map[string]string{}, "tools")
	cli, err := p.GetService("cli")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(cli.Profiles, "tools") {
		t.Errorf("cli profiles %v: it must not start with `up`", cli.Profiles)
	}
	if v := cli.Environment["TELEGRAM_BOT_TOKEN"]; v != nil && *v != "" {
		t.Errorf("cli gets a token: %q", *v)
	}
	mounted := false
	for _, v := range cli.Volumes {
		if v.Type == types.VolumeTypeBind && v.Target == "/data" && strings.HasSuffix(v.Source, "/data") {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("cli volumes %+v: want ./data from the host at /data", cli.Volumes)
	}
	if _, err := os.Stat("../data"); err != nil {
		t.Errorf("the folder the cli mounts: %v", err)
	}
	for _, name := range []string{"postgres", "redis", "migrate", "orderbot"} {
		if _, err := p.GetService(name); err != nil {
			t.Error(err)
		}
	}
}

// Health and metrics are published on the host's loopback only, never on the public port.
func TestComposeKeepsMetricsPrivate(t *testing.T) {
	p := load(t, map[string]string{"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
	bot, err := p.GetService("orderbot")
	if err != nil {
		t.Fatal(err)
	}
	env := func(k string) string {
		if v := bot.Environment[k]; v != nil {
			return *v
		}
		return ""
	}
	if env("ORDERBOT_METRICS_ADDR") != ":9090" || env("ORDERBOT_HTTP_ADDR") != ":8080" {
		t.Errorf("metrics on %q, webhook on %q", env("ORDERBOT_METRICS_ADDR"), env("ORDERBOT_HTTP_ADDR"))
	}
	for _, port := range bot.Ports {
		if port.HostIP != "127.0.0.1" {
			t.Errorf("port %d published on %q, want loopback only", port.Target, port.HostIP)
		}
	}
	if _, err := p.GetService("caddy"); err == nil {
		t.Error("caddy starts without the https profile")
	}
}

// The https profile puts Caddy in front of the webhook path only.
func TestCaddyProxiesTheWebhookOnly(t *testing.T) {
	p := load(t, map[string]string{"ORDERBOT_DOMAIN": "bot.example.com"}, "https")
	caddy, err := p.GetService("caddy")
	if err != nil {
		t.Fatal(err)
	}
	var file string
	for _, v := range caddy.Volumes {
		if v.Target == "/etc/caddy/Caddyfile" {
			file = v.Source
		}
	}
	if file == "" {
		t.Fatalf("caddy volumes %+v: no Caddyfile", caddy.Volumes)
	}
	if v := caddy.Environment["ORDERBOT_DOMAIN"]; v == nil || *v != "bot.example.com" {
		t.Errorf("ORDERBOT_DOMAIN in caddy: %v", v)
	}
	published := map[string]bool{}
	for _, port := range caddy.Ports {
		published[port.Published] = true
	}
	if !published["443"] || !published["80"] {
		t.Errorf("caddy publishes %v, want 80 (certificate challenge) and 443", published)
	}

	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	site := parseCaddyfile(t, string(data))
	if len(site) != 1 || site[0].head != "{$ORDERBOT_DOMAIN}" {
		t.Fatalf("sites %+v, want one for {$ORDERBOT_DOMAIN}", site)
	}
	routes := map[string][]string{}
	for _, h := range site[0].blocks {
		for _, d := range h.blocks {
			routes[h.head] = append(routes[h.head], d.head)
		}
	}
	if got := routes["handle /telegram"]; !slices.Equal(got, []string{"reverse_proxy orderbot:8080"}) {
		t.Errorf("handle /telegram: %v, want reverse_proxy orderbot:8080 (the bot's ORDERBOT_HTTP_ADDR)", got)
	}
	if got := routes["handle"]; !slices.Equal(got, []string{"respond 404"}) {
		t.Errorf("every other path: %v, want respond 404", got)
	}
}

// block is a Caddyfile directive or block: its first line and what its braces hold.
type block struct {
	head   string
	blocks []block
}

// parseCaddyfile reads the Caddyfile's nesting: one directive a line, "{" opening a block
// at the end of a line and "}" closing it on a line of its own, comments dropped.
func parseCaddyfile(t *testing.T, text string) []block {
	t.Helper()
	stack := [][]block{nil}
	var heads []string
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "#"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "":
		case line == "}":
			if len(heads) == 0 {
				t.Fatalf("line %d: } closes nothing", n+1)
			}
			inner := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			b := block{head: heads[len(heads)-1], blocks: inner}
			heads = heads[:len(heads)-1]
			stack[len(stack)-1] = append(stack[len(stack)-1], b)
		case strings.HasSuffix(line, "{"):
			heads = append(heads, strings.TrimSpace(strings.TrimSuffix(line, "{")))
			stack = append(stack, nil)
		default:
			stack[len(stack)-1] = append(stack[len(stack)-1], block{head: strings.Join(strings.Fields(line), " ")})
		}
	}
	if len(heads) != 0 {
		t.Fatalf("unclosed blocks: %v", heads)
	}
	return stack[0]
}
