-- Host names whose pages may not send clicks or impressions (a name covers its subdomains).
ALTER TABLE network ADD COLUMN blocked_referrers text[] NOT NULL DEFAULT '{}';
