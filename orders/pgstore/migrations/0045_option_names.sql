-- Option values that are codes ("writing_board=yes") read naturally in both languages: the
-- catalog gives such a value an English name besides its Chinese one
-- ("yes:带写字板:with writing board", kept in products.options as "en"), and an order's
-- lines keep the English names they were ordered with (variant_en, like variant:
-- "colour=grey;writing_board=with writing board"; "" when no value had one).
-- The demo catalog's training chair named its board 要/不要, which read 「（灰色，要）」:
-- lines ordered so are given the names the catalog now has.

-- +goose Up
ALTER TABLE order_lines ADD COLUMN variant_en TEXT NOT NULL DEFAULT '';

UPDATE order_lines SET
    variant_zh = replace(replace(variant_zh, 'writing_board=要', 'writing_board=带写字板'), 'writing_board=不要', 'writing_board=不带写字板'),
    variant_en = replace(replace(variant, 'writing_board=yes', 'writing_board=with writing board'), 'writing_board=no', 'writing_board=without writing board')
WHERE variant ~ '(^|;)writing_board=(yes|no)(;|$)';

-- +goose Down
ALTER TABLE order_lines DROP COLUMN variant_en;
