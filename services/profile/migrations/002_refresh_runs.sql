-- Job-market refresh runs (issue 4): one row per run, written by the profile service (trigger) and the
-- Celery worker (progress, outcome). At most one run is queued or running at any time.
CREATE TABLE refresh_runs (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    status            text NOT NULL DEFAULT 'queued'
                      CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    source            text NOT NULL CHECK (length(source) BETWEEN 1 AND 2048),
    requested_by      text NOT NULL DEFAULT 'schedule',
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    phase             text NULL,
    records_read      integer NOT NULL DEFAULT 0,
    records_accepted  integer NOT NULL DEFAULT 0,
    records_rejected  integer NOT NULL DEFAULT 0,
    rejected_samples  jsonb NOT NULL DEFAULT '[]'::jsonb,
    error             text NULL,
    version           text NULL,
    previous_version  text NULL,
    worker            text NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    started_at        timestamptz NULL,
    heartbeat_at      timestamptz NULL,
    finished_at       timestamptz NULL,
    duration_ms       integer NULL
);
-- The "one refresh at a time" rule, enforced by the database: a second active row cannot exist.
CREATE UNIQUE INDEX refresh_runs_one_active ON refresh_runs ((true)) WHERE status IN ('queued', 'running');
CREATE INDEX refresh_runs_created ON refresh_runs (created_at DESC, id DESC);
