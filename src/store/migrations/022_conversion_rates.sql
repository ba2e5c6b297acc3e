-- The rates a conversion was priced at, beside the amounts: the flat part and the share of the sale
-- of its payout and of its revenue. NULL where an amount was not priced by CPA terms: set by hand,
-- priced per click or impression (nothing per conversion), or recorded before rates were kept.
ALTER TABLE conversions
  ADD COLUMN payout_flat_micros bigint,
  ADD COLUMN payout_percent_ppm integer,
  ADD COLUMN revenue_flat_micros bigint,
  ADD COLUMN revenue_percent_ppm integer;
