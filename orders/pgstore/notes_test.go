package pgstore_test

import (
	"reflect"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/orderbot/orderbot/internal/testenv"
	"github.com/orderbot/orderbot/orders"
	"github.com/orderbot/orderbot/orders/pgstore"
)

// Migrations 0045 and 0046 turn what existing orders recorded in English into what
// readers render in their own language: every history note written before gets its code
// and arguments (the English text stays beside them), and the training chair's board,
// once named 要/不要, reads 带写字板 / with writing board.
func TestMigrationGivesHistoryNotesCodes(t *testing.T) {
	t.Parallel()
	url := testenv.CreateDatabase(t, testenv.RandomName("orderbot_t_"), "")
	s, err := pgstore.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	p, err := goose.NewProvider(goose.DialectPostgres, s.DB().DB, pgstore.Migrations(), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 44); err != nil {
		t.Fatalf("migrate to 44: %v", err)
	}
	notes := []struct {
		english string
		want    orders.HistoryNote
	}{
		{"placed", orders.HistoryNote{Code: orders.NotePlaced}},
		{"date 2026-12-15", orders.HistoryNote{Code: orders.NoteProposedDate, Args: map[string]string{"date": "2026-12-15"}}},
		{"confirmed by the customer", orders.HistoryNote{Code: orders.NoteConfirmedByCustomer}},
		{"payment 5000.00 bank_transfer", orders.HistoryNote{Code: orders.NotePayment, Args: map[string]string{"amount": "5000.00", "method": "bank_transfer"}}},
		{"payment 20.00", orders.HistoryNote{Code: orders.NotePayment, Args: map[string]string{"amount": "20.00", "method": ""}}},
		{"date → 2026-12-28 (办公室搬迁推迟)", orders.HistoryNote{Code: orders.NoteChange, Args: map[string]string{"kind": "date", "date": "2026-12-28", "reason": "办公室搬迁推迟"}}},
		{"quantity of line 1 → 15", orders.HistoryNote{Code: orders.NoteChange, Args: map[string]string{"kind": "quantity", "line": "1", "quantity": "15"}}},
		{"address → 北京市朝阳区建国路88号 (搬家)", orders.HistoryNote{Code: orders.NoteChange, Args: map[string]string{"kind": "address", "address": "北京市朝阳区建国路88号", "reason": "搬家"}}},
		{"cancellation (预算取消了)", orders.HistoryNote{Code: orders.NoteChange, Args: map[string]string{"kind": "cancel", "reason": "预算取消了"}}},
		{"cancelled by the customer: 不需要了", orders.HistoryNote{Code: orders.NoteCancelledByCustomer, Args: map[string]string{"reason": "不需要了"}}},
		{"declined by the customer", orders.HistoryNote{Code: orders.NoteDeclinedByCustomer}},
		{"We cannot make brown this month", orders.TextNote("We cannot make brown this month")},
	}
	db := s.DB()
	for _, q := range []string{
		`INSERT INTO customers (id, telegram_id, name, phone) VALUES (1, 42, '王小明', '13800138000')`,
		`INSERT INTO products (sku, name_en, price, on_hand) VALUES ('CHAIR-200', 'Training chair', 389, 100)`,
		`INSERT INTO orders (id, number, status, payment_status, customer_id, total, deposit_due, wanted_date)
			VALUES (1, 'SO-20261205-0001', 'confirmed', 'unpaid', 1, 778, 0, '2026-12-10')`,
		`INSERT INTO order_lines (order_id, position, sku, name, name_zh, variant, variant_zh, quantity, unit, unit_price)
			VALUES (1, 1, 'CHAIR-200', 'Training chair', '培训椅', 'colour=grey;writing_board=yes', 'colour=灰色;writing_board=要', 1, 'pcs', 389),
			       (1, 2, 'CHAIR-200', 'Training chair', '培训椅', 'colour=grey;writing_board=no', 'colour=灰色;writing_board=不要', 1, 'pcs', 389)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, n := range notes {
		if _, err := db.ExecContext(ctx, `INSERT INTO order_history (order_id, from_status, to_status, note) VALUES (1, 'confirmed', 'confirmed', $1)`, n.english); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	o, err := s.Order(ctx, "SO-20261205-0001")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.History) != len(notes) {
		t.Fatalf("%d history entries, want %d", len(o.History), len(notes))
	}
	for i, n := range notes {
		h := o.History[i]
		if !reflect.DeepEqual(h.Detail, n.want) || h.Note != n.english {
			t.Errorf("%q became %+v (note %q), want %+v", n.english, h.Detail, h.Note, n.want)
		}
		// What the code says in English is what was written.
		if got := n.want.English(); got != n.english {
			t.Errorf("%+v reads %q in English, want %q", n.want, got, n.english)
		}
	}
	if got := o.Lines[0].Label("zh") + " " + o.Lines[1].Label("zh"); got != "培训椅（灰色，带写字板） 培训椅（灰色，不带写字板）" {
		t.Errorf("lines read %s", got)
	}
	if got := o.Lines[0].Label("en"); got != "Training chair (grey, with writing board)" {
		t.Errorf("line reads %s", got)
	}
}

// New history entries are stored with their codes and read back with them.
func TestHistoryNotesStoredWithCodes(t *testing.T) {
	t.Parallel()
	s, ctx := setup(t)
	o, _, err := s.PlaceOrder(ctx, placeRequest("n1", 42, "CH-100", 3))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.RecordPayment(ctx, orders.PaymentRequest{Number: o.Number, Amount: money("100"), Method: "cash",
		Actor: "rep:7", Status: orders.PaymentPartlyPaid})
	if err != nil {
		t.Fatal(err)
	}
	placed, paid := got.History[0], got.History[len(got.History)-1]
	if placed.Detail.Code != orders.NotePlaced || placed.Note != "placed" {
		t.Errorf("placed: %+v", placed)
	}
	want := orders.PaymentNote(money("100"), "cash")
	if !reflect.DeepEqual(paid.Detail, want) || paid.Note != "payment 100.00 cash" {
		t.Errorf("payment: %+v, want %+v", paid, want)
	}
	var code, args string
	if err := s.DB().GetContext(ctx, &code, `SELECT note_code FROM order_history WHERE order_id = $1 ORDER BY id DESC LIMIT 1`, o.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DB().GetContext(ctx, &args, `SELECT note_args::text FROM order_history WHERE order_id = $1 ORDER BY id DESC LIMIT 1`, o.ID); err != nil {
		t.Fatal(err)
	}
	if code != "payment" || args != `{"amount": "100.00", "method": "cash"}` {
		t.Errorf("stored %q %s", code, args)
	}
}
