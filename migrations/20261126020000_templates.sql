-- Conversation templates: a model, a system prompt and generation settings
-- under a name. Public ones (published by an admin) are offered to everyone.
CREATE TABLE templates (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    model TEXT,
    system_prompt TEXT,
    temperature DOUBLE PRECISION CHECK (temperature >= 0 AND temperature <= 2),
    max_output_tokens INTEGER CHECK (max_output_tokens > 0),
    top_p DOUBLE PRECISION CHECK (top_p > 0 AND top_p <= 1),
    is_public BOOLEAN NOT NULL DEFAULT false,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX templates_user_name_key ON templates (user_id, lower(name));
CREATE INDEX templates_public_idx ON templates (lower(name)) WHERE is_public;
CREATE TRIGGER templates_set_updated_at BEFORE UPDATE ON templates
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
