-- Clicks sent on without being counted (bots, and clicks refused for a reason), by quarter hour in
-- UTC, offer, partner and outcome, moved in the same transaction as the clicks. The refused-clicks
-- report reads these, not the raw clicks. 0 stands for an offer or partner the link did not name.
CREATE TABLE refused_clicks (
  quarter timestamptz NOT NULL,
  offer_id integer NOT NULL,
  partner_id integer NOT NULL,
  outcome text NOT NULL,
  clicks bigint NOT NULL,
  PRIMARY KEY (quarter, offer_id, partner_id, outcome)
);

INSERT INTO refused_clicks (quarter, offer_id, partner_id, outcome, clicks)
SELECT to_timestamp(floor(extract(epoch FROM created_at) / 900) * 900), coalesce(offer_id, 0), coalesce(partner_id, 0), outcome, count(*)
FROM clicks WHERE outcome <> 'counted'
GROUP BY 1, 2, 3, 4;
