#!/usr/bin/env bash
# Sign-in against a real Cognito emulator: starts cognito-local (npm) on a
# free loopback port, creates two pools with an app client and a user each
# (boto3, Debian's python), signs in with USER_PASSWORD_AUTH, and runs the
# unit program peer_cognito_local with the pool settings in the environment
# cruddur reads (AWS_COGNITO_USER_POOL_ID, ..._CLIENT_ID,
# AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER) and the tokens it must accept
# or refuse. The emulator is installed once under the build folder.
set -euo pipefail

BUILD=${CRUDDUR_BUILD:?set CRUDDUR_BUILD to the build folder}
PY=/usr/bin/python3
PEER=$BUILD/peers/cognito-local
PROG=$BUILD/tests/peer_cognito_local

[ -x "$PROG" ] || { echo "missing $PROG (build target peer_cognito_local)" >&2; exit 1; }
command -v node >/dev/null || { echo "node is required" >&2; exit 1; }
"$PY" -c 'import boto3' || { echo "Debian's python3-boto3 is required" >&2; exit 1; }

if [ ! -x "$PEER/node_modules/.bin/cognito-local" ]; then
    mkdir -p "$PEER"
    (cd "$PEER" && npm install --no-audit --no-fund --silent cognito-local@5.3.0 >/dev/null)
fi

WORK=$(mktemp -d /tmp/cruddur-cognito-XXXXXX)
PID=
cleanup() {
    if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$WORK/.cognito"
echo '{"UserPoolDefaults":{"UsernameAttributes":[]}}' >"$WORK/.cognito/config.json"
(cd "$WORK" && PORT=$PORT HOST=127.0.0.1 exec node "$PEER/node_modules/.bin/cognito-local" \
    >"$WORK/cognito.log" 2>&1) &
PID=$!

ENDPOINT=http://127.0.0.1:$PORT
# Until it answers, or it exited; node under a loaded machine can take a while.
for _ in $(seq 1 1200); do
    curl -s -o /dev/null "$ENDPOINT/" && break
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
done

# Two pools, each with a client and a user; tokens printed as shell assignments.
SETTINGS=$(AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 \
    "$PY" - "$ENDPOINT" <<'EOF'
import shlex, sys, boto3
idp = boto3.client("cognito-idp", endpoint_url=sys.argv[1])

def pool_with_user(name, user):
    pool = idp.create_user_pool(PoolName=name)["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName=name + "-web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool, Username=user, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "preferred_username", "Value": user},
                                          {"Name": "email", "Value": user + "@example.com"}])
    idp.admin_set_user_password(UserPoolId=pool, Username=user, Password="Passw0rd!x",
                                Permanent=True)
    auth = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": user, "PASSWORD": "Passw0rd!x"})
    return pool, client, auth["AuthenticationResult"]

pool, client, tokens = pool_with_user("cruddur", "andrewbrown")
_, _, other = pool_with_user("elsewhere", "bayko")
out = {
    "AWS_COGNITO_USER_POOL_ID": pool,
    "AWS_COGNITO_USER_POOL_CLIENT_ID": client,
    "CRUDDUR_TEST_ACCESS_TOKEN": tokens["AccessToken"],
    "CRUDDUR_TEST_ID_TOKEN": tokens["IdToken"],
    "CRUDDUR_TEST_OTHER_POOL_TOKEN": other["AccessToken"],
    "CRUDDUR_TEST_USERNAME": "andrewbrown",
}
for k, v in out.items():
    print("export %s=%s" % (k, shlex.quote(v)))
EOF
)
eval "$SETTINGS"
export AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=$ENDPOINT
unset AWS_REGION AWS_DEFAULT_REGION

"$PROG"
