-- Partner key rotation: a key may be replaced by one successor (same name, scopes, owner and end date).
-- The replaced key keeps working until retires_at (the grace period) and then stops, like an expired one.
-- family_id is the first key of the chain: the rate limit and the daily usage counts follow the partner
-- (the family), not one key. replaces is unique, so a key can never get two successors, whatever races.
ALTER TABLE api_keys
    ADD COLUMN family_id   uuid NULL,
    ADD COLUMN replaces    uuid NULL REFERENCES api_keys (id) ON DELETE SET NULL,
    ADD COLUMN replaced_by uuid NULL REFERENCES api_keys (id) ON DELETE SET NULL,
    ADD COLUMN rotated_at  timestamptz NULL,
    ADD COLUMN retires_at  timestamptz NULL;
CREATE UNIQUE INDEX api_keys_one_successor ON api_keys (replaces) WHERE replaces IS NOT NULL;
