-- The colour theme a user chose: follow the system, or always light or dark.
-- Kept per user so that it follows them to every device they sign in on.
ALTER TABLE users
    ADD COLUMN theme TEXT NOT NULL DEFAULT 'system'
        CONSTRAINT users_theme_check CHECK (theme IN ('system', 'light', 'dark'));
