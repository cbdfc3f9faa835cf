-- A question and its answer are inserted in one transaction, where now() is the
-- same for both; the wall clock keeps them in the order they were written.
ALTER TABLE messages ALTER COLUMN created_at SET DEFAULT clock_timestamp();
