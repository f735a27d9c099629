-- Profiles and their assessment history. The latest assessment is the current one.
CREATE TABLE profiles (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id         uuid NULL,
    display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 120),
    skills           jsonb NOT NULL,
    years_experience real NOT NULL CHECK (years_experience >= 0 AND years_experience <= 60),
    target_role      text NULL,
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    idempotency_key  text NULL,
    request_hash     text NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX profiles_idempotency_key ON profiles (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX profiles_owner ON profiles (owner_id) WHERE owner_id IS NOT NULL;

CREATE TABLE assessments (
    profile_id       uuid NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    version          integer NOT NULL,
    skills           jsonb NOT NULL,
    years_experience real NOT NULL,
    target_role      text NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (profile_id, version)
);
