-- An order's history notes are stored without words of any language: a code and its
-- arguments (note_code, note_args), which each reader renders in their own language. The
-- note column keeps the English text for the command line, the JSON `note` and the API.
-- Existing rows get their code and arguments from the English text they were written in;
-- any other text is a person's own words (code "text").

-- +goose Up
ALTER TABLE order_history
    ADD COLUMN note_code TEXT NOT NULL DEFAULT '',
    ADD COLUMN note_args JSONB NOT NULL DEFAULT '{}';

UPDATE order_history SET note_code = 'placed' WHERE note = 'placed';
UPDATE order_history SET note_code = 'confirmed_by_customer' WHERE note = 'confirmed by the customer';
UPDATE order_history SET note_code = 'declined_by_customer' WHERE note = 'declined by the customer';

UPDATE order_history SET note_code = 'proposed_date', note_args = jsonb_build_object('date', m[1])
FROM (SELECT id AS hid, regexp_match(note, '^date (\d{4}-\d{2}-\d{2})$') AS m FROM order_history) x
WHERE id = x.hid AND x.m IS NOT NULL AND note_code = '';

UPDATE order_history SET note_code = 'payment', note_args = jsonb_build_object('amount', m[1], 'method', COALESCE(m[2], ''))
FROM (SELECT id AS hid, regexp_match(note, '^payment (\d+(?:\.\d+)?) ?(\S*)$') AS m FROM order_history) x
WHERE id = x.hid AND x.m IS NOT NULL AND note_code = '';

UPDATE order_history SET note_code = 'cancelled_by_customer', note_args = jsonb_build_object('reason', substr(note, length('cancelled by the customer: ') + 1))
WHERE note_code = '' AND note LIKE 'cancelled by the customer: %';

UPDATE order_history SET note_code = 'change',
    note_args = jsonb_strip_nulls(jsonb_build_object('kind', 'quantity', 'line', m[1], 'quantity', m[2], 'reason', m[3]))
FROM (SELECT id AS hid, regexp_match(note, '^quantity of line (\d+) → (\d+)(?: \((.*)\))?$') AS m FROM order_history) x
WHERE id = x.hid AND x.m IS NOT NULL AND note_code = '';

UPDATE order_history SET note_code = 'change',
    note_args = jsonb_strip_nulls(jsonb_build_object('kind', 'date', 'date', m[1], 'reason', m[2]))
FROM (SELECT id AS hid, regexp_match(note, '^date → (\d{4}-\d{2}-\d{2})(?: \((.*)\))?$') AS m FROM order_history) x
WHERE id = x.hid AND x.m IS NOT NULL AND note_code = '';

UPDATE order_history SET note_code = 'change',
    note_args = jsonb_strip_nulls(jsonb_build_object('kind', 'address', 'address', m[1], 'reason', m[2]))
FROM (SELECT id AS hid, regexp_match(note, '^address → (.*?)(?: \((.*)\))?$') AS m FROM order_history) x
WHERE id = x.hid AND x.m IS NOT NULL AND note_code = '';

UPDATE order_history SET note_code = 'change',
    note_args = jsonb_strip_nulls(jsonb_build_object('kind', 'cancel', 'reason', m[1]))
FROM (SELECT id AS hid, regexp_match(note, '^cancel(?:lation)?(?: \((.*)\))?$') AS m FROM order_history) x
WHERE id = x.hid AND x.m IS NOT NULL AND note_code = '';

UPDATE order_history SET note_code = 'text', note_args = jsonb_build_object('text', note)
WHERE note_code = '' AND note <> '';

-- +goose Down
ALTER TABLE order_history DROP COLUMN note_args, DROP COLUMN note_code;
