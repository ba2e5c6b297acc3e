-- What partners put on their pages for an offer: images and HTML, stored by Partnerline and served
-- from its own address (HasOffers' offer files).
CREATE TABLE creatives (
  id serial PRIMARY KEY,
  offer_id integer NOT NULL REFERENCES offers (id),
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('image', 'html')),
  content_type text NOT NULL,
  content bytea NOT NULL,
  width integer,
  height integer,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX creatives_offer ON creatives (offer_id) WHERE status = 'active';
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON creatives FOR EACH ROW EXECUTE FUNCTION audit_change();
