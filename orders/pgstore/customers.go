package pgstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/orderbot/orderbot/orders"
)

// maxAddresses is how many recent addresses a customer is returned with.
const maxAddresses = 5

const customerColumns = `id, COALESCE(telegram_id, 0) AS telegram_id, name, phone, company, language, unreachable`

// customerRow is a row of customers.
type customerRow struct {
	ID          int64  `db:"id"`
	TelegramID  int64  `db:"telegram_id"`
	Name        string `db:"name"`
	Phone       string `db:"phone"`
	Company     string `db:"company"`
	Language    string `db:"language"`
	Unreachable bool   `db:"unreachable"`
}

func (r customerRow) customer() orders.Customer {
	return orders.Customer{
		ID: r.ID, TelegramID: r.TelegramID, Name: r.Name, Phone: r.Phone, Company: r.Company,
		Language: r.Language, Unreachable: r.Unreachable,
	}
}

// Customer returns the customer with the Telegram user id and its most recent addresses
// (at most 5, most recent first), or orders.ErrNotFound.
func (s *Store) Customer(ctx context.Context, telegramID int64) (orders.Customer, error) {
	if err := ctx.Err(); err != nil {
		return orders.Customer{}, fail(fmt.Sprintf("customer %d", telegramID), err)
	}
	r, err := s.customerReads.Do(telegramID)
	if err == nil && !r.found {
		err = sql.ErrNoRows
	}
	if err != nil {
		return orders.Customer{}, fail(fmt.Sprintf("customer %d", telegramID), err)
	}
	return r.c, nil
}

// FindCustomers returns up to limit customers (all when limit is 0) whose name or phone
// contains text, ignoring case; a phone also matches by its digits alone, so "13800138000"
// finds "+86 138-0013-8000". They are ordered by name.
func (s *Store) FindCustomers(ctx context.Context, text string, limit int) ([]orders.Customer, error) {
	q := newQuery(`SELECT ` + customerColumns + ` FROM customers`)
	if text = strings.TrimSpace(text); text != "" {
		p := q.arg(containsPattern(text))
		cond := fmt.Sprintf("(name ILIKE %[1]s OR phone ILIKE %[1]s", p)
		if digits := onlyDigits(text); len(digits) >= 3 {
			cond += fmt.Sprintf(" OR regexp_replace(phone, '[^0-9]', '', 'g') LIKE %s", q.arg("%"+digits+"%"))
		}
		q.and(cond + ")")
	}
	q.add(" ORDER BY name, id")
	q.page(limit, 0)
	var cs []orders.Customer
	err := s.inTx(ctx, readTx, func(tx *sqlx.Tx) error {
		var rows []customerRow
		if err := tx.SelectContext(ctx, &rows, q.String(), q.args...); err != nil {
			return err
		}
		ids := make([]int64, len(rows))
		for i, r := range rows {
			ids[i] = r.ID
		}
		addrs, err := addresses(ctx, tx, ids)
		if err != nil {
			return err
		}
		cs = make([]orders.Customer, len(rows))
		for i, r := range rows {
			cs[i] = r.customer()
			cs[i].Addresses = addrs[r.ID]
		}
		return nil
	})
	if err != nil {
		return nil, fail("find customers", err)
	}
	return cs, nil
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// SaveCustomer inserts or updates the customer by TelegramID, replacing its name, phone,
// company, language and unreachable flag, and returns it with its ID and its most recent
// addresses. c.Addresses (most recent first) become the customer's most recent addresses;
// older ones are kept.
//
// A customer without a Telegram id (one a rep registered) is updated by its ID, or
// inserted when the ID is 0 too.
func (s *Store) SaveCustomer(ctx context.Context, c orders.Customer) (orders.Customer, error) {
	var saved orders.Customer
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		var err error
		if saved, err = s.saveCustomer(ctx, tx, c, false); err != nil {
			return err
		}
		if err := s.useAddresses(ctx, tx, saved.ID, c.Addresses); err != nil {
			return err
		}
		addrs, err := addresses(ctx, tx, []int64{saved.ID})
		saved.Addresses = addrs[saved.ID]
		return err
	})
	if err != nil {
		return orders.Customer{}, fail("save customer", err)
	}
	return saved, nil
}

// saveCustomer inserts or updates c and returns the customer as stored. With keep (an
// order's customer), empty fields and a false unreachable flag keep the stored values;
// without, every field is replaced.
func (s *Store) saveCustomer(ctx context.Context, tx *sqlx.Tx, c orders.Customer, keep bool) (orders.Customer, error) {
	set := `name = $2, phone = $3, company = $4, language = $5, unreachable = $6, updated_at = $7`
	if keep {
		set = `name = COALESCE(NULLIF($2, ''), customers.name), phone = COALESCE(NULLIF($3, ''), customers.phone),
			company = COALESCE(NULLIF($4, ''), customers.company), language = COALESCE(NULLIF($5, ''), customers.language),
			unreachable = customers.unreachable OR $6, updated_at = $7`
	}
	var row customerRow
	var err error
	switch {
	case c.TelegramID != 0:
		err = tx.GetContext(ctx, &row, `
			INSERT INTO customers (telegram_id, name, phone, company, language, unreachable, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
			ON CONFLICT (telegram_id) DO UPDATE SET `+set+`
			RETURNING `+customerColumns,
			c.TelegramID, c.Name, c.Phone, c.Company, c.Language, c.Unreachable, s.now())
	case c.ID != 0:
		err = tx.GetContext(ctx, &row, `UPDATE customers SET `+set+` WHERE id = $1 RETURNING `+customerColumns,
			c.ID, c.Name, c.Phone, c.Company, c.Language, c.Unreachable, s.now())
		if err != nil {
			err = fmt.Errorf("customer id %d: %w", c.ID, translate(err))
		}
	default:
		err = tx.GetContext(ctx, &row, `
			INSERT INTO customers (name, phone, company, language, unreachable, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING `+customerColumns,
			c.Name, c.Phone, c.Company, c.Language, c.Unreachable, s.now())
	}
	return row.customer(), err
}

// useAddresses records addrs (most recent first) as the customer's most recently used
// addresses.
func (s *Store) useAddresses(ctx context.Context, tx *sqlx.Tx, customerID int64, addrs []string) error {
	var list []string
	seen := map[string]bool{}
	for _, a := range addrs {
		if a = strings.TrimSpace(a); a != "" && !seen[a] {
			seen[a] = true
			list = append(list, a)
		}
	}
	if len(list) == 0 {
		return nil
	}
	// The first address gets the latest time; the others one microsecond apart.
	_, err := tx.ExecContext(ctx, `
		INSERT INTO customer_addresses (customer_id, address, last_used_at)
		SELECT $1, a.address, $3::timestamptz - (a.n - 1) * interval '1 microsecond'
		FROM unnest($2::text[]) WITH ORDINALITY AS a (address, n)
		ON CONFLICT (customer_id, address) DO UPDATE SET last_used_at = EXCLUDED.last_used_at`,
		customerID, pq.Array(list), s.now().Truncate(time.Microsecond))
	return err
}

// addresses returns the most recent addresses of the customers, most recent first.
func addresses(ctx context.Context, q sqlx.QueryerContext, customerIDs []int64) (map[int64][]string, error) {
	m := map[int64][]string{}
	if len(customerIDs) == 0 {
		return m, nil
	}
	var rows []struct {
		CustomerID int64  `db:"customer_id"`
		Address    string `db:"address"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT customer_id, address FROM (
			SELECT customer_id, address, row_number() OVER (
				PARTITION BY customer_id ORDER BY last_used_at DESC, id DESC) AS n
			FROM customer_addresses WHERE customer_id = ANY($1)
		) a
		WHERE n <= $2
		ORDER BY customer_id, n`, pq.Array(customerIDs), maxAddresses)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		m[r.CustomerID] = append(m[r.CustomerID], r.Address)
	}
	return m, nil
}

const staffColumns = `id, telegram_id, name, role, active, language, group_copies`

// staffRow is a row of staff.
type staffRow struct {
	ID         int64  `db:"id"`
	TelegramID int64  `db:"telegram_id"`
	Name       string `db:"name"`
	Role       string `db:"role"`
	Active     bool   `db:"active"`
	Language   string `db:"language"`
	Copies     bool   `db:"group_copies"`
}

func (r staffRow) staff() orders.Staff {
	return orders.Staff{ID: r.ID, TelegramID: r.TelegramID, Name: r.Name, Role: orders.Role(r.Role), Active: r.Active,
		Language: r.Language, GroupCopies: r.Copies}
}

// Staff returns the staff member with the Telegram user id, active or not, or
// orders.ErrNotFound.
func (s *Store) Staff(ctx context.Context, telegramID int64) (orders.Staff, error) {
	var row staffRow
	if err := s.db.GetContext(ctx, &row, `SELECT `+staffColumns+` FROM staff WHERE telegram_id = $1`, telegramID); err != nil {
		return orders.Staff{}, fail(fmt.Sprintf("staff %d", telegramID), err)
	}
	return row.staff(), nil
}

// ListStaff lists the staff, only the active members when activeOnly, ordered by name.
func (s *Store) ListStaff(ctx context.Context, activeOnly bool) ([]orders.Staff, error) {
	var rows []staffRow
	err := s.db.SelectContext(ctx, &rows,
		`SELECT `+staffColumns+` FROM staff WHERE active OR NOT $1 ORDER BY name, telegram_id`, activeOnly)
	if err != nil {
		return nil, fail("list staff", err)
	}
	out := make([]orders.Staff, len(rows))
	for i, r := range rows {
		out[i] = r.staff()
	}
	return out, nil
}

// SaveStaff inserts or updates the staff member by TelegramID and returns it with its ID.
// An empty Language keeps the language the member chose.
func (s *Store) SaveStaff(ctx context.Context, st orders.Staff) (orders.Staff, error) {
	switch {
	case st.TelegramID == 0:
		return orders.Staff{}, fail("save staff", &orders.ValidationError{Field: "telegram_id", Reason: "missing"})
	case !st.Role.Valid():
		return orders.Staff{}, fail("save staff", &orders.ValidationError{Field: "role",
			Reason: fmt.Sprintf("%q is neither %s nor %s", st.Role, orders.RoleRep, orders.RoleManager)})
	}
	var row staffRow
	err := s.inTx(ctx, writeTx, func(tx *sqlx.Tx) error {
		return tx.GetContext(ctx, &row, `
			INSERT INTO staff (telegram_id, name, role, active, language, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)
			ON CONFLICT (telegram_id) DO UPDATE SET
				name = EXCLUDED.name, role = EXCLUDED.role, active = EXCLUDED.active,
				language = COALESCE(NULLIF(EXCLUDED.language, ''), staff.language), updated_at = EXCLUDED.updated_at
			RETURNING `+staffColumns,
			st.TelegramID, st.Name, string(st.Role), st.Active, st.Language, s.now())
	})
	if err != nil {
		return orders.Staff{}, fail("save staff", err)
	}
	return row.staff(), nil
}
