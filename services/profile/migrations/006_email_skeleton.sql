-- The TR #39 skeleton of each address (shared.text.email_skeleton), so a sign-up whose address only
-- looks like an existing account's (Cyrillic or Greek copies, 0 for o, 1 for l) is refused. Filled in
-- for existing rows by `careerpath migrate` (services/profile/migrate.py), which computes it in Python.
ALTER TABLE users ADD COLUMN email_skeleton text;
CREATE INDEX users_email_skeleton ON users (email_skeleton);
