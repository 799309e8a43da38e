#!/usr/bin/env bash
# The API suite again, with the users directory in a real PostgreSQL server
# (CONNECTION_URL): started here (not as root, 127.0.0.1, a free port) and
# removed on exit. Everything else is as in run_api.sh.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}

. "$src/tests/lib/pg.sh"
pg_ensure_installed "$src"
dir=$(mktemp -d /tmp/cruddur-api-pg.XXXXXX)
trap 'pg_stop "$dir"' EXIT
trap 'exit 1' INT TERM # so the EXIT trap runs when ctest times us out
pg_start "$dir"
pg_createdb "$dir" cruddur_api
echo "run_api_postgres: PostgreSQL on 127.0.0.1:$(cat "$dir/port")"
CONNECTION_URL=$(pg_url "$dir" cruddur_api) bash "$here/run_api.sh" "$@"
