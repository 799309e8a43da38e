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
. "$(dirname "${BASH_SOURCE[0]}")/listening.sh"

cddb_start() {
    local dir=$1
    shift
    local bin=${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur program}
    : >"$dir/cddb.log" # not the "listening" line of the server started before
    CRUDDUR_LOG=${CRUDDUR_LOG:-info} "$bin" dynamodb --in-memory --port 0 "$@" \
        >>"$dir/cddb.log" 2>&1 &
    echo $! >"$dir/cddb.pid"
    local port
    port=$(wait_listening "$dir/cddb.log" "$(cat "$dir/cddb.pid")")
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
