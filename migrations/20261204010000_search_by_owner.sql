-- A search must cost what the caller's own data costs (issue #25).
--
-- The trigram indexes covered every user's text: a common word ("the") or a
-- query without trigrams made PostgreSQL collect and recheck the matching
-- messages of every user before keeping the caller's. Each message now
-- carries its conversation's owner, and the trigram indexes lead with the
-- owner (btree_gin), so a search reads only the caller's index entries and
-- rows.
CREATE EXTENSION IF NOT EXISTS btree_gin;

ALTER TABLE messages ADD COLUMN owner_id text;
UPDATE messages m SET owner_id = c.user_id FROM conversations c WHERE c.id = m.conversation_id;
ALTER TABLE messages ALTER COLUMN owner_id SET NOT NULL;

-- Set from the conversation on every insert, whoever inserts: a message
-- cannot be filed under another owner than its conversation's.
CREATE FUNCTION set_message_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT user_id INTO NEW.owner_id FROM conversations WHERE id = NEW.conversation_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER messages_set_owner BEFORE INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION set_message_owner();

DROP INDEX messages_content_trgm_idx;
CREATE INDEX messages_owner_content_trgm_idx ON messages USING gin (owner_id, content gin_trgm_ops)
    WHERE (metadata->>'status') IS DISTINCT FROM 'streaming';

DROP INDEX conversations_title_trgm_idx;
CREATE INDEX conversations_user_title_trgm_idx ON conversations USING gin (user_id, title gin_trgm_ops);
