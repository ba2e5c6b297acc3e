-- A conversion on a click judged a bot is recorded rejected, for review, unless the network turns
-- this off: a network must not pay for such a sale unseen.
ALTER TABLE network ADD COLUMN review_bot_conversions boolean NOT NULL DEFAULT true;
