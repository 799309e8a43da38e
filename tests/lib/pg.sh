#!/usr/bin/env bash
# pg.sh: a throwaway PostgreSQL server for test suites, never run as root.
#
# Source it and call, in order:
#   pg_ensure_installed SRC      install PostgreSQL through SRC/scripts/install-deps if missing
#   pg_start DIR                 initdb + start in DIR (an empty folder, e.g. from mktemp -d):
#                                127.0.0.1 only, a free port, password authentication
#   pg_createdb DIR NAME         create database NAME
#   pg_url DIR [NAME]            print a postgresql:// URL for NAME (default: postgres)
#   pg_restart DIR               fast restart (every client connection is cut)
#   pg_halt DIR / pg_resume DIR  stop the server keeping its data / start it again
#   pg_stop DIR                  stop the server and remove DIR (safe in an EXIT trap)
# or run it: `bash pg.sh restart|halt|resume|stop DIR` (what a test program calls).
#
# When the caller is root, initdb/pg_ctl run as the `postgres` user (runuser) on a DIR
# handed over to that user; otherwise as the caller. Server output goes to DIR/server.log.

pg_bindir() {
    local d
    # 15 (what the project targets) first, then any other installed version.
    for d in /usr/lib/postgresql/15/bin $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    return 1
}

# Runs a server program as the owner of the cluster, from a folder that owner can read.
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

pg_ensure_installed() {
    local src=$1
    if ! pg_bindir >/dev/null; then
        echo "pg.sh: PostgreSQL is missing; installing it (scripts/install-deps test)" >&2
        "$src/scripts/install-deps" test
    fi
    pg_bindir >/dev/null || { echo "pg.sh: no PostgreSQL server found after install" >&2; return 1; }
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "pg.sh: running as root but there is no postgres user" >&2
        return 1
    fi
}

pg_ctl_cmd() {
    local dir=$1; shift
    pg_as_owner "$(pg_bindir)/pg_ctl" -D "$dir/data" -l "$dir/server.log" "$@"
}

# True when something accepts TCP connections on 127.0.0.1:$1.
pg_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_start() {
    local dir=$1 bin port _
    bin=$(pg_bindir) || { echo "pg.sh: PostgreSQL is not installed" >&2; return 1; }
    chmod 700 "$dir"
    od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/password"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    pg_as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/password" \
        --auth=scram-sha-256 -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; return 1; }
    for _ in 1 2 3 4 5 6 7 8; do
        port=$((20000 + RANDOM % 40000))
        pg_port_busy "$port" && continue
        # Appended settings win over earlier ones, so a retry just adds a new port line.
        cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
CONF
        if pg_ctl_cmd "$dir" -w -t 60 start >/dev/null; then
            echo "$port" >"$dir/port"
            return 0
        fi
    done
    echo "pg.sh: the server did not start; its log:" >&2
    cat "$dir/server.log" >&2
    return 1
}

pg_url() {
    local dir=$1 db=${2:-postgres}
    echo "postgresql://postgres:$(cat "$dir/password")@127.0.0.1:$(cat "$dir/port")/$db"
}

pg_createdb() {
    local dir=$1 name=$2
    "$(pg_bindir)/psql" -X -q -v ON_ERROR_STOP=1 "$(pg_url "$dir")" -c "CREATE DATABASE \"$name\""
}

pg_restart() {
    local dir=$1
    pg_ctl_cmd "$dir" -m fast -w -t 60 restart >/dev/null
}

pg_halt() {
    pg_ctl_cmd "$1" -m fast -w -t 60 stop >/dev/null
}

pg_resume() {
    pg_ctl_cmd "$1" -w -t 60 start >/dev/null
}

pg_stop() {
    local dir=$1
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    [ -f "$dir/data/postmaster.pid" ] && pg_ctl_cmd "$dir" -m immediate -w stop >/dev/null 2>&1
    rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -eu
    case ${1:-} in
    restart) pg_restart "$2" ;;
    halt) pg_halt "$2" ;;
    resume) pg_resume "$2" ;;
    stop) pg_stop "$2" ;;
    *) echo "usage: bash pg.sh restart|halt|resume|stop DIR (or source it)" >&2; exit 2 ;;
    esac
fi
