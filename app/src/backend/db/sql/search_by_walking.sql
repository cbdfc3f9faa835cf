-- The caller's conversations whose title or finished message text contains
-- a query without trigrams ($2, an ILIKE pattern: "c#", "...", "ab"), most
-- recent first, each with the newest message found (on whichever branch:
-- opened there): the caller's conversations are walked newest first, each
-- looked into through its messages, newest first, until enough match. No
-- index can help such a query; this reads only the caller's rows, and stops
-- early when the query is common. The `LIMIT 1` keeps the planner from
-- turning the lateral query into one scan of every user's messages, hashed
-- (which it prefers when no index helps); the owner named there is a second
-- guard.
SELECT c.id, c.title, c.model,
       c.created_at AS "created_at: DateTime<Utc>",
       c.last_activity_at AS "last_activity_at: DateTime<Utc>",
       f.id AS "found?"
FROM conversations c
LEFT JOIN LATERAL (
    SELECT m.id FROM messages m
    WHERE m.conversation_id = c.id AND m.owner_id = $1 AND m.content ILIKE $2
      AND (m.metadata->>'status') IS DISTINCT FROM 'streaming'
    ORDER BY m.created_at DESC, m.id DESC
    LIMIT 1) f ON true
WHERE c.user_id = $1 AND (c.title ILIKE $2 OR f.id IS NOT NULL)
ORDER BY c.last_activity_at DESC, c.id DESC
LIMIT $3
