package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// pgBin is where the PostgreSQL 15 programs are on this machine.
const pgBin = "/usr/lib/postgresql/15/bin"

// Cluster is a throw-away PostgreSQL cluster a test starts itself, on its own port, so
// that it may kill it: the shared server is never touched.
type Cluster struct {
	tb   testing.TB
	dir  string
	port int
}

// StartCluster initialises and starts a cluster (as the postgres user when root, since
// initdb refuses root); it is stopped and removed when the test ends. It skips the test
// when PostgreSQL's programs are not installed.
func StartCluster(tb testing.TB) *Cluster {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(pgBin, "initdb")); err != nil {
		tb.Skipf("no PostgreSQL programs in %s", pgBin)
	}
	dir, err := os.MkdirTemp("", "orderbot-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	c := &Cluster{tb: tb, dir: filepath.Join(dir, "data"), port: freePort(tb)}
	tb.Cleanup(func() {
		_, _ = c.pgctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	if os.Getuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Skip("running as root without a postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	if out, err := c.run(filepath.Join(pgBin, "initdb"), "-D", c.dir, "-U", "orderbot", "--auth=trust", "-E", "UTF8",
		"--locale=C.UTF-8", "--no-sync"); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	c.Start()
	return c
}

// URL is the cluster's postgres database.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://orderbot@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the cluster and waits until it accepts connections.
func (c *Cluster) Start() {
	c.tb.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, filepath.Dir(c.dir))
	if out, err := c.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(filepath.Dir(c.dir), "server.log"), "-o", opts); err != nil {
		c.tb.Fatalf("start PostgreSQL: %v\n%s", err, out)
	}
}

// Kill stops the cluster at once, as a crash would: no checkpoint, every connection cut.
func (c *Cluster) Kill() {
	c.tb.Helper()
	if out, err := c.pgctl("stop", "-m", "immediate", "-w"); err != nil {
		c.tb.Fatalf("kill PostgreSQL: %v\n%s", err, out)
	}
}

func (c *Cluster) pgctl(args ...string) (string, error) {
	return c.run(filepath.Join(pgBin, "pg_ctl"), append([]string{"-D", c.dir}, args...)...)
}

// run runs a PostgreSQL program, as the postgres user when root.
func (c *Cluster) run(prog string, args ...string) (string, error) {
	var cmd *exec.Cmd
	if os.Getuid() == 0 {
		quoted := make([]string, 0, len(args)+1)
		for _, a := range append([]string{prog}, args...) {
			quoted = append(quoted, "'"+strings.ReplaceAll(a, "'", `'\''`)+"'")
		}
		cmd = exec.Command("su", "postgres", "-s", "/bin/sh", "-c", strings.Join(quoted, " "))
	} else {
		cmd = exec.Command(prog, args...)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// freePort returns a TCP port nobody listens on now.
func freePort(tb testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
