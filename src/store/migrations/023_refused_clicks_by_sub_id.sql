-- The refused-clicks report by sub-ID too (SourceKnowledge's partner_source, else the partner):
-- which of a partner's sources are refused, and why. '' where the click had none (an offer or
-- partner the link did not name or that is unknown); counts made before stay under ''.
ALTER TABLE refused_clicks ADD COLUMN sub_id text NOT NULL DEFAULT '';
ALTER TABLE refused_clicks DROP CONSTRAINT refused_clicks_pkey;
ALTER TABLE refused_clicks ADD PRIMARY KEY (quarter, offer_id, partner_id, outcome, sub_id);
