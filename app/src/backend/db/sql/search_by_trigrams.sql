-- The caller's conversations whose title or finished message text contains
-- a query that has trigrams ($2, an ILIKE pattern), most recent first.
-- Both trigram indexes lead with the owner (btree_gin), so PostgreSQL reads
-- only the caller's index entries and rows; answers being written are left
-- out of the content index, and its condition is repeated here word for word
-- so that the planner uses it. (server/tests/it/conversations.rs EXPLAINs this
-- file against another user's 200,000 messages.)
SELECT c.id, c.title, c.model,
       c.created_at AS "created_at: DateTime<Utc>",
       c.last_activity_at AS "last_activity_at: DateTime<Utc>"
FROM conversations c
WHERE c.user_id = $1
  AND c.id IN (SELECT id FROM conversations WHERE user_id = $1 AND title ILIKE $2
               UNION ALL
               SELECT conversation_id FROM messages
               WHERE owner_id = $1 AND content ILIKE $2
                 AND (metadata->>'status') IS DISTINCT FROM 'streaming')
ORDER BY c.last_activity_at DESC, c.id DESC
LIMIT $3
