#!/usr/bin/env bash
# Start the PostgreSQL 15 (+ pgvector) and Redis instances the test suite uses.
#
#   eval "$(docker/test-services.sh)"
#
# Idempotent: installs only what is missing and leaves running services alone,
# so a repeat run takes a moment. Only the export lines go to stdout; all
# progress output goes to stderr.
set -euo pipefail

STATE_DIR="${ODOO_AGENT_TEST_STATE:-/var/tmp/odoo-agent-test}"
PG_PORT="${ODOO_AGENT_TEST_PG_PORT:-55432}"
REDIS_PORT="${ODOO_AGENT_TEST_REDIS_PORT:-56379}"

PG_MAJOR=15
PG_BIN="/usr/lib/postgresql/$PG_MAJOR/bin"
PG_CONFIG="$PG_BIN/pg_config"
VECTOR_CONTROL="/usr/share/postgresql/$PG_MAJOR/extension/vector.control"
VECTOR_MIN_VERSION=0.8.0 # HNSW indexes; the version the project targets
PG_DIR="$STATE_DIR/pg" # owned by the server's OS user: data, socket, log
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
WAIT_SECONDS=30

log() { echo "test-services: $*"; }
die() {
    echo "test-services: error: $*"
    exit 1
}

# Run a command as root (directly, or through sudo when available).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "root is needed to install packages or pgvector (run as root or install sudo): $*"
    fi
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

# True when pgvector is installed for PG 15 in at least VECTOR_MIN_VERSION.
vector_ok() {
    [ -f "$VECTOR_CONTROL" ] || return 1
    local have
    have="$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" "$VECTOR_CONTROL")"
    [ -n "$have" ] || return 1
    [ "$(printf '%s\n%s\n' "$VECTOR_MIN_VERSION" "$have" | sort -V | head -n1)" = "$VECTOR_MIN_VERSION" ]
}

# All the work happens in main with stdout sent to stderr, so only the export
# lines reach stdout. Bash keeps the saved stdout close-on-exec, so daemons
# started here cannot hold a caller's "$(...)" open.
main() {
    # ---------------------------------------------------------------- packages --

    need_vector=0
    vector_ok || need_vector=1

    packages=("postgresql-$PG_MAJOR" redis-server ca-certificates)
    if [ "$need_vector" -eq 1 ]; then
        # Only needed to build pgvector from source.
        packages+=("postgresql-server-dev-$PG_MAJOR" dpkg-dev)
        if ! command -v make >/dev/null 2>&1 || ! command -v gcc >/dev/null 2>&1; then
            packages+=(build-essential)
        fi
    fi

    missing=()
    for pkg in "${packages[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done

    if [ "$need_vector" -eq 1 ]; then
        # Bookworm has no pgvector package. Build trixie's source package
        # instead; a deb-src line alone never pulls trixie binaries into the system.
        trixie_list=/etc/apt/sources.list.d/trixie-src.list
        if [ ! -f "$trixie_list" ]; then
            log "adding $trixie_list (source packages only)"
            echo 'deb-src http://deb.debian.org/debian trixie main' | as_root tee "$trixie_list" >/dev/null
        fi
    fi

    if [ "${#missing[@]}" -gt 0 ] || [ "$need_vector" -eq 1 ]; then
        # One update covers both missing packages and the trixie source index.
        log "apt-get update"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    fi
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
    fi

    # ---------------------------------------------------------------- pgvector --

    if [ "$need_vector" -eq 1 ]; then
        log "building pgvector >= $VECTOR_MIN_VERSION for PostgreSQL $PG_MAJOR"
        build_dir="$(mktemp -d)"
        trap 'rm -rf "$build_dir"' EXIT
        (
            cd "$build_dir"
            # As root this prints a harmless "unsandboxed as root" warning.
            apt-get source -q pgvector
            cd pgvector-*/
            # with_llvm=no: JIT bitcode is not needed and would need a matching clang.
            make -j"$(nproc)" with_llvm=no PG_CONFIG="$PG_CONFIG"
            as_root make with_llvm=no install PG_CONFIG="$PG_CONFIG"
        )
        vector_ok || die "pgvector install finished but $VECTOR_CONTROL is missing or older than $VECTOR_MIN_VERSION"
    fi

    # -------------------------------------------------------------- PostgreSQL --

    [ -x "$PG_BIN/pg_ctl" ] || die "$PG_BIN/pg_ctl not found; is postgresql-$PG_MAJOR installed?"

    # The server runs as the owner of an existing cluster; a new one belongs to
    # "postgres" when we are root (initdb refuses root), else to the current user.
    if [ -d "$PG_DATA" ]; then
        pg_user="$(stat -c %U "$PG_DATA")"
    elif [ "$(id -u)" -eq 0 ]; then
        pg_user=postgres
    else
        pg_user="$(id -un)"
    fi

    as_pg_user() {
        if [ "$(id -un)" = "$pg_user" ]; then
            "$@"
        elif [ "$(id -u)" -eq 0 ]; then
            runuser -u "$pg_user" -- "$@"
        else
            sudo -u "$pg_user" -- "$@"
        fi
    }

    pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

    if pg_ready; then
        log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
    else
        if [ ! -d "$STATE_DIR" ]; then
            mkdir -p "$STATE_DIR"
            chmod 755 "$STATE_DIR" # the server user must be able to traverse it
        fi
        if [ ! -d "$PG_DIR" ]; then
            mkdir -p "$PG_DIR"
            chown "$pg_user": "$PG_DIR"
            chmod 755 "$PG_DIR" # lets any local user reach the unix socket
        fi
        if [ ! -f "$PG_DATA/PG_VERSION" ]; then
            log "initdb $PG_DATA"
            as_pg_user "$PG_BIN/initdb" -D "$PG_DATA" --auth=trust -U postgres \
                --encoding=UTF8 --locale=C.UTF-8 >/dev/null
        fi
        log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        # Settings are passed on every start so edits here apply without re-initdb.
        # Durability is traded for speed: this cluster only ever holds test data.
        pg_opts="-p $PG_PORT -c listen_addresses=127.0.0.1"
        pg_opts+=" -c unix_socket_directories='$PG_DIR'"
        pg_opts+=" -c max_connections=300 -c shared_buffers=128MB"
        pg_opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        as_pg_user "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -o "$pg_opts" \
            -w -t "$WAIT_SECONDS" start >/dev/null ||
            die "PostgreSQL failed to start; see $PG_LOG"
    fi

    # -------------------------------------------------------------------- Redis --

    redis_ready() {
        [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]
    }

    if redis_ready; then
        log "Redis already running on 127.0.0.1:$REDIS_PORT"
    else
        mkdir -p "$STATE_DIR"
        log "starting Redis on 127.0.0.1:$REDIS_PORT"
        # No persistence: tests must never depend on data surviving a restart.
        redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
            --daemonize yes --dir "$STATE_DIR" --logfile "$STATE_DIR/redis.log" ||
            die "redis-server failed to start; see $STATE_DIR/redis.log"
    fi

    # --------------------------------------------------------------------- wait --

    deadline=$((SECONDS + WAIT_SECONDS))
    until pg_ready; do
        [ "$SECONDS" -lt "$deadline" ] ||
            die "PostgreSQL not accepting connections on 127.0.0.1:$PG_PORT after ${WAIT_SECONDS}s; see $PG_LOG"
        sleep 0.2
    done
    until redis_ready; do
        [ "$SECONDS" -lt "$deadline" ] ||
            die "Redis not answering PING on 127.0.0.1:$REDIS_PORT after ${WAIT_SECONDS}s; see $STATE_DIR/redis.log"
        sleep 0.2
    done

    # Every test database is created from template1, so they all get pgvector.
    # client_min_messages hides the "already exists, skipping" notice on re-runs.
    PGOPTIONS='-c client_min_messages=warning' \
        "$PG_BIN/psql" -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d template1 \
        -c 'CREATE EXTENSION IF NOT EXISTS vector' >/dev/null ||
        die "could not create extension vector in template1 on port $PG_PORT"
}

main >&2

echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
echo "export REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
