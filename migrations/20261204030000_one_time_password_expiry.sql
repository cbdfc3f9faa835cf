-- One-time passwords expire (issue #25): an account an administrator created
-- and nobody claimed must not stay open to its first password for ever.
-- Accounts still on one today get the default week from now.
ALTER TABLE users ADD COLUMN one_time_password_expires_at timestamptz;
UPDATE users SET one_time_password_expires_at = now() + interval '7 days' WHERE must_change_password;
