-- Requests per scope and minute, for rate limits on actions that are cheap
-- once and costly in bulk (search, issue #25). Counted in PostgreSQL so that
-- every server instance counts in one place; UNLOGGED: a counter lost in a
-- crash costs nothing, and its writes skip the WAL.
CREATE UNLOGGED TABLE rate_counts (
    scope        text        NOT NULL,
    window_start timestamptz NOT NULL,
    count        integer     NOT NULL,
    PRIMARY KEY (scope, window_start)
);
