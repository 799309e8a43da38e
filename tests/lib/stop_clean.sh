#!/usr/bin/env bash
# stop_clean.sh: stopping a cruddur server a script suite started, sourced.
#   stop_clean PID LOG WHAT   SIGTERM to PID (a child of this shell) and wait;
#                             returns 0 only when it exits 0 and LOG (its
#                             stderr) holds no sanitizer report; else prints
#                             why, with the report, and returns 1.
# LeakSanitizer reports only at exit, and ASan/UBSan may report from a
# thread no request saw, so a suite that ignored the exit status of its
# servers would pass with a leak in them.

stop_clean() {
    local pid=$1 log=$2 what=$3 rc=0
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || rc=$?
    if [ "$rc" -eq 0 ] && ! grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
        return 0
    fi
    echo "$what did not stop cleanly (exit $rc):" >&2
    if grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
        grep -E -A 12 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log" | head -n 40 >&2
    else
        tail -n 20 "$log" >&2
    fi
    return 1
}
