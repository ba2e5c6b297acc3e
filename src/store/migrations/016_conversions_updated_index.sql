-- A client keeping in step with the ledger asks, every minute or so, for the conversions changed
-- since its last call (GET /api/v1/conversions?updatedSince=): a few rows it finds here, where a
-- ledger of millions would otherwise be read whole each time.
CREATE INDEX conversions_updated ON conversions (updated_at);
