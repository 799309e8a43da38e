#!/usr/bin/env bash
# SIGTERM at every point of start-up, for serve, dynamodb, stream-worker and
# the Lambda bootstrap (test_startup.py): pytest with Debian's python3.
# ctest sets CRUDDUR_BIN and CRUDDUR_BUILD.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur binary}"
: "${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}"
py=/usr/bin/python3
"$py" -c 'import pytest, requests' 2>/dev/null || {
    echo "run_startup: Debian's python3-pytest and python3-requests are needed" >&2
    exit 1
}
cd "$here"
exec "$py" -m pytest -q -p no:cacheprovider "$@" "$here/test_startup.py"
