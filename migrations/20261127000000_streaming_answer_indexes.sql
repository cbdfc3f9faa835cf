-- Answers being written are looked up on every send: "is one being written in
-- this conversation" and "how many are being written for this user" (the cap
-- VIBEBOT_MAX_ANSWERS_PER_USER). Both read every answer being written on the
-- server, other users' included, so their cost grew with the server's load:
-- the first combined the conversation's messages with the whole partial index
-- below (a BitmapAnd), the second joined the user's conversations with it
-- (assistant messages have no user_id).
--
-- The set of answers being written is now keyed by conversation (the
-- watchdog, which used the created_at key, reads the whole set either way),
-- and an answer names the user it is written for in its metadata
-- (`asked_by`, set when it starts), indexed over the same set.
DROP INDEX messages_streaming_idx;
CREATE INDEX messages_streaming_idx ON messages (conversation_id)
    WHERE role = 'ASSISTANT' AND metadata->>'status' = 'streaming';
CREATE INDEX messages_streaming_asked_by_idx ON messages ((metadata->>'asked_by'))
    WHERE role = 'ASSISTANT' AND metadata->>'status' = 'streaming';

-- Answers a server of the previous version is writing right now.
UPDATE messages m
SET metadata = m.metadata || jsonb_build_object('asked_by', c.user_id)
FROM conversations c
WHERE c.id = m.conversation_id
  AND m.role = 'ASSISTANT' AND m.metadata->>'status' = 'streaming';
