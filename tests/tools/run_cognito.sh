#!/usr/bin/env bash
# The Cognito tools against a real emulator: cognito-local (npm, installed
# here into the build folder) with a pool, an app client and three users,
# reached through cognito_proxy.py, which checks every request's SigV4
# signature with botocore's signer and pages ListUsers as Cognito does.
# Then `cruddur db update-cognito-user-ids` links the users, and a
# cognito-local access token of a seeded user is accepted by `cruddur serve`,
# which lists the seeded conversation.
# Needs CRUDDUR_BIN and CRUDDUR_BUILD (set by ctest), node and npm.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
. "$here/../lib/stop_clean.sh"
. "$here/../lib/listening.sh"
build=${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}
group=5ae290ed-55d1-47a0-bc6d-fe2bc2700399

# cognito-local, installed once per build folder (npm's cache stays there too).
npmdir=$build/tools-cognito-local
cl=$npmdir/node_modules/cognito-local/lib/bin/start.js
if [ ! -f "$cl" ]; then
    command -v npm >/dev/null || { echo "run_cognito: npm is missing (scripts/install-deps test)" >&2; exit 1; }
    mkdir -p "$npmdir"
    if ! (cd "$npmdir" && npm install --no-audit --no-fund --cache "$npmdir/cache" \
        cognito-local@5.3.0 >"$npmdir/install.log" 2>&1); then
        cat "$npmdir/install.log" >&2
        echo "run_cognito: cannot install cognito-local@5.3.0 with npm" >&2
        exit 1
    fi
fi
[ -f "$cl" ] || cl=$(readlink -f "$npmdir/node_modules/.bin/cognito-local")

tmp=$(mktemp -d /tmp/cruddur-cognito.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
    "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() { # PORT PID WHAT
    for _ in $(seq 1 150); do
        "$py" -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2)" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || break
        sleep 0.1
    done
    echo "run_cognito: $3 did not start" >&2
    return 1
}

# cognito-local with plain user names (not emails).
cport=$(free_port)
mkdir -p "$tmp/cl/.cognito"
echo '{"UserPoolDefaults":{"UsernameAttributes":[]}}' >"$tmp/cl/.cognito/config.json"
(cd "$tmp/cl" && PORT=$cport HOST=127.0.0.1 exec node "$cl" >"$tmp/cl.log" 2>&1) &
pids+=($!)
wait_port "$cport" "${pids[-1]}" cognito-local || { cat "$tmp/cl.log" >&2; exit 1; }

# The signing and paging proxy in front of it.
pport=$(free_port)
"$py" "$here/cognito_proxy.py" "$pport" "http://127.0.0.1:$cport" secret-key "$tmp/proxy.log" \
    2>"$tmp/proxy.err" &
pids+=($!)
wait_port "$pport" "${pids[-1]}" cognito_proxy.py || { cat "$tmp/proxy.err" >&2; exit 1; }

# A pool, an app client and three users; Cognito user names differ from the
# handles on purpose: the link is preferred_username, not the user name.
AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1 "$py" - \
    "http://127.0.0.1:$cport" "$tmp/pool.json" <<'EOF' || { echo "run_cognito: pool setup failed" >&2; exit 1; }
import json, sys, boto3
c = boto3.client("cognito-idp", endpoint_url=sys.argv[1])
pool = c.create_user_pool(PoolName="cruddur")["UserPool"]["Id"]
client = c.create_user_pool_client(
    UserPoolId=pool, ClientName="web",
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
for name, handle in [("andrew", "andrewbrown"), ("abayko", "bayko"), ("visitor", "mallory")]:
    c.admin_create_user(UserPoolId=pool, Username=name, MessageAction="SUPPRESS",
                        UserAttributes=[{"Name": "preferred_username", "Value": handle},
                                        {"Name": "email", "Value": f"{handle}@example.com"}])
    c.admin_set_user_password(UserPoolId=pool, Username=name, Password="Cruddur-Test-1", Permanent=True)
subs = {}
for u in c.list_users(UserPoolId=pool)["Users"]:
    attrs = {a["Name"]: a["Value"] for a in u["Attributes"]}
    subs[attrs["preferred_username"]] = {"username": u["Username"], "sub": attrs["sub"]}
token = c.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                        AuthParameters={"USERNAME": "andrew", "PASSWORD": "Cruddur-Test-1"})
json.dump({"pool": pool, "client": client, "subs": subs,
           "token": token["AuthenticationResult"]["AccessToken"]}, open(sys.argv[2], "w"))
EOF
pool=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["pool"])' "$tmp/pool.json")
client=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["client"])' "$tmp/pool.json")
sub_of() { "$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["subs"][sys.argv[2]]["sub"])' "$tmp/pool.json" "$1"; }
echo "run_cognito: cognito-local on $cport (pool $pool), proxy on $pport"

export CRUDDUR_DATA=$tmp/data
export AWS_COGNITO_USER_POOL_ID=$pool AWS_ACCESS_KEY_ID=AKIDTOOLS AWS_SECRET_ACCESS_KEY=secret-key
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:$pport
unset AWS_SESSION_TOKEN CONNECTION_URL AWS_COGNITO_USER_POOL_CLIENT_ID

# Log lines of the proxy since the last mark, as a JSON array.
mark() { : >"$tmp/proxy.log"; }
requests() { "$py" -c 'import json,sys; print(json.dumps([json.loads(l) for l in open(sys.argv[1])]))' "$tmp/proxy.log"; }

# list-users: two pages of two, every request signed right.
mark
run cognito list-users --limit 2
expect_rc 0 "list-users --limit 2"
"$py" - "$out" "$(requests)" "$tmp/pool.json" <<'EOF' && pass || fail "list-users reads both pages, signed"
import json, sys
lines, reqs, pool = sys.argv[1].split("\n"), json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
assert lines[0].split() == ["username", "preferred_username", "sub"], lines[0]
rows = sorted(l.split() for l in lines[1:])
want = sorted([v["username"], h, v["sub"]] for h, v in pool["subs"].items())
assert rows == want, (rows, want)
assert [r["limit"] for r in reqs] == [2, 2], reqs
assert reqs[0]["token"] is None and reqs[1]["token"], reqs
assert all(r["target"] == "AWSCognitoIdentityProviderService.ListUsers" for r in reqs)
assert all(r["signature_ok"] for r in reqs), reqs
assert all(r["scope"].endswith("/us-east-1/cognito-idp") for r in reqs), reqs
EOF
mark
run cognito list-users --json
expect_rc 0 "list-users --json"
"$py" - "$out" "$(requests)" "$tmp/pool.json" <<'EOF' && pass || fail "list-users --json"
import json, sys
users, reqs, pool = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.load(open(sys.argv[3]))
got = {u["preferred_username"]: (u["username"], u["sub"]) for u in users}
assert got == {h: (v["username"], v["sub"]) for h, v in pool["subs"].items()}, got
assert [r["limit"] for r in reqs] == [60], reqs
EOF

# Temporary credentials: the session token is sent and signed.
mark
AWS_SESSION_TOKEN=session-token-value run cognito list-users
expect_rc 0 "list-users with a session token"
"$py" - "$(requests)" <<'EOF' && pass || fail "session token sent"
import json, sys
reqs = json.loads(sys.argv[1])
assert reqs and all(r["session_token"] == "session-token-value" and r["signature_ok"] for r in reqs), reqs
EOF

# Bad credentials and a bad pool: one line each, exit 1.
AWS_SECRET_ACCESS_KEY=wrong-secret run cognito list-users
expect_rc 1 "list-users with a wrong secret"
expect_err "InvalidSignatureException" "list-users with a wrong secret"
expect_one_line_err "list-users with a wrong secret"
AWS_COGNITO_USER_POOL_ID=us-east-1_nosuchpool run cognito list-users
expect_rc 1 "list-users of a missing pool"
expect_err "ResourceNotFoundException" "list-users of a missing pool"
expect_one_line_err "list-users of a missing pool"

# update-cognito-user-ids: andrewbrown and bayko linked, londo reported.
run db setup
expect_rc 0 "db setup"
run ddb setup
expect_rc 0 "ddb setup"
mark
run db update-cognito-user-ids --limit 2
expect_rc 0 "update-cognito-user-ids"
expect_out "^updated andrewbrown: cognito_user_id = $(sub_of andrewbrown)$" "andrewbrown linked"
expect_out "^updated bayko: cognito_user_id = $(sub_of bayko)$" "bayko linked"
expect_out "^not in Cognito: londo \(left unchanged\)$" "londo reported"
expect_out "^3 users: 2 updated, 0 already linked, 1 not in Cognito, 0 failed$" "summary"
[ "$("$py" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' <(requests))" -eq 2 ] &&
    pass || fail "update-cognito-user-ids reads both pages"
"$py" - "$CRUDDUR_DATA/users.sqlite" "$tmp/pool.json" <<'EOF' && pass || fail "the directory holds the subs"
import json, sqlite3, sys
db, pool = sqlite3.connect(sys.argv[1]), json.load(open(sys.argv[2]))
rows = dict(db.execute("select handle, cognito_user_id from users"))
assert rows == {"andrewbrown": pool["subs"]["andrewbrown"]["sub"],
                "bayko": pool["subs"]["bayko"]["sub"], "londo": None}, rows
EOF
run db update-cognito-user-ids
expect_rc 0 "update-cognito-user-ids again"
expect_out "^3 users: 0 updated, 2 already linked, 1 not in Cognito, 0 failed$" "nothing to change"
if grep -q '^updated' <<<"$out"; then fail "a second run changes nothing"; else pass; fi

# cruddur serve accepts a cognito-local access token of a seeded user.
{
    (AWS_COGNITO_USER_POOL_CLIENT_ID=$client \
        AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:$cport \
        exec "$bin" serve --port 0 --quiet >"$tmp/serve.out" 2>"$tmp/serve.err") &
    pids+=($!)
    sport=$(wait_listening "$tmp/serve.out" "${pids[-1]}") || true
    if [ -z "$sport" ]; then
        fail "cruddur serve did not start: $(cat "$tmp/serve.err")"
    else
        "$py" - "$sport" "$tmp/pool.json" "$group" "$client" "$cport" <<'EOF' && pass || fail "serve with a cognito-local token"
import json, sys, urllib.error, urllib.request
port, pool, group = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
client, cport = sys.argv[4], sys.argv[5]
# The browser's sign-in settings: Cognito, with where to send InitiateAuth.
with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/config") as r:
    config = json.load(r)
assert config["auth"] == "cognito", config
assert config["cognito"]["client_id"] == client, config
assert config["cognito"]["endpoint"] == f"http://127.0.0.1:{cport}", config
assert "dev_users" not in config, config
def get(path, token):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                 headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, e.read()
status, groups = get("/api/message_groups", pool["token"])
assert status == 200, (status, groups)
assert [(g["uuid"], g["handle"]) for g in groups] == [(group, "bayko")], groups
status, msgs = get(f"/api/messages/{group}", pool["token"])
assert status == 200 and len(msgs) == 20, (status, msgs)
assert [m["created_at"] for m in msgs] == sorted(m["created_at"] for m in msgs)
assert msgs[-1]["message"] == groups[0]["message"], (msgs[-1], groups[0])
assert {m["handle"] for m in msgs} == {"andrewbrown", "bayko"}
status, _ = get("/api/message_groups", pool["token"][:-4] + "AAAA")
assert status == 401, status
EOF
        echo "run_cognito: cruddur serve on $sport checked with a cognito-local token"
    fi
    stop_clean "${pids[-1]}" "$tmp/serve.err" "cruddur serve" && pass ||
        fail "cruddur serve stops cleanly"
}

finish run_cognito
