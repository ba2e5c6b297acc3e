-- Most conversions come by transaction and name no order: their empty order and request keys need
-- no index entries, and every entry is paid for by each conversion's insert. As partial indexes
-- they still refuse a second conversion for the same key (ON CONFLICT arbiters include them).
ALTER TABLE conversions DROP CONSTRAINT conversions_dedupe_order_key_key;
CREATE UNIQUE INDEX conversions_dedupe_order_key ON conversions (dedupe_order_key) WHERE dedupe_order_key IS NOT NULL;
ALTER TABLE conversions DROP CONSTRAINT conversions_dedupe_request_key_key;
CREATE UNIQUE INDEX conversions_dedupe_request_key ON conversions (dedupe_request_key) WHERE dedupe_request_key IS NOT NULL;
DROP INDEX conversions_order;
CREATE INDEX conversions_order ON conversions (offer_id, order_id) WHERE order_id IS NOT NULL;
