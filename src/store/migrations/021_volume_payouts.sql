-- Payouts that rise with a partner's volume: from its Nth approved or pending conversion on an offer
-- (or on one goal) in a local day, week or month, or ever, a partner earns a step's payout instead
-- of the offer's or goal's own. An offer's (or goal's) steps share one period.
CREATE TABLE volume_payouts (
  id serial PRIMARY KEY,
  offer_id integer NOT NULL REFERENCES offers (id),
  goal_id integer REFERENCES goals (id),
  period text NOT NULL CHECK (period IN ('day', 'week', 'month', 'lifetime')),
  from_conversion integer NOT NULL CHECK (from_conversion >= 2),
  payout_type text NOT NULL CHECK (payout_type IN ('cpa_flat', 'cpa_percentage', 'cpa_both')),
  payout_flat_micros bigint NOT NULL DEFAULT 0 CHECK (payout_flat_micros >= 0),
  payout_percent_ppm integer NOT NULL DEFAULT 0 CHECK (payout_percent_ppm BETWEEN 0 AND 1000000),
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX volume_payouts_step ON volume_payouts (offer_id, coalesce(goal_id, 0), from_conversion);
