#!/usr/bin/env bash
# listening.sh: waiting for a server that a script suite started in the
# background, sourced.
#   wait_listening LOG PID [SECONDS]
#       waits until LOG (the server's stdout or its whole output) holds
#       "listening on http://HOST:PORT" and prints PORT. Returns 1 as soon
#       as PID has exited without saying so, or after SECONDS (default 120:
#       a sanitizer build on a loaded machine can take many seconds to
#       start, and a short limit makes a suite fail at random).
# LOG must be new for this start (a file left by an earlier server would
# give its old port): truncate it before starting the server, since the
# `>LOG` of a background command may run after the first look here.

wait_listening() {
    local log=$1 pid=$2 limit=${3:-120} port
    local deadline=$((SECONDS + limit))
    while :; do
        port=$(sed -n 's/.*listening on http:\/\/[0-9.]*:\([0-9][0-9]*\).*/\1/p' "$log" \
            2>/dev/null | head -n 1)
        if [ -n "$port" ]; then
            echo "$port"
            return 0
        fi
        kill -0 "$pid" 2>/dev/null || return 1
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}
