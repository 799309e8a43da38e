#!/usr/bin/env bash
# The commands' one option parser (base/opts.h): every command answers an
# option without its value, a number out of range and an unknown option the
# same way, with exit code 2, one line naming the option, and nothing done.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

data=$(mktemp -d /tmp/cruddur-options.XXXXXX)
trap 'rm -rf "$data"' EXIT
export CRUDDUR_DATA=$data/data
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB

# An option given last, without its value: "missing value", not "unknown".
for cmd in "serve --port" "serve --data" "serve --heartbeat" "dynamodb --port" \
    "dynamodb --threads" "dynamodb --region" "dynamodb --host" "token --data" \
    "ddb scan --data" "db seed --data" "cognito list-users --limit"; do
    opt=${cmd##* }
    read -r -a words <<<"$cmd"
    run "${words[@]}"
    expect_rc 2 "$cmd"
    expect_err ": $opt: missing value" "$cmd says the value is missing"
done

# A number out of range, or not a number: the option, the value and the range.
for args in "serve --port 70000" "serve --port x" "serve --heartbeat 0" "dynamodb --port -1" \
    "dynamodb --threads 4x" "cognito list-users --limit 61"; do
    read -r -a words <<<"$args"
    run "${words[@]}"
    expect_rc 2 "$args"
    expect_err ": ${words[-2]}: invalid value '${words[-1]}' \(a whole number from -?[0-9]+ to [0-9]+\)" \
        "$args names the option, the value and the range"
done

# Unknown options, the same words for every command.
for cmd in serve dynamodb token stream-worker; do
    run "$cmd" --bogus
    expect_rc 2 "$cmd --bogus"
    expect_err "^cruddur $cmd: unknown option '--bogus'" "$cmd --bogus"
done

# Nothing was started or written.
[ ! -e "$data/data" ] && pass || fail "a refused command created the data folder"

finish run_options
