// Package scripts_test checks what scripts/services.sh (behind make run and make test) says
// about its ports, with `services.sh check`, which runs the same checks as `up` and starts
// nothing.
package scripts_test

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// check runs `services.sh check` with the ports given and a state directory of its own.
func check(t *testing.T, pgPort, redisPort int) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not found")
	}
	cmd := exec.Command("bash", "services.sh", "check")
	cmd.Env = append(os.Environ(), "ORDERBOT_STATE_DIR="+t.TempDir(),
		"ORDERBOT_PG_PORT="+strconv.Itoa(pgPort), "ORDERBOT_REDIS_PORT="+strconv.Itoa(redisPort))
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// freePort is a port nothing listens on (taken and released).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// A port taken by another process stops make run with the port, who holds it and the
// variable that moves it.
func TestServicesSayWhichPortIsTaken(t *testing.T) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not found")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	for _, c := range []struct {
		name          string
		pg, redis     int
		variable, who string
	}{
		{"PostgreSQL", taken, freePort(t), "ORDERBOT_PG_PORT", "PostgreSQL cannot start there"},
		{"Redis", freePort(t), taken, "ORDERBOT_REDIS_PORT", "Redis cannot start there"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := check(t, c.pg, c.redis)
			if err == nil {
				t.Fatalf("check passed with port %d taken:\n%s", taken, out)
			}
			for _, want := range []string{"port " + strconv.Itoa(taken) + " is already taken by", c.who, c.variable + "=<free port> make run"} {
				if !strings.Contains(out, want) {
					t.Errorf("no %q in:\n%s", want, out)
				}
			}
		})
	}
	out, err := check(t, freePort(t), freePort(t))
	if err != nil || !strings.Contains(out, "can be used") {
		t.Errorf("free ports: %v\n%s", err, out)
	}
}

// A Redis this script did not start is used, not silently: a warning names it and the way
// to run one of our own. The test's Redis (ORDERBOT_TEST_REDIS_URL) is such a Redis.
func TestServicesWarnOfAnUnknownRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not found")
	}
	u := os.Getenv("ORDERBOT_TEST_REDIS_URL")
	if u == "" {
		t.Skip("ORDERBOT_TEST_REDIS_URL is not set")
	}
	_, port, err := net.SplitHostPort(strings.SplitN(strings.TrimPrefix(u, "redis://"), "/", 2)[0])
	if err != nil {
		t.Fatalf("ORDERBOT_TEST_REDIS_URL %q: %v", u, err)
	}
	p, _ := strconv.Atoi(port)
	out, err := check(t, freePort(t), p)
	if err != nil {
		t.Fatalf("check: %v\n%s", err, out)
	}
	for _, want := range []string{"warning: a Redis this script did not start answers on port " + port, "ORDERBOT_REDIS_PORT=<free port> make run"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}
