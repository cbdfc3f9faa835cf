-- The caller's conversations whose title or finished message text contains
-- a query that has trigrams ($2, an ILIKE pattern), most recent first, each
-- with the newest message found (on whichever branch: opened there).
-- Both trigram indexes lead with the owner (btree_gin), so PostgreSQL reads
-- only the caller's index entries and rows; answers being written are left
-- out of the content index, and its condition is repeated here word for word
-- so that the planner uses it. (server/tests/it/conversations.rs EXPLAINs this
-- file against another user's 200,000 messages.)
WITH hits AS (
    SELECT id AS conversation_id, NULL::text AS message_id, NULL::timestamptz AS at
    FROM conversations WHERE user_id = $1 AND title ILIKE $2
    UNION ALL
    SELECT conversation_id, id, created_at FROM messages
    WHERE owner_id = $1 AND content ILIKE $2
      AND (metadata->>'status') IS DISTINCT FROM 'streaming'
),
found AS (
    SELECT DISTINCT ON (conversation_id) conversation_id, message_id
    FROM hits ORDER BY conversation_id, at DESC NULLS LAST, message_id DESC
)
SELECT c.id, c.title, c.model,
       c.created_at AS "created_at: DateTime<Utc>",
       c.last_activity_at AS "last_activity_at: DateTime<Utc>",
       f.message_id AS "found?"
FROM conversations c JOIN found f ON f.conversation_id = c.id
WHERE c.user_id = $1
ORDER BY c.last_activity_at DESC, c.id DESC
LIMIT $3
