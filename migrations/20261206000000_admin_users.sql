-- What the admin's user list shows of each user: the account, when it was
-- last active (signed in, or a conversation's activity), and this UTC month's
-- answers, tokens and cost (read from usage_daily's primary key: user_id,
-- day, model). One definition for the page of users and for one user; the
-- planner inlines it, so a filter on users still uses users' indexes.
CREATE VIEW admin_users AS
SELECT u.id, u.email, u.name, u.role, u.created_at,
       GREATEST(u.last_sign_in_at, (
           SELECT max(c.last_activity_at) FROM conversations c WHERE c.user_id = u.id
       )) AS last_active_at,
       u.must_change_password,
       m.answers AS month_answers, m.tokens AS month_tokens, m.cost_usd AS month_cost_usd
FROM users u
CROSS JOIN LATERAL (
    SELECT coalesce(sum(d.answers), 0)::int8 AS answers,
           coalesce(sum(d.input_tokens + d.output_tokens), 0)::int8 AS tokens,
           coalesce(sum(d.cost_usd), 0)::float8 AS cost_usd
    FROM usage_daily d
    WHERE d.user_id = u.id
      AND d.day >= date_trunc('month', now() AT TIME ZONE 'UTC')::date
) m;
