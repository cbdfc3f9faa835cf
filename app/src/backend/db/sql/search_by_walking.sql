-- The caller's conversations whose title or finished message text contains
-- a query without trigrams ($2, an ILIKE pattern: "c#", "...", "ab"), most
-- recent first: the caller's conversations are walked newest first, each
-- looked into through its messages, until enough match. No index can help
-- such a query; this reads only the caller's rows, and stops early when the
-- query is common. `OFFSET 0` keeps the planner from turning the inner
-- query into one scan of every user's messages, hashed (which it prefers
-- when no index helps); the owner named there is a second guard.
SELECT c.id, c.title, c.model,
       c.created_at AS "created_at: DateTime<Utc>",
       c.last_activity_at AS "last_activity_at: DateTime<Utc>"
FROM conversations c
WHERE c.user_id = $1
  AND (c.title ILIKE $2
       OR EXISTS (SELECT 1 FROM messages m
                  WHERE m.conversation_id = c.id AND m.owner_id = $1 AND m.content ILIKE $2
                    AND (m.metadata->>'status') IS DISTINCT FROM 'streaming'
                  OFFSET 0))
ORDER BY c.last_activity_at DESC, c.id DESC
LIMIT $3
