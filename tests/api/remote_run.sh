#!/usr/bin/env bash
# remote_run.sh: the part the remote API runners share, sourced by
# run_api_remote_cruddur.sh and run_api_remote_ddblocal.sh once their
# DynamoDB endpoint is up.
#   remote_api_run ENDPOINT WORKER KEY SECRET [PYTEST ARGS...]
# runs the API suite (run_api.sh, the same pytest files) with every
# `cruddur serve` on the remote driver at ENDPOINT, signing with KEY:SECRET,
# and the fanout done by the stream worker: WORKER is `in-process` (serve
# --stream-worker) or `separate` (a `cruddur stream-worker` beside each
# server; see conftest.py). Every test applies: none is deselected.

remote_api_run() {
    local endpoint=$1 worker=$2 key=$3 secret=$4
    shift 4
    local here
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    # Only these settings: nothing from the caller's ~/.aws or environment.
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_DYNAMODB \
        AWS_ENDPOINT_URL_DYNAMODB_STREAMS CONNECTION_URL || true
    export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
    export AWS_ENDPOINT_URL=$endpoint AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
    export AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret
    export API_STREAM_WORKER=$worker
    echo "remote API run: store at $endpoint, fanout by the stream worker ($worker)"
    bash "$here/run_api.sh" "$@"
}
