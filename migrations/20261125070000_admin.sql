-- The operator's side: accounts made by an admin start with a one-time
-- password that must be changed; the last sign-in tells when a user was
-- last seen; settings an admin changes at run time live in app_settings.
ALTER TABLE users
    ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN last_sign_in_at TIMESTAMPTZ;

CREATE TABLE app_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The admin's user list: newest first, a page at a time.
CREATE INDEX users_created_at_id_idx ON users (created_at DESC, id DESC);
