#!/usr/bin/env bash
# scripts/pg.sh — throwaway PostgreSQL cluster for the tenantry test suite.
#
# Two ways to use it:
#
#   1. Sourced (this is what scripts/test.sh does):
#
#        source scripts/pg.sh
#        pg_start            # starts a cluster, exports TENANTRY_TEST_PG_URL
#        trap pg_stop EXIT   # stop it and delete its directory on exit
#
#      pg_start is idempotent within one shell: calling it again while the
#      cluster it started is still running just prints the URL again.
#      Sourcing this file defines functions only; it changes no shell options.
#
#   2. Run directly, for humans:
#
#        eval "$(scripts/pg.sh start)"   # exports TENANTRY_TEST_PG_URL, TENANTRY_PG_DIR
#        cargo test -p tenantry-store    # ...whatever you like
#        scripts/pg.sh stop              # stops $TENANTRY_PG_DIR (or: stop DIR);
#                                        # eval "$(scripts/pg.sh stop)" also unsets the vars
#        scripts/pg.sh status [DIR]
#        scripts/pg.sh pause DIR         # stops the server (pg_ctl stop -m fast), keeps DIR
#        scripts/pg.sh resume DIR PORT   # starts it again on PORT (database outage tests)
#
#      A cluster started this way keeps running until it is stopped.
#
# What pg_start does:
#   * finds initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin (newest
#     version first); if there are none and we are root, installs them with
#     `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql`
#     (before that it drops /etc/postgresql-common/createcluster.d/
#     tenantry-no-main-cluster.conf so that the package does not create and
#     start a system-wide "main" cluster on port 5432);
#   * never runs the server as root: when invoked as root, the cluster is owned
#     by the `postgres` system user (created if missing) and initdb/pg_ctl are
#     run through `runuser -u postgres --`; as a normal user it runs as that user;
#   * creates a fresh `mktemp -d` directory (tenantry-pg.XXXXXXXX under
#     $TENANTRY_PG_TMPDIR, else $TMPDIR, else /tmp), PGDATA is DIR/data, the
#     server log is DIR/postgres.log;
#   * initdb -A trust -U tenantry --no-locale -E UTF8: `tenantry` is the
#     bootstrap superuser (so tests may CREATE DATABASE), trust auth;
#   * listens on 127.0.0.1 only, on a free port (python3 bind to port 0, else
#     scan upward from 54329 with ss, else a /dev/tcp probe; retried if the
#     port turns out to be taken), Unix socket inside PGDATA, fsync=on (the
#     tests exercise crash safety), max_connections=200;
#   * waits at most 30 s for pg_isready, then prints one line with the URL and
#     exports
#        TENANTRY_TEST_PG_URL=postgres://tenantry@127.0.0.1:PORT/postgres
#        TENANTRY_PG_DIR=DIR   TENANTRY_PG_PORT=PORT
#
# pg_stop: `pg_ctl stop -m fast` (falls back to -m immediate, then SIGKILL),
# then removes DIR. It only ever deletes directories that pg_start created
# (they carry a .tenantry-pg marker file).
#
# Measured on the dev container (Debian 12, PostgreSQL 15.18 already
# installed, 2 cores busy with a concurrent cargo build, run as root):
#   pg_start ≈ 2.1–3.2 s, almost all of it initdb (≈ 2.4 s); pg_ctl start ≈ 0.25 s
#   pg_stop  ≈ 0.2 s for an idle cluster; ≈ 1.3–1.8 s after a CREATE DATABASE
#            (the fast shutdown's checkpoint fsyncs the new files, fsync=on)
# A fresh machine additionally pays once for `apt-get install postgresql`.
#
# Knobs (environment): TENANTRY_PG_TMPDIR (parent of the cluster directory),
# TENANTRY_PG_START_TIMEOUT (seconds, default 30).

# ---------------------------------------------------------------------------
# internals
# ---------------------------------------------------------------------------

_tenantry_pg_log() { printf 'pg.sh: %s\n' "$*" >&2; }

# Run a command as the cluster owner: `postgres` via runuser when we are root,
# ourselves otherwise. Runs from / so the postgres user never trips over an
# unreadable current directory (e.g. /root).
_tenantry_pg_as_owner() {
    if (( EUID == 0 )); then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# Print the directory holding initdb and pg_ctl, or return 1.
_tenantry_pg_find_bindir() {
    local p d
    local -a dirs=()
    if p=$(command -v initdb 2>/dev/null); then
        d=$(dirname -- "$(readlink -f -- "$p")")
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
            printf '%s\n' "$d"
            return 0
        fi
    fi
    # Debian layout: /usr/lib/postgresql/<major>/bin, prefer the newest major.
    mapfile -t dirs < <(compgen -G '/usr/lib/postgresql/*/bin' | sort -V -r)
    for d in "${dirs[@]}"; do
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
            printf '%s\n' "$d"
            return 0
        fi
    done
    return 1
}

# Install the server from Debian when it is missing (no-op when present).
_tenantry_pg_ensure_installed() {
    if _tenantry_pg_find_bindir >/dev/null; then
        return 0
    fi
    if (( EUID != 0 )); then
        _tenantry_pg_log "initdb/pg_ctl not found and not root; install PostgreSQL (Debian: apt-get install postgresql)"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        _tenantry_pg_log "initdb/pg_ctl not found and apt-get is unavailable; install PostgreSQL first"
        return 1
    fi
    _tenantry_pg_log "PostgreSQL not found; installing it with apt-get"
    # Keep the package from creating (and starting) a system 'main' cluster:
    # we only ever want our throwaway clusters.
    mkdir -p /etc/postgresql-common/createcluster.d &&
        if [[ ! -e /etc/postgresql-common/createcluster.d/tenantry-no-main-cluster.conf ]]; then
            printf '# written by tenantry scripts/pg.sh\ncreate_main_cluster = false\n' \
                >/etc/postgresql-common/createcluster.d/tenantry-no-main-cluster.conf
        fi || return 1
    { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >&2 || {
        _tenantry_pg_log "apt-get install postgresql failed"
        return 1
    }
    _tenantry_pg_find_bindir >/dev/null || {
        _tenantry_pg_log "PostgreSQL installed but initdb/pg_ctl still not found"
        return 1
    }
}

# Make sure the unprivileged `postgres` system user exists (root only).
_tenantry_pg_ensure_user() {
    (( EUID == 0 )) || return 0
    id -u postgres >/dev/null 2>&1 && return 0
    _tenantry_pg_log "creating system user postgres"
    if ! getent group postgres >/dev/null 2>&1; then
        groupadd --system postgres || return 1
    fi
    useradd --system --gid postgres --home-dir /var/lib/postgresql --no-create-home \
        --shell /bin/bash --comment "PostgreSQL administrator" postgres || return 1
}

# Print a loopback TCP port that is currently free.
_tenantry_pg_free_port() {
    local p py
    # Prefer the system interpreter: a pyenv shim on PATH costs ~0.3 s.
    py=/usr/bin/python3
    [[ -x $py ]] || py=$(command -v python3 2>/dev/null) || py=
    if [[ -n $py ]] &&
        p=$("$py" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()' 2>/dev/null) && [[ $p =~ ^[0-9]+$ ]]; then
        printf '%s\n' "$p"
        return 0
    fi
    for ((p = 54329; p < 54329 + 500; p++)); do
        if command -v ss >/dev/null 2>&1; then
            [[ -z $(ss -Hltn "sport = :$p" 2>/dev/null) ]] || continue
        elif (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            continue # something accepted a connection: port in use
        fi
        printf '%s\n' "$p"
        return 0
    done
    return 1
}

# Elapsed seconds (one decimal) since a saved $EPOCHREALTIME.
_tenantry_pg_since() {
    local start=${1/[.,]/} now=${EPOCHREALTIME/[.,]/}
    local ms=$(((now - start) / 1000))
    printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100))
}

_tenantry_pg_print_line() {
    printf 'pg.sh: PostgreSQL %s ready at %s (dir %s%s)\n' \
        "${_TENANTRY_PG_VERSION:-?}" "$TENANTRY_TEST_PG_URL" "$TENANTRY_PG_DIR" "${1:+, started in ${1}s}"
}

# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------

# pg_start: start a throwaway cluster (idempotent within one shell).
pg_start() {
    local t0=$EPOCHREALTIME
    local timeout=${TENANTRY_PG_START_TIMEOUT:-30}

    # Already started by this shell and still running? Then just report it.
    # (_TENANTRY_PG_DIR is deliberately not exported: a child shell, e.g.
    # scripts/test.sh started from a shell that eval'd `pg.sh start`, gets its
    # own cluster and never stops somebody else's.)
    if [[ -n ${_TENANTRY_PG_DIR:-} && -n ${_TENANTRY_PG_BIN:-} ]] &&
        _tenantry_pg_as_owner "$_TENANTRY_PG_BIN/pg_ctl" status -D "$_TENANTRY_PG_DIR/data" >/dev/null 2>&1; then
        export TENANTRY_TEST_PG_URL TENANTRY_PG_DIR TENANTRY_PG_PORT
        _tenantry_pg_print_line
        return 0
    fi
    if [[ -n ${_TENANTRY_PG_DIR:-} ]]; then
        # Started earlier but died: clean up the leftovers, start a new one.
        pg_stop >/dev/null 2>&1 || true
    fi

    _tenantry_pg_ensure_installed || return 1
    _tenantry_pg_ensure_user || return 1
    local bin
    bin=$(_tenantry_pg_find_bindir) || return 1
    local isready=$bin/pg_isready
    [[ -x $isready ]] || isready=$(command -v pg_isready) || isready=

    # Fresh directory, owned by the cluster owner and reachable by it.
    local parent=${TENANTRY_PG_TMPDIR:-${TMPDIR:-/tmp}} dir
    dir=$(mktemp -d "$parent/tenantry-pg.XXXXXXXX") || return 1
    : >"$dir/.tenantry-pg" || return 1
    if (( EUID == 0 )); then
        chown postgres: "$dir" || return 1
        if ! runuser -u postgres -- test -w "$dir"; then
            # e.g. TMPDIR=/root/tmp: postgres cannot traverse it. Use /tmp.
            rm -rf -- "$dir"
            _tenantry_pg_log "postgres cannot write below $parent; using /tmp instead"
            dir=$(mktemp -d /tmp/tenantry-pg.XXXXXXXX) || return 1
            : >"$dir/.tenantry-pg" || return 1
            chown postgres: "$dir" || return 1
        fi
    fi
    _TENANTRY_PG_DIR=$dir # from here on pg_stop can clean up
    _TENANTRY_PG_BIN=$bin
    local data=$dir/data log=$dir/postgres.log

    # --no-sync only skips initdb's final flush of the freshly created files;
    # the running server uses fsync=on.
    if ! _tenantry_pg_as_owner "$bin/initdb" -D "$data" -A trust -U tenantry \
        --no-locale -E UTF8 --no-sync >"$dir/initdb.log" 2>&1; then
        _tenantry_pg_log "initdb failed:"
        cat -- "$dir/initdb.log" >&2
        pg_stop >/dev/null 2>&1
        return 1
    fi
    # Settings (later lines win over initdb's defaults). The port is given on
    # the command line so that it can be changed on a retry.
    {
        printf '\n# --- tenantry scripts/pg.sh ---\n'
        printf "listen_addresses = '127.0.0.1'\n"
        printf "unix_socket_directories = '%s'\n" "${data//\'/\'\'}"
        printf 'fsync = on\n'
        printf 'max_connections = 200\n'
    } >>"$data/postgresql.conf" || { pg_stop >/dev/null 2>&1; return 1; }

    local port attempt logsize started=0
    for attempt in 1 2 3 4 5; do
        port=$(_tenantry_pg_free_port) || { _tenantry_pg_log "no free port found"; break; }
        logsize=$(stat -c %s -- "$log" 2>/dev/null) || logsize=0
        _tenantry_pg_as_owner "$bin/pg_ctl" start -D "$data" -l "$log" -o "-p $port" \
            -w -t "$timeout" -s >/dev/null 2>&1 && { started=1; break; }
        # Lost a race for the port (another process bound it meanwhile)? Retry.
        if tail -c +"$((logsize + 1))" -- "$log" 2>/dev/null | grep -q 'Address already in use'; then
            _tenantry_pg_log "port $port was taken (attempt $attempt), retrying"
            continue
        fi
        break
    done
    if (( !started )); then
        _tenantry_pg_log "PostgreSQL failed to start; server log:"
        tail -n 30 -- "$log" >&2 2>/dev/null
        pg_stop >/dev/null 2>&1
        return 1
    fi

    # pg_ctl -w already waited; confirm over TCP like the tests will connect.
    local deadline=$((${t0%[.,]*} + timeout))
    if [[ -n $isready ]]; then
        until "$isready" -q -h 127.0.0.1 -p "$port" -U tenantry -d postgres; do
            if ((${EPOCHREALTIME%[.,]*} >= deadline)); then
                _tenantry_pg_log "PostgreSQL on 127.0.0.1:$port not ready after ${timeout}s; log:"
                tail -n 30 -- "$log" >&2 2>/dev/null
                pg_stop >/dev/null 2>&1
                return 1
            fi
            sleep 0.1
        done
    fi

    # "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> "15.18"
    _TENANTRY_PG_VERSION=$("$bin/pg_ctl" --version 2>/dev/null) || _TENANTRY_PG_VERSION=
    [[ $_TENANTRY_PG_VERSION =~ \)\ ([0-9][0-9.a-z]*) ]] && _TENANTRY_PG_VERSION=${BASH_REMATCH[1]}
    export TENANTRY_TEST_PG_URL="postgres://tenantry@127.0.0.1:$port/postgres"
    export TENANTRY_PG_DIR=$dir
    export TENANTRY_PG_PORT=$port
    _tenantry_pg_print_line "$(_tenantry_pg_since "$t0")"
}

# pg_stop [DIR]: stop the cluster (default: the one this shell started) and
# delete its directory.
pg_stop() {
    local dir=${1:-${_TENANTRY_PG_DIR:-}}
    local t0=$EPOCHREALTIME
    if [[ -z $dir ]]; then
        _tenantry_pg_log "no cluster to stop"
        return 0
    fi
    if [[ ! -e $dir ]]; then
        _tenantry_pg_log "$dir does not exist (already stopped?)"
        [[ $dir == "${_TENANTRY_PG_DIR:-}" ]] && unset _TENANTRY_PG_DIR
        return 0
    fi
    if [[ ! -f $dir/.tenantry-pg ]]; then
        _tenantry_pg_log "refusing to touch $dir: not created by pg.sh"
        return 1
    fi
    local bin=${_TENANTRY_PG_BIN:-}
    [[ -n $bin ]] || bin=$(_tenantry_pg_find_bindir) || bin=
    local data=$dir/data pid
    if [[ -f $data/postmaster.pid ]]; then
        if [[ -n $bin ]]; then
            _tenantry_pg_as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w -t 30 -s >/dev/null 2>&1 ||
                _tenantry_pg_as_owner "$bin/pg_ctl" stop -D "$data" -m immediate -w -t 10 -s >/dev/null 2>&1
        fi
        # Last resort: the postmaster is still there (pid file survives).
        if [[ -f $data/postmaster.pid ]] && read -r pid <"$data/postmaster.pid" &&
            [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            _tenantry_pg_log "postmaster $pid did not stop; killing it"
            kill -KILL "$pid" 2>/dev/null
            sleep 0.5
        fi
    fi
    rm -rf -- "$dir" || return 1
    if [[ $dir == "${_TENANTRY_PG_DIR:-}" ]]; then
        unset _TENANTRY_PG_DIR _TENANTRY_PG_BIN TENANTRY_TEST_PG_URL TENANTRY_PG_DIR TENANTRY_PG_PORT
    fi
    _tenantry_pg_log "stopped and removed $dir in $(_tenantry_pg_since "$t0")s"
}

# ---------------------------------------------------------------------------
# command line (only when executed, not when sourced)
# ---------------------------------------------------------------------------

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    set -euo pipefail
    case ${1:-} in
        start)
            # The status line goes to stderr; stdout is for `eval`.
            pg_start >&2
            printf 'export TENANTRY_TEST_PG_URL=%q\n' "$TENANTRY_TEST_PG_URL"
            printf 'export TENANTRY_PG_DIR=%q\n' "$TENANTRY_PG_DIR"
            printf 'export TENANTRY_PG_PORT=%q\n' "$TENANTRY_PG_PORT"
            _tenantry_pg_log "stop it with: scripts/pg.sh stop $(printf %q "$TENANTRY_PG_DIR")"
            ;;
        stop)
            dir=${2:-${TENANTRY_PG_DIR:-}}
            if [[ -z $dir ]]; then
                _tenantry_pg_log "usage: $0 stop [DIR]  (DIR defaults to \$TENANTRY_PG_DIR)"
                exit 2
            fi
            pg_stop "$dir"
            if [[ $dir == "${TENANTRY_PG_DIR:-}" ]]; then
                echo 'unset TENANTRY_TEST_PG_URL TENANTRY_PG_DIR TENANTRY_PG_PORT'
            fi
            ;;
        pause | resume)
            # An outage of a cluster pg_start made: stop its server, keep its data, start it again.
            dir=${2:-}
            if [[ -z $dir || ! -f $dir/.tenantry-pg || ! -d $dir/data ]]; then
                _tenantry_pg_log "usage: $0 pause DIR | resume DIR PORT  (DIR made by pg.sh start)"
                exit 2
            fi
            bin=$(_tenantry_pg_find_bindir)
            if [[ $1 == pause ]]; then
                _tenantry_pg_as_owner "$bin/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 -s
            else
                port=${3:-}
                [[ $port =~ ^[0-9]+$ ]] || { _tenantry_pg_log "resume needs the PORT"; exit 2; }
                _tenantry_pg_as_owner "$bin/pg_ctl" start -D "$dir/data" -l "$dir/postgres.log" \
                    -o "-p $port" -w -t 30 -s >/dev/null
            fi
            ;;
        status)
            dir=${2:-${TENANTRY_PG_DIR:-}}
            if [[ -z $dir || ! -d $dir/data ]]; then
                echo "no cluster${dir:+ at $dir}"
                exit 3
            fi
            bin=$(_tenantry_pg_find_bindir)
            _tenantry_pg_as_owner "$bin/pg_ctl" status -D "$dir/data"
            ;;
        *)
            cat >&2 <<EOF
usage: $0 start | stop [DIR] | status [DIR] | pause DIR | resume DIR PORT
  eval "\$($0 start)"   start a throwaway cluster, export TENANTRY_TEST_PG_URL
  $0 stop               stop \$TENANTRY_PG_DIR and delete it
or source it: source scripts/pg.sh; pg_start; ...; pg_stop
EOF
            exit 2
            ;;
    esac
fi
