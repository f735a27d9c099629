-- An Idempotency-Key belongs to the caller who sent it: two users may use the same key.
DROP INDEX profiles_idempotency_key;
CREATE UNIQUE INDEX profiles_owner_idempotency_key ON profiles (owner_id, idempotency_key) NULLS NOT DISTINCT
    WHERE idempotency_key IS NOT NULL;
