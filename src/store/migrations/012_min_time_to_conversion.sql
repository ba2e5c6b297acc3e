-- A conversion made sooner than this after its click is recorded rejected, for review: faster than
-- a person buys, it is most often a bot or a click fired at the sale (click injection). 0: no minimum.
ALTER TABLE network
  ADD COLUMN min_seconds_to_conversion integer NOT NULL DEFAULT 0 CHECK (min_seconds_to_conversion BETWEEN 0 AND 86400);
