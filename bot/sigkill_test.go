package bot_test

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/redis/go-redis/v9"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pginbox"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/conversation/redisstore"
	"github.com/orderbot/orderbot/internal/testbed"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

// The environment a killed instance (TestSigkillInstance run as a child process) is given.
const (
	childEnv      = "ORDERBOT_SIGKILL_CHILD" // set: run as the instance to kill
	childDatabase = "ORDERBOT_SIGKILL_DATABASE"
	childPrefix   = "ORDERBOT_SIGKILL_PREFIX"
	childAPI      = "ORDERBOT_SIGKILL_API"
	childToken    = "ORDERBOT_SIGKILL_TOKEN"
	childSaving   = "SAVING SESSION" // printed when a turn's session save begins
)

// The bot process is killed with SIGKILL after a payment's transaction committed and
// before the session that follows it was saved: the instance that takes over handles the
// update again (from the inbox, once the dead one's lease ran out), one payment is
// recorded, and the rep is told it was recorded.
func TestSigkillBetweenCommitAndSessionSaveRecordsOnePayment(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a second process")
	}
	t.Parallel()
	bed := testbed.New(t)
	ctx := context.Background()
	if _, err := bed.Service.AddStaff(ctx, orders.Staff{TelegramID: 3101, Name: "Rep Li", Role: orders.RoleRep, Active: true}); err != nil {
		t.Fatal(err)
	}
	tg := bed.StartTelegram(testbed.TelegramOptions{})
	srv := tg.Server
	cust, rep := newChat(t, srv, 1501, "en"), newChat(t, srv, 3101, "en")
	toSummary(cust, "CHAIR-300", "black", "2")
	cust.press("Confirm")
	n := orderNumberIn(t, cust.expect("is confirmed").Text)

	// The rep records a payment up to its last step; then this instance stops.
	rep.send("/status " + n)
	rep.expect("Order " + n)
	rep.press("Record a payment")
	amounts := rep.expect("Payment for " + n)
	rep.pressOn(amounts, "¥") // the balance: the whole amount
	rep.expect("How were the")
	tg.Stop()

	// A second process takes over, and hangs in the session save of the next update.
	var dbname string
	if err := bed.Store.DB().GetContext(ctx, &dbname, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	child := exec.Command(os.Args[0], "-test.run=^TestSigkillInstance$", "-test.v")
	child.Env = append(os.Environ(), childEnv+"=1", childDatabase+"="+dbname, childPrefix+"="+bed.Prefix,
		childAPI+"="+srv.URL(), childToken+"="+srv.Token())
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = child.Stdout
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	saving := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), childSaving) {
				close(saving)
				break
			}
		}
		for sc.Scan() {
		}
	}()
	rep.press("Bank transfer")
	select {
	case <-saving:
	case <-time.After(wait):
		t.Fatal("the second instance never reached the session save")
	}
	payments := func() int {
		var x int
		if err := bed.Store.DB().GetContext(ctx, &x,
			`SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.number = $1`, n); err != nil {
			t.Fatal(err)
		}
		return x
	}
	if got := payments(); got != 1 {
		t.Fatalf("%d payments committed before the session save, want 1", got)
	}
	if err := child.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	_ = child.Wait()

	// A third instance: the update comes round again.
	bed.StartTelegram(testbed.TelegramOptions{Server: srv})
	rep.expect("recorded for " + n)
	if got := payments(); got != 1 {
		t.Errorf("%d payments after the killed instance's update was handled again, want 1", got)
	}
	o, err := bed.Service.Order(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	if o.Paid.IsZero() || !o.Paid.Equal(o.Total) {
		t.Errorf("paid %s of %s after one payment of the balance", o.Paid, o.Total)
	}
}

// TestSigkillInstance is the instance the test above kills: a polling bot on the parent
// test's database, Redis keys and fake Bot API server, whose session saves announce
// themselves and then hang. It does nothing when run by itself.
func TestSigkillInstance(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("run by TestSigkillBetweenCommitAndSessionSaveRecordsOnePayment")
	}
	ctx := context.Background()
	u, err := url.Parse(os.Getenv("ORDERBOT_TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + os.Getenv(childDatabase)
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	store := pgstore.New(db)
	opt, err := redis.ParseURL(os.Getenv("ORDERBOT_TEST_REDIS_URL"))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	clock := func() time.Time { return testbed.Now }
	svc := orders.NewService(store, orders.DefaultRules(), orders.WithClock(clock), orders.WithLocation(testbed.Shanghai))
	chats := hangingChats{redisstore.New(rdb, os.Getenv(childPrefix), redisstore.WithLockTTL(2*time.Second))}
	engine := conversation.New(conversation.Config{Desk: svc, Chats: chats})
	b, err := bot.New(bot.Config{Token: os.Getenv(childToken), APIURL: os.Getenv(childAPI), PollTimeout: 2 * time.Second,
		Inbox: pginbox.New(db.DB), Customers: store, Lease: 2 * time.Second, SweepInterval: 200 * time.Millisecond}, engine, svc)
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Poll(ctx) // until killed
}

// hangingChats saves no session: a turn's save says so on stdout and never returns.
type hangingChats struct{ *redisstore.Store }

func (c hangingChats) Begin(ctx context.Context, chatID int64, key string) (conversation.Turn, error) {
	turn, err := c.Store.Begin(ctx, chatID, key)
	if err != nil {
		return turn, err
	}
	turn.Save = func(context.Context, []byte, time.Duration) error {
		fmt.Println(childSaving)
		select {}
	}
	return turn, nil
}

func orderNumberIn(t *testing.T, text string) string {
	t.Helper()
	for _, f := range strings.Fields(text) {
		if strings.HasPrefix(f, "SO-") {
			return strings.TrimRight(f, ".,:;!)")
		}
	}
	t.Fatalf("no order number in %q", text)
	return ""
}
