-- An order keeps the contact given for it: name, phone and company as they were when it was
-- placed. The customer's profile may change later (a new name or phone on a later order)
-- without rewriting the orders placed before. Existing orders take their customer's
-- current contact, the best that is known of them.

-- +goose Up
ALTER TABLE orders
    ADD COLUMN contact_name    TEXT NOT NULL DEFAULT '',
    ADD COLUMN contact_phone   TEXT NOT NULL DEFAULT '',
    ADD COLUMN contact_company TEXT NOT NULL DEFAULT '';

UPDATE orders o SET contact_name = c.name, contact_phone = c.phone, contact_company = c.company
FROM customers c WHERE c.id = o.customer_id;

-- +goose Down
ALTER TABLE orders DROP COLUMN contact_company, DROP COLUMN contact_phone, DROP COLUMN contact_name;
