-- A partner's own CPC or CPM payout prices its clicks and impressions on the click path, which
-- rebuilds its catalog when this version moves.
CREATE TRIGGER payout_overrides_catalog AFTER INSERT OR UPDATE OR DELETE ON payout_overrides FOR EACH STATEMENT EXECUTE FUNCTION bump_catalog_version();
