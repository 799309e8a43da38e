#!/usr/bin/env bash
# cruddur_dynamodb.sh: `cruddur dynamodb` as a peer for test suites, sourced.
#   cddb_start DIR [ARGS...]   starts `$CRUDDUR_BIN dynamodb --in-memory --port 0
#                              ARGS...` (e.g. --credentials KEY:SECRET); waits
#                              for its "listening on" line; writes DIR/cddb.port
#                              and DIR/cddb.pid; its output goes to DIR/cddb.log
#   cddb_stop DIR              stops it with SIGTERM; 0 when it exits 0 with no
#                              sanitizer report (stop_clean.sh), or was not running
# Needs CRUDDUR_BIN.

. "$(dirname "${BASH_SOURCE[0]}")/stop_clean.sh"

cddb_start() {
    local dir=$1
    shift
    local bin=${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur program}
    CRUDDUR_LOG=${CRUDDUR_LOG:-info} "$bin" dynamodb --in-memory --port 0 "$@" \
        >"$dir/cddb.log" 2>&1 &
    echo $! >"$dir/cddb.pid"
    local port="" _
    for _ in $(seq 1 200); do
        port=$(sed -n 's/^cruddur dynamodb: listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' \
            "$dir/cddb.log" | head -1)
        [ -n "$port" ] && break
        kill -0 "$(cat "$dir/cddb.pid")" 2>/dev/null || break
        sleep 0.05
    done
    if [ -z "$port" ]; then
        echo "cddb: cruddur dynamodb did not start:" >&2
        cat "$dir/cddb.log" >&2
        cddb_stop "$dir" || true
        return 1
    fi
    echo "$port" >"$dir/cddb.port"
}

cddb_stop() {
    local dir=$1 pid
    [ -f "$dir/cddb.pid" ] || return 0
    pid=$(cat "$dir/cddb.pid")
    rm -f "$dir/cddb.pid"
    stop_clean "$pid" "$dir/cddb.log" "cruddur dynamodb"
}
