-- Conversations listed by latest activity (a new message), paged by keyset,
-- and found by words in their title or messages.

ALTER TABLE conversations ADD COLUMN last_activity_at timestamptz NOT NULL DEFAULT now();
UPDATE conversations c SET last_activity_at = GREATEST(
    c.created_at,
    COALESCE((SELECT max(m.created_at) FROM messages m WHERE m.conversation_id = c.id), c.created_at)
);
CREATE INDEX conversations_user_activity_idx
    ON conversations (user_id, last_activity_at DESC, id DESC);

-- A new message is activity in its conversation.
CREATE FUNCTION touch_conversation_activity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations SET last_activity_at = NEW.created_at
    WHERE id = NEW.conversation_id AND last_activity_at < NEW.created_at;
    RETURN NEW;
END;
$$;
CREATE TRIGGER messages_touch_conversation AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION touch_conversation_activity();

-- Messages of a conversation in order, paged by keyset.
CREATE INDEX messages_conversation_order_idx ON messages (conversation_id, created_at, id);

-- Substring search on titles and message text.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX conversations_title_trgm_idx ON conversations USING gin (title gin_trgm_ops);
CREATE INDEX messages_content_trgm_idx ON messages USING gin (content gin_trgm_ops);
