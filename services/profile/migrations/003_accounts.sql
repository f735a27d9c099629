-- Accounts: users (with an admin role), partner API keys (hashes only) and the audit log.
CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    password_hash  text NOT NULL,
    role           text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_login_at  timestamptz NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- A user owns at most one profile, and deleting the user deletes it.
ALTER TABLE profiles ADD CONSTRAINT profiles_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE;
CREATE UNIQUE INDEX profiles_one_per_owner ON profiles (owner_id) WHERE owner_id IS NOT NULL;

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    prefix        text NOT NULL,
    key_hash      text NOT NULL UNIQUE,
    scopes        text[] NOT NULL,
    created_by    uuid NULL REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NULL,
    revoked_at    timestamptz NULL,
    last_used_at  timestamptz NULL,
    usage_count   bigint NOT NULL DEFAULT 0
);

CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    actor   text NOT NULL,
    action  text NOT NULL,
    target  text NULL,
    ip      text NULL,
    detail  jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC);
