#!/usr/bin/env bash
# The statement that opens a conversation, before and after branching, timed
# by pgbench on one connection: the keyset page of the latest 101 messages
# (before issue #28) against the active path's page (`messages::path_page`,
# copied here: the walk up from the current leaf with each message's
# versions), for a 2,000-message chain and for the same with 50 branch
# points. BENCHMARKS.md, "Branches". Needs psql and pgbench reaching a
# PostgreSQL (PGHOST, PGPORT, PGUSER; defaults 127.0.0.1, 5432, postgres) and
# a database with every migration applied, named by $1; the rows it adds are
# deleted at the end.
set -euo pipefail
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
db="${1:?usage: branch_page.sh <database with the migrations applied>}"
pgbench="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench | tail -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"; psql -d "$db" -qc "DELETE FROM users WHERE id = '"'"'xu'"'"'"' EXIT
psql -d "$db" -q <<'SQL'
INSERT INTO users (id, email, password) VALUES ('xu', 'xu@branch-page.test', 'x');
INSERT INTO conversations (id, user_id, title) VALUES ('xc1', 'xu', 'chain'), ('xc2', 'xu', 'branched');
INSERT INTO messages (id, conversation_id, role, content, created_at, parent_id)
SELECT p || i, c, CASE WHEN i % 2 = 1 THEN 'USER'::message_role ELSE 'ASSISTANT'::message_role END,
       'Message ' || i || ' about rivers and trains.', now() - make_interval(secs => (2000 - i)::float8),
       CASE WHEN i > 1 THEN p || (i - 1) END
FROM (VALUES ('xc1', 'xa-'), ('xc2', 'xb-')) AS v(c, p), generate_series(1, 2000) AS i;
INSERT INTO messages (id, conversation_id, role, content, created_at, parent_id)
SELECT 'xv-' || k || '-' || j, 'xc2',
       CASE WHEN j % 2 = 1 THEN 'USER'::message_role ELSE 'ASSISTANT'::message_role END,
       'Another version', now() - make_interval(secs => (2000 - 40 * k)::float8) + make_interval(secs => j),
       CASE WHEN j = 0 THEN 'xb-' || (40 * k - 1) ELSE 'xv-' || k || '-' || (j - 1) END
FROM generate_series(1, 50) AS k, generate_series(0, 3) AS j;
UPDATE conversations SET current_leaf_id = CASE id WHEN 'xc1' THEN 'xa-2000' ELSE 'xb-2000' END
WHERE id IN ('xc1', 'xc2');
VACUUM ANALYZE messages;
SQL
echo "SELECT id, role, content, metadata, created_at FROM messages_so_far
      WHERE conversation_id = 'xc1' ORDER BY created_at DESC, id DESC LIMIT 101;" >"$work/keyset.sql"
for c in xc1 xc2; do
  cat >"$work/path-$c.sql" <<SQL
SELECT s.id, s.role, s.content, s.metadata, s.created_at, p.parent_id, sib.ids,
       (SELECT w.id FROM messages w WHERE w.conversation_id = '$c' AND w.role = 'ASSISTANT'
          AND w.metadata->>'status' = 'streaming' LIMIT 1) AS being_written
FROM message_path('$c', current_leaf('$c'), 100) p
JOIN messages_so_far s ON s.id = p.id
CROSS JOIN LATERAL (
    SELECT CASE WHEN count(*) > 1 THEN array_agg(x.id ORDER BY x.created_at, x.id) ELSE '{}' END AS ids
    FROM (SELECT c.id, c.created_at FROM messages c
          WHERE c.conversation_id = '$c' AND c.parent_id = p.parent_id
          UNION ALL
          SELECT c.id, c.created_at FROM messages c
          WHERE p.parent_id IS NULL AND c.conversation_id = '$c' AND c.parent_id IS NULL) x) sib
ORDER BY p.distance DESC;
SQL
done
for round in 1 2; do
  for script in keyset path-xc1 path-xc2; do
    printf '%-9s round %s: ' "$script" "$round"
    "$pgbench" -n -d "$db" -f "$work/$script.sql" -M prepared -T 10 -c 1 2>&1 | grep -E "latency average"
  done
done
