# Shared set-up for scripts/run and scripts/test. Every step is idempotent and
# says clearly what is missing when it cannot fix it itself.
# shellcheck shell=bash

set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO_ROOT/target}"
# cargo-leptos names the WASM/JS/CSS bundle; plain `cargo` builds need it too.
export LEPTOS_OUTPUT_NAME=vibebot
# sqlx checks queries against the committed .sqlx/ cache, not a live database.
export SQLX_OFFLINE=true
TOOLS_DIR="$REPO_ROOT/.tools"

CARGO_LEPTOS_VERSION=0.3.10
BINARYEN_VERSION=132

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root (directly, or through sudo when available).
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root to run: $* (install sudo or run this script as root)"
  fi
}

# Runs apt-get, waiting (up to 10 minutes) while another apt or dpkg holds
# its lock: a machine just booted may be updating itself.
apt_get() {
  local err tries=0
  err="$(mktemp)"
  until as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@" 2>"$err"; do
    if grep -q 'Could not get lock' "$err" && [ "$tries" -lt 120 ]; then
      [ "$tries" -gt 0 ] || say "apt is busy (another apt-get or dpkg holds its lock): waiting"
      tries=$((tries + 1))
      sleep 5
    else
      cat "$err" >&2; rm -f "$err"; return 1
    fi
  done
  cat "$err" >&2; rm -f "$err"
}

APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 ||
    die "cannot install $* automatically: this is not a Debian/Ubuntu system. Install them with your package manager."
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    apt_get update -qq || die "apt-get update failed (see above)"
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  apt_get install -y -qq "$@" >/dev/null || die "apt-get install $* failed (see above)"
}

ensure_rust() {
  command -v cargo >/dev/null 2>&1 ||
    die "cargo not found: install Rust with rustup (https://rustup.rs), then run this again."
  rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown || {
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  }
}

ensure_cargo_leptos() {
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 12 minutes, once)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  # The CLI must match the wasm-bindgen crate exactly.
  local want
  want="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)"
  [ -n "$want" ] || die "cannot find wasm-bindgen's version in Cargo.lock"
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $want\$"; then
    say "installing wasm-bindgen-cli $want (about 2 minutes, once)"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

ensure_node() {
  if ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
}

# wasm-opt for release WASM. Debian's binaryen package is too old (it breaks hydration).
ensure_wasm_opt() {
  ensure_node
  if [ ! -x "$TOOLS_DIR/node_modules/.bin/wasm-opt" ]; then
    say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into .tools/"
    mkdir -p "$TOOLS_DIR"
    npm install --prefix "$TOOLS_DIR" --no-save --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
  export PATH="$TOOLS_DIR/node_modules/.bin:$PATH"
}

# sass compiles style/main.scss (cargo-leptos finds it on PATH; it cannot download it here).
SASS_VERSION=1.108.2
ensure_sass() {
  ensure_node
  # Its own folder: npm would prune wasm-opt as extraneous from a shared one.
  if [ ! -x "$TOOLS_DIR/sass/node_modules/.bin/sass" ]; then
    say "installing sass $SASS_VERSION (npm) into .tools/sass/"
    mkdir -p "$TOOLS_DIR/sass"
    npm install --prefix "$TOOLS_DIR/sass" --no-save --no-audit --no-fund "sass@$SASS_VERSION" >/dev/null
  fi
  export PATH="$TOOLS_DIR/sass/node_modules/.bin:$PATH"
}

# PostgreSQL server binaries, for the private database used when DATABASE_URL is unset.
ensure_postgres_binaries() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1 &&
     [ -z "${VIBEBOT_PG_BIN_DIR:-}" ]; then
    apt_install postgresql
  fi
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

ensure_end2end_deps() {
  ensure_node
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    say "installing Playwright (npm ci in end2end/)"
    (cd end2end && npm ci --no-audit --no-fund >/dev/null)
  fi
}

# Cleanup commands run on exit, last registered first.
CLEANUP=()
cleanup() { local i; for ((i=${#CLEANUP[@]}-1; i>=0; i--)); do eval "${CLEANUP[i]}" || true; done; }
trap cleanup EXIT
# Interrupted (Ctrl+C, kill): still clean up.
trap 'exit 130' INT TERM

PG_BIN="${VIBEBOT_PG_BIN_DIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

free_port() {
  local port
  for port in $(shuf -i 20000-60000 -n 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  die "no free TCP port found"
}

# A throwaway PostgreSQL cluster on a free port, removed on exit; exports
# DATABASE_URL (database `postgres`). Extra `-c name=value` settings may follow.
start_private_postgres() {
  local pgdir port settings=""
  pgdir="$(mktemp -d /tmp/vibebot-pg.XXXXXX)"
  chmod 755 "$pgdir"
  [ "$(id -u)" -ne 0 ] || chown postgres "$pgdir"
  port="$(free_port)"
  for s in "$@"; do settings="$settings -c $s"; done
  as_pg "$PG_BIN/initdb" -D "$pgdir/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w \
    -o "-p $port -k $pgdir -c listen_addresses=127.0.0.1 -c max_connections=200$settings" start >/dev/null
  CLEANUP+=("as_pg '$PG_BIN/pg_ctl' -D '$pgdir/data' -m immediate stop >/dev/null; rm -rf '$pgdir'")
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  PRIVATE_PGDIR="$pgdir"
}

# Tests need a PostgreSQL server they may create databases on: DATABASE_URL if
# given, else the local one at 127.0.0.1:5432, else a private throwaway cluster.
ensure_test_database() {
  [ -z "${DATABASE_URL:-}" ] || return 0
  if "$PG_BIN/psql" -qtA -h 127.0.0.1 -p 5432 -U postgres -d postgres -c 'select 1' >/dev/null 2>&1; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
  else
    say "no PostgreSQL at 127.0.0.1:5432: starting a private one"
    start_private_postgres
  fi
}

# Builds the release server, the fake provider and the load generator, then
# starts a private PostgreSQL (with the settings given), the fake provider and
# the server, as scripts/bench and scripts/soak measure them. Sets `bin`,
# `server`, `work` (a temporary folder with the logs), `port`, `fake_port`,
# `server_pid`.
start_release_stack() {
  local name="$1"; shift
  say "building VibeBot, the fake provider and the load generator (release)"
  cargo leptos build --release
  cargo build --release -p fake-provider -p vibebot-bench
  bin="$CARGO_TARGET_DIR/release"
  # VIBEBOT_SERVER_BIN: another build of the server (a copy of an earlier
  # target/release/vibebot), to compare two builds on the same machine.
  server="${VIBEBOT_SERVER_BIN:-$bin/vibebot}"
  [ -x "$server" ] || die "VIBEBOT_SERVER_BIN=$server is not an executable"
  # Thousands of connections on each side.
  ulimit -n "$(ulimit -Hn)"
  start_private_postgres "$@"
  work="$(mktemp -d "/tmp/vibebot-$name.XXXXXX")"
  chmod 755 "$work"
  CLEANUP+=("rm -rf '$work'")
  fake_port="$(free_port)"
  "$bin/fake-provider" "127.0.0.1:$fake_port" >"$work/fake-provider.log" 2>&1 &
  CLEANUP+=("kill $! 2>/dev/null")
  start_release_server "$work/server.log"
  port="$started_port" server_pid="$started_pid"
}

# Starts one more instance of the release server of start_release_stack (on
# the same database), logging to $1: sets `started_port` and `started_pid`.
start_release_server() {
  local log="$1"
  started_port="$(free_port)"
  (
    export VIBEBOT_DATA_DIR="$work/data" LEPTOS_SITE_ADDR="127.0.0.1:$started_port" VIBEBOT_LOG=warn
    export VIBEBOT_ANTHROPIC_BASE_URL="http://127.0.0.1:$fake_port/anthropic/v1"
    export VIBEBOT_OPENAI_BASE_URL="http://127.0.0.1:$fake_port/openai/v1"
    # Scenario 9's OpenAI-compatible endpoint is the local fake provider.
    export VIBEBOT_ALLOW_PRIVATE_ENDPOINTS=true
    export LEPTOS_SITE_ROOT="$REPO_ROOT/target/site"
    # One load-generating user holds thousands of answers at once: the
    # server's capacity is measured, not the per-user cap.
    export VIBEBOT_MAX_ANSWERS_PER_USER=1000000
    # The load generator registers its users from one address.
    export VIBEBOT_REGISTRATIONS_PER_ADDRESS=1000000
    # The big account's searches are timed by 50 clients at once.
    export VIBEBOT_SEARCHES_PER_MINUTE=1000000
    "$server" db migrate >/dev/null
    exec "$server" serve
  ) >"$log" 2>&1 &
  started_pid=$!
  CLEANUP+=("kill -TERM $started_pid 2>/dev/null; wait $started_pid 2>/dev/null")
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$started_port/readyz" >/dev/null 2>&1 && break
    kill -0 "$started_pid" 2>/dev/null || { cat "$log"; die "the server exited before it was ready"; }
    sleep 0.5
  done
}

# Clippy on the server build (app with `ssr`, the server, the fake provider,
# the bench; every target), warnings as errors, with the query macros asking a
# fresh database with every migration instead of the offline cache: what they
# learn goes to a temporary folder, which `check` compares with the committed
# .sqlx/ and `update` puts in its place. One compile does both jobs.
# Needs DATABASE_URL (a server it may create a database on).
clippy_server_and_query_cache() {
  local mode="$1" base query db url fresh
  base="${DATABASE_URL%%\?*}"
  query="${DATABASE_URL#"$base"}"
  db="vibebot_query_cache_$$"
  url="${base%/*}/$db$query"
  "$PG_BIN/psql" -qtA -v ON_ERROR_STOP=1 "$DATABASE_URL" -c "CREATE DATABASE $db" >/dev/null
  CLEANUP+=("'$PG_BIN/psql' -qtA '$DATABASE_URL' -c 'DROP DATABASE IF EXISTS $db' >/dev/null")
  for f in migrations/*.sql; do
    "$PG_BIN/psql" -qtA -v ON_ERROR_STOP=1 "$url" -f "$f" >/dev/null
  done
  fresh="$(mktemp -d /tmp/vibebot-sqlx.XXXXXX)"
  CLEANUP+=("rm -rf '$fresh'")
  # The macros run again only when the crate that holds them is rebuilt.
  touch app/src/lib.rs
  SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$fresh" DATABASE_URL="$url" \
    cargo clippy -p app -p server -p fake-provider -p vibebot-bench --features app/ssr \
    --all-targets -- -D warnings
  case "$mode" in
    check)
      diff -rq .sqlx "$fresh" >&2 ||
        die "the offline query cache .sqlx/ is out of date with the queries: run scripts/query-cache and commit .sqlx/" ;;
    update)
      rm -f .sqlx/query-*.json
      cp "$fresh"/query-*.json .sqlx/
      say ".sqlx/ now holds the $(ls .sqlx | wc -l) queries of the code" ;;
  esac
}

# Clippy on the browser build (app with `hydrate`, through the frontend crate).
clippy_browser() {
  cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
}
