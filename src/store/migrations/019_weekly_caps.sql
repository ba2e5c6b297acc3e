-- Caps by the local week too (Monday to Sunday), as networks pace offers by the week.
ALTER TABLE caps DROP CONSTRAINT caps_period_check;
ALTER TABLE caps ADD CONSTRAINT caps_period_check CHECK (period IN ('day', 'week', 'month', 'lifetime'));
