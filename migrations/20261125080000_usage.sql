-- Usage and cost per user, model and day (UTC), counted when an answer
-- finishes, in the same transaction as the answer's final write. Kept when
-- conversations are deleted: the money was spent.
CREATE TABLE usage_daily (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day DATE NOT NULL,
    model TEXT NOT NULL,
    provider api_key_provider NOT NULL,
    answers INTEGER NOT NULL DEFAULT 0,
    input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    cost_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, day, model)
);

CREATE INDEX usage_daily_day_idx ON usage_daily (day);
