-- Sign-in throttling that holds under concurrency, and a way in for an owner
-- whose account an attacker keeps locked (issue #25).
--
-- Every sign-in attempt is now recorded in `login_failures` before its
-- password is checked, under a per-scope advisory lock, so that parallel
-- attempts cannot all pass the check; a successful attempt removes its own
-- record, so what stays are failures (and registrations, which are counted
-- whatever their outcome).
--
-- The addresses each account signed in from: while an account is locked by
-- failures from elsewhere, a sign-in from one of them is judged by that
-- address's own failures for the account instead (kept 90 days).
CREATE TABLE known_sign_in_addresses (
    user_id           text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    address           text        NOT NULL,
    last_signed_in_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, address)
);
