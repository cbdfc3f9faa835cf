-- Branching (issue #28): a conversation is a tree of messages. An edit adds
-- a sibling question, a regeneration a sibling answer; nothing is replaced.
-- The conversation shows, sends to providers and counts as its history only
-- its active path: from a root down to its current leaf.

-- A message's parent is a message of the same conversation (NULL: a root;
-- a conversation whose first question was edited has several). Deleting a
-- message deletes its subtree. The application deletes a whole subtree in
-- one statement (`messages::delete_subtree`): a cascade down a long chain
-- would nest one statement per generation.
ALTER TABLE messages ADD CONSTRAINT messages_conversation_id_id_key UNIQUE (conversation_id, id);
ALTER TABLE messages ADD COLUMN parent_id text;
ALTER TABLE messages ADD CONSTRAINT messages_parent_fkey
    FOREIGN KEY (conversation_id, parent_id) REFERENCES messages (conversation_id, id)
    ON DELETE CASCADE;
-- A message's children (and a conversation's roots), oldest first.
CREATE INDEX messages_children_idx ON messages (conversation_id, parent_id, created_at, id);
-- When the user last chose the branch ending at this leaf (NULL: never
-- switched to; its creation counts). Switching to a message shows the most
-- recently active leaf under it, so switching back returns where one was.
ALTER TABLE messages ADD COLUMN chosen_at timestamptz;

-- Existing conversations become chains: each message's parent is the one
-- before it in (created_at, id) order.
UPDATE messages m SET parent_id = o.previous
FROM (SELECT id, lag(id) OVER (PARTITION BY conversation_id ORDER BY created_at, id) AS previous
      FROM messages) o
WHERE o.id = m.id AND o.previous IS NOT NULL;

-- The conversation's current leaf: a message of its own. Deleting that
-- message clears it (a trigger: a foreign key's SET NULL would clear the
-- conversation's id too before PostgreSQL 15); readers then fall back to
-- the newest message, which is always a leaf (`current_leaf`).
ALTER TABLE conversations ADD COLUMN current_leaf_id text;
ALTER TABLE conversations ADD CONSTRAINT conversations_current_leaf_fkey
    FOREIGN KEY (id, current_leaf_id) REFERENCES messages (conversation_id, id);
UPDATE conversations c SET current_leaf_id = (
    SELECT m.id FROM messages m WHERE m.conversation_id = c.id
    ORDER BY m.created_at DESC, m.id DESC LIMIT 1);

CREATE FUNCTION clear_current_leaf() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversations SET current_leaf_id = NULL
    WHERE id = OLD.conversation_id AND current_leaf_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER messages_clear_current_leaf BEFORE DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION clear_current_leaf();

-- The leaf a conversation shows: its current leaf, else its newest message.
CREATE FUNCTION current_leaf(conv text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(
        (SELECT c.current_leaf_id FROM conversations c WHERE c.id = conv),
        (SELECT m.id FROM messages m WHERE m.conversation_id = conv
         ORDER BY m.created_at DESC, m.id DESC LIMIT 1))
$$;

-- The path from message `start_id` up towards its root, at most `max_len`
-- messages: each with its parent and its distance from `start_id` (0).
CREATE FUNCTION message_path(conv text, start_id text, max_len integer)
RETURNS TABLE (id text, parent_id text, distance integer) LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up AS (
        SELECT m.id, m.parent_id, 0 AS distance FROM messages m
        WHERE m.conversation_id = conv AND m.id = start_id AND max_len > 0
        UNION ALL
        SELECT m.id, m.parent_id, up.distance + 1 FROM up
        JOIN messages m ON m.conversation_id = conv AND m.id = up.parent_id
        WHERE up.distance + 1 < max_len
    )
    SELECT up.id, up.parent_id, up.distance FROM up
$$;

-- The most recently active leaf under message `top` (itself if it has no
-- children); under the whole conversation when `top` is NULL.
CREATE FUNCTION latest_leaf_under(conv text, top text) RETURNS text LANGUAGE sql STABLE AS $$
    WITH RECURSIVE down AS (
        SELECT m.id FROM messages m WHERE m.conversation_id = conv AND m.id = top
        UNION ALL
        SELECT m.id FROM down
        JOIN messages m ON m.conversation_id = conv AND m.parent_id = down.id
    )
    SELECT m.id FROM messages m
    WHERE m.conversation_id = conv
      AND (top IS NULL OR m.id IN (SELECT down.id FROM down))
      AND NOT EXISTS (SELECT 1 FROM messages c
                      WHERE c.conversation_id = conv AND c.parent_id = m.id)
    ORDER BY coalesce(m.chosen_at, m.created_at) DESC, m.id DESC
    LIMIT 1
$$;
