-- Accounts: server-side sessions, login throttling, and ending sessions on demand.

-- Bumped to end every session of a user at once (password change, account
-- takeover response). A session is valid only while it carries the current epoch.
ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0;

-- Server-side sessions, in the layout tower-sessions' PostgreSQL store expects.
CREATE TABLE sessions (
    id          text        PRIMARY KEY,
    data        bytea       NOT NULL,
    expiry_date timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_date_idx ON sessions (expiry_date);

-- Failed sign-ins, counted per account and per client address over a sliding
-- window. Kept in PostgreSQL so the limit holds across server instances.
CREATE TABLE login_failures (
    id        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope     text        NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_scope_failed_at_idx ON login_failures (scope, failed_at);
