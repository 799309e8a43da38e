#!/usr/bin/env bash
# Both HTTP servers (serve and dynamodb) against hostile or unlucky
# clients and operators (issue 11): a port in use, HTTP framing, control
# characters in what reaches the logs, the listen address, oversized
# headers. pytest with Debian's python3 over raw sockets; ctest sets
# CRUDDUR_BIN.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur binary}"
py=/usr/bin/python3
"$py" -c 'import pytest, requests' 2>/dev/null || {
    echo "run_http: Debian's python3-pytest and python3-requests are needed" >&2
    exit 1
}
cd "$here"
exec "$py" -m pytest -q -p no:cacheprovider "$@" "$here"
