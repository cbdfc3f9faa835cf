-- Models (issue #26): the lists the providers give each key, the admins'
-- overrides of the catalogue, which models each role may use, each user's
-- picks, and answers whose cost is unknown.

-- The chat models a key's provider listed when it was last asked.
CREATE TABLE key_models (
    api_key_id TEXT NOT NULL REFERENCES api_keys(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    -- The provider's own name for it (Anthropic's `display_name`), if any.
    display_name TEXT,
    -- Its context window, where the list says (OpenRouter's `context_length`).
    context_window INTEGER CHECK (context_window > 0),
    PRIMARY KEY (api_key_id, model)
);
-- "Which keys list this model" (a message is sent) and "every listed model" (admin).
CREATE INDEX key_models_model_idx ON key_models (model);

-- When each key's list was last asked for, and how that went. A failed ask
-- keeps the last list (`listed_at` is when it was read).
CREATE TABLE key_model_lists (
    api_key_id TEXT PRIMARY KEY REFERENCES api_keys(id) ON DELETE CASCADE,
    asked_at TIMESTAMPTZ NOT NULL,
    listed_at TIMESTAMPTZ,
    error TEXT
);

-- An admin's display name and prices for a model, over the catalogue's.
CREATE TABLE model_overrides (
    model TEXT PRIMARY KEY,
    display_name TEXT CHECK (char_length(display_name) BETWEEN 1 AND 100),
    input_usd_per_mtok DOUBLE PRECISION CHECK (input_usd_per_mtok >= 0),
    output_usd_per_mtok DOUBLE PRECISION CHECK (output_usd_per_mtok >= 0),
    CHECK ((input_usd_per_mtok IS NULL) = (output_usd_per_mtok IS NULL)),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Which models a role may use: every model but `models` ('except', also
-- what a role without a row gets), or only `models` ('only'); and the model
-- its users start with.
CREATE TABLE role_model_access (
    role user_role PRIMARY KEY,
    mode TEXT NOT NULL DEFAULT 'except' CHECK (mode IN ('except', 'only')),
    models TEXT[] NOT NULL DEFAULT '{}',
    default_model TEXT,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- A user's own default model and pinned models.
ALTER TABLE users ADD COLUMN default_model TEXT;
CREATE TABLE pinned_models (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    model TEXT NOT NULL,
    pinned_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, model)
);

-- Answers of a model without a price: their cost is unknown, not $0.
ALTER TABLE usage_daily ADD COLUMN unpriced_answers INTEGER NOT NULL DEFAULT 0;

