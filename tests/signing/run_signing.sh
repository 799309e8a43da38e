#!/usr/bin/env bash
# The signing suite: `cruddur dynamodb --credentials` (two pairs) checks AWS
# Signature Version 4 on every request; test_signing.py drives it with boto3,
# the aws cli, raw HTTP and cruddur's own remote driver, and compares the
# signatures cruddur makes with botocore's. Needs Debian's python3-boto3,
# python3-pytest and awscli. Environment (set by ctest): CRUDDUR_BIN.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=${CRUDDUR_SRC:-$(cd "$here/../.." && pwd)}
: "${CRUDDUR_BIN:?CRUDDUR_BIN must name the cruddur binary}"
py=/usr/bin/python3
"$py" -c 'import boto3, pytest' 2>/dev/null ||
    { echo "run_signing: Debian's python3-boto3 and python3-pytest are needed" >&2; exit 1; }
[ -x /usr/bin/aws ] || { echo "run_signing: Debian's awscli is needed" >&2; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}

. "$src/tests/lib/cruddur_dynamodb.sh"
dir=$(mktemp -d /tmp/cruddur-signing.XXXXXX)
trap 'cddb_stop "$dir" || true; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM # so the EXIT trap runs when ctest times us out

# The pairs test_signing.py signs with (the second has the characters a
# secret may carry: / and +).
export SIGNING_KEY=AKIDSIGNING SIGNING_SECRET=right-secret
export SIGNING_KEY2=AKIDOTHER SIGNING_SECRET2='other/secret+Value'
cddb_start "$dir" --region us-east-1 --credentials "$SIGNING_KEY:$SIGNING_SECRET" \
    --credentials "$SIGNING_KEY2:$SIGNING_SECRET2"
SIGNING_ENDPOINT=http://127.0.0.1:$(cat "$dir/cddb.port")
export SIGNING_ENDPOINT
# Nothing from the caller's AWS setup leaks in: each test passes its own.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_DYNAMODB \
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY || true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 PYTHONDONTWRITEBYTECODE=1

status=0
(cd "$here" && "$py" -m pytest -q -p no:cacheprovider "$@" "$here") || status=$?
cddb_stop "$dir" || status=1
exit "$status"
