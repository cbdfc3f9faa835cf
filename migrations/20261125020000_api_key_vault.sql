-- API key vault: a default key per provider, OpenAI-compatible endpoints, and a
-- masked hint so that listing keys never needs to decrypt them.

ALTER TABLE api_keys ADD COLUMN is_default boolean NOT NULL DEFAULT false;
-- For OPENAI keys: an OpenAI-compatible server (OpenRouter, vLLM, Ollama, ...).
ALTER TABLE api_keys ADD COLUMN base_url text;
-- What the user sees of the key, e.g. `sk-…a1b2`; never enough to use it.
ALTER TABLE api_keys ADD COLUMN key_hint text NOT NULL DEFAULT '';

-- At most one default key per user and provider.
CREATE UNIQUE INDEX api_keys_one_default_per_provider
    ON api_keys (user_id, provider) WHERE is_default;

-- The first key of each provider becomes its default.
UPDATE api_keys k SET is_default = true
WHERE k.id = (
    SELECT id FROM api_keys f
    WHERE f.user_id = k.user_id AND f.provider = k.provider
    ORDER BY created_at, id LIMIT 1
);
