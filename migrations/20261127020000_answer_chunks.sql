-- The text of an answer being written was saved every 500 ms by rewriting
-- the whole text so far into messages.content, so what a save wrote grew
-- with the answer: the writes of a whole answer grew with the square of its
-- length (a 2,000-word answer: 399 KB of WAL, see BENCHMARKS.md "Saving
-- long answers"), and every save also rewrote the row's index entries.
--
-- A save now adds one row here with only the text added since the last
-- (an empty one is a heartbeat: the writer is alive). The answer's row is
-- left alone until it ends; then its whole text goes into messages.content
-- once and its rows here are deleted. Its text so far is the stored text
-- followed by its rows in order (the view `messages_so_far`).
CREATE TABLE answer_chunks (
    message_id text        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seq        integer     NOT NULL,
    content    text        NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (message_id, seq)
);

-- Messages as readers see them: `content` is the text so far, the stored
-- text followed by the rows of answers being written (and of one stopped
-- from another server until its writer has stored it whole). Other
-- messages have no rows here and are not looked up.
CREATE VIEW messages_so_far AS
SELECT m.id, m.conversation_id, m.user_id, m.role, m.metadata, m.created_at,
       CASE WHEN m.metadata->>'status' IN ('streaming', 'stopped')
            THEN m.content || coalesce(
                (SELECT string_agg(c.content, '' ORDER BY c.seq)
                 FROM answer_chunks c WHERE c.message_id = m.id), '')
            ELSE m.content
       END AS content
FROM messages m;
