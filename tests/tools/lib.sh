#!/usr/bin/env bash
# lib.sh: helpers the tools suites source. Each check runs one cruddur
# command, keeps its stdout, stderr and exit code in $out, $err and $rc,
# and counts failures; `finish` reports and sets the exit code.
#   run ARGS...            run `$CRUDDUR_BIN ARGS...` (never fails the script)
#   expect_rc N WHAT       the last run exited with N
#   expect_out RE WHAT     stdout matches the extended regex RE (grep -E)
#   expect_err RE WHAT     stderr matches RE
#   expect_one_line_err    stderr is exactly one line
#   expect_empty_out WHAT  stdout is empty
#   fail WHAT              record a failure
#   finish                 print the summary; exit 1 if anything failed

bin=${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur program}
py=/usr/bin/python3
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export CRUDDUR_LOG=${CRUDDUR_LOG:-warn}
# The tests set AWS credentials themselves: a developer's ~/.aws must not leak in.
export AWS_SHARED_CREDENTIALS_FILE=/nonexistent AWS_CONFIG_FILE=/nonexistent
failures=0
checks=0
out=""
err=""
rc=0
last=""

run() {
    last="$*"
    local o e
    o=$(mktemp) e=$(mktemp)
    rc=0
    "$bin" "$@" >"$o" 2>"$e" || rc=$?
    out=$(cat "$o")
    err=$(cat "$e")
    rm -f "$o" "$e"
}

fail() {
    failures=$((failures + 1))
    echo "FAIL: $1" >&2
    echo "  command: cruddur $last (exit $rc)" >&2
    [ -n "$out" ] && printf '  stdout: %s\n' "$(head -c 2000 <<<"$out")" >&2
    [ -n "$err" ] && printf '  stderr: %s\n' "$(head -c 2000 <<<"$err")" >&2
    return 0
}

pass() {
    checks=$((checks + 1))
}

expect_rc() {
    if [ "$rc" -eq "$1" ]; then pass; else fail "$2: exit code $rc, expected $1"; fi
}

expect_out() {
    if grep -Eq -- "$1" <<<"$out"; then pass; else fail "$2: stdout does not match /$1/"; fi
}

expect_err() {
    if grep -Eq -- "$1" <<<"$err"; then pass; else fail "$2: stderr does not match /$1/"; fi
}

expect_one_line_err() {
    if [ -n "$err" ] && [ "$(wc -l <<<"$err")" -eq 1 ]; then pass; else fail "$1: stderr is not one line"; fi
}

expect_empty_out() {
    if [ -z "$out" ]; then pass; else fail "$1: stdout is not empty"; fi
}

finish() {
    local suite=$1
    if [ "$failures" -ne 0 ]; then
        echo "$suite: $failures of $((checks + failures)) checks failed" >&2
        exit 1
    fi
    echo "$suite: all $checks checks passed"
}
