-- Answers being written: found quickly by the watchdog that marks answers whose
-- writer died (no flush for a while) as interrupted.
CREATE INDEX messages_streaming_idx ON messages (created_at)
    WHERE role = 'ASSISTANT' AND metadata->>'status' = 'streaming';
