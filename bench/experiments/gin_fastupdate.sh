#!/usr/bin/env bash
# The WAL and time of storing 100 answers of 2,000 made-up words, one
# transaction each, into a table with the search's trigram index, with the
# index's pending list on (PostgreSQL's default, VibeBot's) and off.
# BENCHMARKS.md, "What the WAL of an answer is". Needs a PostgreSQL 15+ with
# pg_trgm and pg_walinspect that psql reaches (PGHOST, PGPORT, PGUSER; the
# defaults are 127.0.0.1, 5432, postgres); creates and drops the database ginexp.
set -euo pipefail
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
work="$(mktemp -d)"
trap 'rm -rf "$work"; psql -qc "DROP DATABASE IF EXISTS ginexp" 2>/dev/null || true' EXIT
# Words of 2 to 9 letters at English letter frequencies (as the fake provider's [prose]).
python3 - >"$work/inserts.sql" <<'PY'
import random
random.seed(7)
letters = 'etaoinshrdlcumwfgypbvkjxqz'
weights = [12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4,
           2.2, 2.0, 2.0, 1.9, 1.5, 1.0, 0.8, 0.15, 0.15, 0.1, 0.07]
def word():
    return ''.join(random.choices(letters, weights, k=random.randint(2, 9)))
for i in range(100):
    print(f"INSERT INTO docs VALUES ({i}, '{' '.join(word() for _ in range(2000))}');")
PY
for fastupdate in on off; do
  psql -qc "DROP DATABASE IF EXISTS ginexp" -c "CREATE DATABASE ginexp"
  p() { psql -d ginexp -qAt "$@"; }
  p -c "CREATE EXTENSION pg_trgm" -c "CREATE EXTENSION pg_walinspect" \
    -c "CREATE TABLE docs (id int PRIMARY KEY, content text)" \
    -c "CREATE INDEX ON docs USING gin (content gin_trgm_ops) WITH (fastupdate = $fastupdate)" \
    -c "INSERT INTO docs SELECT 1000 + i, 'short message ' || i || ' about trains' FROM generate_series(1, 1000) i" \
    -c "CHECKPOINT"
  start="$(p -c "SELECT pg_current_wal_lsn()")"
  t0="$(date +%s%N)"
  p -f "$work/inserts.sql"
  t1="$(date +%s%N)"
  echo "fastupdate = $fastupdate: $(p -c "SELECT pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), '$start'))") of WAL in $(( (t1 - t0) / 1000000 )) ms; largest kinds of record (count, bytes, full-page image bytes):"
  p -F ' ' -c "SELECT '  ' || \"resource_manager/record_type\", count, record_size, fpi_size
                FROM pg_get_wal_stats('$start', pg_current_wal_flush_lsn(), true)
                ORDER BY combined_size DESC LIMIT 4"
done
