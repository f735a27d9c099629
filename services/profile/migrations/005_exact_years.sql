-- Years of experience as double precision: a 4-byte real turned 4.1 into 4.0999999 on the way back.
-- The old values go through numeric, which prints a real with its own 6 significant digits (4.1, not
-- 4.099999904632568), so what was sent before this migration also reads back as sent.
ALTER TABLE profiles
    ALTER COLUMN years_experience TYPE double precision USING years_experience::numeric::double precision;
ALTER TABLE assessments
    ALTER COLUMN years_experience TYPE double precision USING years_experience::numeric::double precision;
