-- The catalog in both languages: a unit's Chinese name (products.unit_zh; option values
-- carry theirs in products.options as {"name", "values", "zh": {"black": "黑色"}}), and an
-- order's lines keep the Chinese names as they were when ordered: the product's, the
-- unit's and the option values' (variant_zh, like variant: "colour=黑色;size=M").
-- Existing lines take the product's Chinese name; their unit and values had none.

-- +goose Up
ALTER TABLE products ADD COLUMN unit_zh TEXT NOT NULL DEFAULT '';

ALTER TABLE order_lines
    ADD COLUMN name_zh    TEXT NOT NULL DEFAULT '',
    ADD COLUMN unit_zh    TEXT NOT NULL DEFAULT '',
    ADD COLUMN variant_zh TEXT NOT NULL DEFAULT '';

UPDATE order_lines l SET name_zh = p.name_zh FROM products p WHERE p.sku = l.sku AND p.name_zh <> '';

-- +goose Down
ALTER TABLE order_lines DROP COLUMN variant_zh, DROP COLUMN unit_zh, DROP COLUMN name_zh;
ALTER TABLE products DROP COLUMN unit_zh;
