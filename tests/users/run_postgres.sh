#!/usr/bin/env bash
# The users directory's unit tests (tests/unit/users/test_users.c), run
# unchanged against a real PostgreSQL server: both drivers must pass the same
# assertions. The server is started here (not as root, 127.0.0.1, a free
# port), restarted in the middle by the reconnect test, and removed on exit.
# Needs CRUDDUR_BUILD (the build folder, set by ctest).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
build=${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}
bin=$build/tests/test_users
[ -x "$bin" ] || { echo "run_postgres: $bin is not built" >&2; exit 1; }

. "$src/tests/lib/pg.sh"
pg_ensure_installed "$src"

dir=$(mktemp -d /tmp/cruddur-pg.XXXXXX)
trap 'pg_stop "$dir"' EXIT
trap 'exit 1' INT TERM # so the EXIT trap runs when ctest times us out
pg_start "$dir"
pg_createdb "$dir" cruddur_users
echo "run_postgres: PostgreSQL on 127.0.0.1:$(cat "$dir/port")"

out=$dir/test.out
status=0
pgsh="bash $src/tests/lib/pg.sh"
CRUDDUR_TEST_CONNECTION_URL=$(pg_url "$dir" cruddur_users) CRUDDUR_LOG=warn \
    CRUDDUR_PG_RESTART="$pgsh restart $dir" \
    CRUDDUR_PG_HALT="$pgsh halt $dir" CRUDDUR_PG_RESUME="$pgsh resume $dir" \
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    "$bin" >"$out" 2>&1 || status=$?
cat "$out"
[ "$status" -eq 0 ] || { echo "run_postgres: test_users failed ($status)" >&2; exit 1; }

# The run only counts if it used PostgreSQL and the reconnect test really ran.
grep -q 'users driver under test: postgres' "$out" ||
    { echo "run_postgres: the tests did not use PostgreSQL" >&2; exit 1; }
for t in test_reconnect_after_server_restart test_server_down_is_an_error; do
    grep -q "OK \] $t\$" "$out" || { echo "run_postgres: $t did not run" >&2; exit 1; }
done
grep -q 'connection lost' "$out" ||
    { echo "run_postgres: no connection was lost: the restart proved nothing" >&2; exit 1; }
echo "run_postgres: ok"
