package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders/pgstore/pgstoretest"
)

// fixtureCLI runs orderbot against a database holding the report fixture.
func fixtureCLI(t *testing.T) *cli {
	st := pgstoretest.New(t)
	pgstoretest.ReportFixture(t, st)
	var name string
	if err := st.DB().Get(&name, "SELECT current_database()"); err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, vars: map[string]string{
		"ORDERBOT_DATABASE_URL": testenv.WithDatabase(t, testenv.AdminURL(t), name),
		"ORDERBOT_TIMEZONE":     "Asia/Shanghai",
	}}
}

func TestReportCommand(t *testing.T) {
	c := fixtureCLI(t)
	pngFile := filepath.Join(t.TempDir(), "report.png")
	out, err := c.run("report", "--period", "2026-11", "--json", "--png", pngFile)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Current struct {
			Sales    string `json:"sales"`
			Orders   int    `json:"orders"`
			Accuracy struct {
				Num, Den int
			} `json:"accuracy_rate"`
		} `json:"current"`
		Previous struct {
			Sales string `json:"sales"`
		} `json:"previous"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Current.Sales != "2245" || rep.Current.Orders != 3 || rep.Current.Accuracy.Num != 3 || rep.Current.Accuracy.Den != 4 || rep.Previous.Sales != "455" {
		t.Errorf("report JSON: %+v", rep)
	}
	b, err := os.ReadFile(pngFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("--png: %v", err)
	}
	out, err = c.run("report", "--period", "2026-11", "--lang", "zh")
	if err != nil || !strings.Contains(out, "销售额 ¥2,245.00") {
		t.Errorf("report text: %v\n%s", err, out)
	}
	if _, err := c.run("report", "--period", "soon"); err == nil || !strings.Contains(err.Error(), "is not a period") {
		t.Errorf("a bad period: %v", err)
	}
}

func TestOrdersExportCommand(t *testing.T) {
	c := fixtureCLI(t)
	dir := t.TempDir()
	out, err := c.run("orders", "export", "--period", "2026-11", "--status", "completed,delivered", "--format", "csv", "-o", filepath.Join(dir, "o.csv"))
	if err != nil || !strings.Contains(out, "2 orders, 3 lines") {
		t.Fatalf("csv export: %v %q", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "o.csv"))
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF")))).ReadAll()
	if err != nil || len(rows) != 4 || rows[1][0] != "SO-20261101-0001" || rows[3][0] != "SO-20261102-0001" || rows[3][8] != "398.00" {
		t.Errorf("csv: %v %q", err, rows)
	}
	if _, err := c.run("orders", "export", "--format", "xlsx", "-o", filepath.Join(dir, "o.xlsx"), "--period", "2026-11"); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "o.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rows, _ := f.GetRows("Orders"); len(rows) != 6 {
		t.Errorf("xlsx orders: %q", rows)
	}
	if _, err := c.run("orders", "export", "--format", "pdf", "-o", filepath.Join(dir, "x")); err == nil {
		t.Error("an unknown format was accepted")
	}
	if _, err := c.run("orders", "export", "--format", "csv", "--status", "lost", "-o", filepath.Join(dir, "x")); err == nil {
		t.Error("an unknown status was accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "x")); !os.IsNotExist(err) {
		t.Errorf("a refused export left a file: %v", err)
	}
}

// orders pay goes through the same use case as the chat: the balance bounds it, the
// payment status follows, the history records it.
func TestOrdersPayCommand(t *testing.T) {
	c := fixtureCLI(t)
	// SO-2: total 1250, 375 paid (the deposit).
	if _, err := c.run("orders", "pay", "SO-20261101-0001", "900", "--method", "cash_on_delivery"); err == nil || !strings.Contains(err.Error(), "¥900.00 is more than the ¥875.00 still owed") {
		t.Errorf("paying more than the balance: %v", err)
	}
	if _, err := c.run("orders", "pay", "so-20261101-0001", "100", "--method", "gold"); err == nil || !strings.Contains(err.Error(), "--method") {
		t.Errorf("an unknown method: %v", err)
	}
	out, err := c.run("orders", "pay", "so-20261101-0001", "875", "--method", "cash_on_delivery")
	if err != nil || !strings.Contains(out, "paid ¥1,250.00 of ¥1,250.00; payment status: paid") {
		t.Fatalf("pay: %v %q", err, out)
	}
	out, err = c.run("orders", "show", "SO-20261101-0001", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		PaymentStatus string `json:"payment_status"`
		History       []struct {
			Actor string `json:"actor"`
			Note  string `json:"note"`
		} `json:"history"`
	}
	if err := json.Unmarshal([]byte(out), &o); err != nil {
		t.Fatal(err)
	}
	last := o.History[len(o.History)-1]
	if o.PaymentStatus != "paid" || last.Actor != "operator" || !strings.Contains(last.Note, "payment") {
		t.Errorf("after the payment: %s, last history entry %+v", o.PaymentStatus, last)
	}
	if _, err := c.run("orders", "pay", "SO-20261115-0001", "10", "--method", "cash_on_delivery"); err == nil {
		t.Error("a cancelled order took a payment")
	}
}

func TestReportHourAndHelp(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"orderbot", "serve"}, env(map[string]string{"ORDERBOT_REPORT_HOUR": "25", "TELEGRAM_BOT_TOKEN": "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678"}), strings.NewReader(""), &out)
	if err == nil || !strings.HasPrefix(err.Error(), "ORDERBOT_REPORT_HOUR: expected an hour") {
		t.Errorf("a bad report hour: %v", err)
	}
	for _, args := range [][]string{{"report", "--help"}, {"orders", "export", "--help"}, {"orders", "pay", "--help"}} {
		out.Reset()
		if err := run(t.Context(), append([]string{"orderbot"}, args...), env(nil), strings.NewReader(""), &out); err != nil || !strings.Contains(out.String(), "Usage") {
			t.Errorf("%v: %v %q", args, err, out.String())
		}
	}
}
