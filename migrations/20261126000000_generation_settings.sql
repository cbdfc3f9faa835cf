-- Generation settings per conversation. NULL means "the provider's default"
-- (for max_output_tokens: VibeBot's default for the model).
ALTER TABLE conversations
    ADD COLUMN temperature DOUBLE PRECISION CHECK (temperature >= 0 AND temperature <= 2),
    ADD COLUMN max_output_tokens INTEGER CHECK (max_output_tokens > 0),
    ADD COLUMN top_p DOUBLE PRECISION CHECK (top_p > 0 AND top_p <= 1);
