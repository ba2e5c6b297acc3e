-- The click path's rules on visitors' addresses: addresses and CIDR ranges whose clicks and
-- impressions are refused, and how many counted clicks one address (an IPv6 /64) may make in a
-- clock hour; 0 sets no limit.
ALTER TABLE network
  ADD COLUMN blocked_ips text[] NOT NULL DEFAULT '{}',
  ADD COLUMN click_limit_per_ip_hour integer NOT NULL DEFAULT 0 CHECK (click_limit_per_ip_hour >= 0);
