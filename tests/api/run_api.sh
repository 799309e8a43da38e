#!/usr/bin/env bash
# The API suite: pytest (Debian's python3, which has requests, pytest, PyJWT
# and cryptography) against real `cruddur serve` processes started by the
# fixtures in conftest.py. ctest sets CRUDDUR_BIN.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur binary}"
py=/usr/bin/python3
"$py" -c 'import pytest, requests' 2>/dev/null || {
    echo "run_api: Debian's python3-pytest and python3-requests are needed" >&2
    exit 1
}
cd "$here"
export CRUDDUR_LOG=${CRUDDUR_LOG:-info}
exec "$py" -m pytest -q -p no:cacheprovider "$@" "$here"
