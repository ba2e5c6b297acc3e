-- People sign in: passwords, two-factor sign-in, sessions, emailed links, partner sign-ups,
-- offer applications with reasons, API access requests, and an audit log of every change.

-- Memory-hard hash (scrypt); null until the user sets a password through an emailed link.
ALTER TABLE users ADD COLUMN password_hash text;
-- Base32 TOTP secret; two-factor sign-in is on once it is confirmed.
ALTER TABLE users ADD COLUMN totp_secret text;
ALTER TABLE users ADD COLUMN totp_enabled_at timestamptz;
ALTER TABLE users ADD COLUMN email_confirmed_at timestamptz;
-- Whether the user may make API keys; those who sign up or are invited ask for it first.
ALTER TABLE users ADD COLUMN api_access boolean NOT NULL DEFAULT true;

CREATE TABLE recovery_codes (
  user_id integer NOT NULL REFERENCES users (id),
  code_hash bytea NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- The cookie holds the session id; the store keeps only its SHA-256.
CREATE TABLE sessions (
  id_hash bytea PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  csrf_token text NOT NULL,
  address text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Links sent by email, each good once: invitations, password resets, email confirmations.
CREATE TABLE account_links (
  token_hash bytea PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  purpose text NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'email_confirmation')),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX account_links_user ON account_links (user_id);

-- What a would-be partner tells the network when it applies, and the network's answer.
ALTER TABLE partners ADD COLUMN company text;
ALTER TABLE partners ADD COLUMN traffic_sources text;
ALTER TABLE partners ADD COLUMN promotion text;
ALTER TABLE partners ADD COLUMN review_reason text;
ALTER TABLE partners ADD COLUMN reviewed_at timestamptz;

-- An offer application: the partner's note is `notes`; the decision's reason and who made it.
ALTER TABLE approvals ADD COLUMN reason text;
ALTER TABLE approvals ADD COLUMN decided_by integer REFERENCES users (id);

CREATE TABLE api_access_requests (
  id serial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users (id),
  use_case text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz
);
CREATE INDEX api_access_requests_user ON api_access_requests (user_id);

-- Who changed what, when, from where, with the row before and after. Writes set the actor for
-- their transaction (partnerline.actor); the triggers below record every change of the tables
-- named, whichever API or tool made it.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_user_id integer,
  actor_role text,
  actor_advertiser_id integer,
  actor_partner_id integer,
  actor_agency_id integer,
  address text,
  action text NOT NULL,
  entity text NOT NULL,
  entity_id text,
  -- The accounts the changed thing belongs to, so each reads its own.
  advertiser_id integer,
  partner_id integer,
  agency_id integer,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_log_advertiser ON audit_log (advertiser_id, id);
CREATE INDEX audit_log_partner ON audit_log (partner_id, id);
CREATE INDEX audit_log_agency ON audit_log (agency_id, id);

CREATE FUNCTION audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- Never recorded: secrets, stored files, and what changes on every use.
  hidden text[] := ARRAY['password_hash', 'totp_secret', 'secret_hash', 'demo_secret', 'csrf_token', 'content',
                         'updated_at', 'last_used_at'];
  actor jsonb := coalesce(nullif(current_setting('partnerline.actor', true), '')::jsonb, '{}'::jsonb);
  old_row jsonb;
  new_row jsonb;
  subject jsonb;
  owner_user integer;
  adv integer;
  par integer;
  agy integer;
BEGIN
  IF TG_OP <> 'INSERT' THEN old_row := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN new_row := to_jsonb(NEW); END IF;
  IF TG_OP = 'UPDATE' AND (old_row - ARRAY['updated_at', 'last_used_at']) = (new_row - ARRAY['updated_at', 'last_used_at']) THEN
    RETURN NULL;
  END IF;
  -- A secret that changed shows as changed, never as its value.
  IF TG_OP = 'UPDATE' AND old_row->>'password_hash' IS DISTINCT FROM new_row->>'password_hash' THEN
    new_row := new_row || '{"password": "changed"}';
  END IF;
  IF TG_OP = 'UPDATE' AND old_row->>'totp_secret' IS DISTINCT FROM new_row->>'totp_secret' THEN
    new_row := new_row || '{"two_factor_secret": "changed"}';
  END IF;
  old_row := old_row - hidden;
  new_row := new_row - hidden;
  subject := coalesce(new_row, old_row);
  owner_user := CASE WHEN TG_TABLE_NAME IN ('api_keys', 'api_access_requests') THEN (subject->>'user_id')::integer END;
  adv := coalesce(
    CASE WHEN TG_TABLE_NAME = 'advertisers' THEN (subject->>'id')::integer END,
    (subject->>'advertiser_id')::integer,
    (SELECT o.advertiser_id FROM offers o WHERE o.id = (subject->>'offer_id')::integer),
    (SELECT u.advertiser_id FROM users u WHERE u.id = owner_user));
  par := coalesce(
    CASE WHEN TG_TABLE_NAME = 'partners' THEN (subject->>'id')::integer END,
    (subject->>'partner_id')::integer,
    (SELECT u.partner_id FROM users u WHERE u.id = owner_user));
  agy := coalesce(
    CASE WHEN TG_TABLE_NAME = 'agencies' THEN (subject->>'id')::integer END,
    (subject->>'agency_id')::integer,
    (SELECT a.agency_id FROM advertisers a WHERE a.id = adv),
    (SELECT u.agency_id FROM users u WHERE u.id = owner_user));
  INSERT INTO audit_log (actor_user_id, actor_role, actor_advertiser_id, actor_partner_id, actor_agency_id, address,
                         action, entity, entity_id, advertiser_id, partner_id, agency_id, before, after)
  VALUES ((actor->>'userId')::integer, actor->>'role', (actor->>'advertiserId')::integer, (actor->>'partnerId')::integer,
          (actor->>'agencyId')::integer, actor->>'address', lower(TG_OP), TG_TABLE_NAME,
          coalesce(subject->>'id', concat_ws(':', subject->>'offer_id', subject->>'partner_id')),
          adv, par, agy, old_row, new_row);
  RETURN NULL;
END $$;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON network FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON agencies FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON advertisers FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON partners FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON api_keys FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON api_access_requests FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON offers FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON offer_urls FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON goals FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON payout_overrides FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON revenue_overrides FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON volume_payouts FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON caps FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON approvals FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON partner_tiers FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON partner_postbacks FOR EACH ROW EXECUTE FUNCTION audit_change();

-- An email signs in whatever its case.
CREATE UNIQUE INDEX users_email_lower ON users (lower(email));
