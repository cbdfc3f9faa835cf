-- Usage limits: a default per role, and per-user overrides set by an admin.
-- A NULL limit is "none" in role_limits and "the role's" in user_limits.
CREATE TABLE role_limits (
    role user_role PRIMARY KEY,
    messages_per_minute INTEGER CHECK (messages_per_minute >= 0),
    messages_per_day INTEGER CHECK (messages_per_day >= 0),
    output_tokens_per_day BIGINT CHECK (output_tokens_per_day >= 0),
    monthly_spend_usd DOUBLE PRECISION CHECK (monthly_spend_usd >= 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE user_limits (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    messages_per_minute INTEGER CHECK (messages_per_minute >= 0),
    messages_per_day INTEGER CHECK (messages_per_day >= 0),
    output_tokens_per_day BIGINT CHECK (output_tokens_per_day >= 0),
    monthly_spend_usd DOUBLE PRECISION CHECK (monthly_spend_usd >= 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every answer asked for (send, regenerate, retry, edit), for the message
-- rate limits. Rows older than two days are pruned by the server.
CREATE TABLE answer_requests (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    requested_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX answer_requests_user_time_idx ON answer_requests (user_id, requested_at);
CREATE INDEX answer_requests_time_idx ON answer_requests (requested_at);
