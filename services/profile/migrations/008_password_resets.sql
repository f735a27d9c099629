-- Password-reset tokens: only the SHA-256 of each token is kept (a token is 256 random bits, sent once
-- by e-mail). A token works once (used_at), until expires_at; asking again deletes the user's older
-- unused tokens, and deleting the user deletes them all.
CREATE TABLE password_resets (
    token_hash  text PRIMARY KEY CHECK (length(token_hash) = 64),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz NULL
);
CREATE INDEX password_resets_user ON password_resets (user_id);
CREATE INDEX password_resets_expires ON password_resets (expires_at);
