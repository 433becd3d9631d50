#!/usr/bin/env bash
# A throwaway PostgreSQL server on a free loopback port, for the credential-store tests.
#
#   eval "$(.ci/start-postgres.sh)"            # new data dir under $TMPDIR, started
#   .ci/start-postgres.sh start DIR            # DIR created (initdb) if new, then started
#   .ci/start-postgres.sh restart DIR          # pg_ctl restart (fast shutdown), same port
#   .ci/start-postgres.sh stop DIR             # pg_ctl stop (fast shutdown)
#
# `start` prints the lines to paste (or eval) on stdout, everything else on stderr:
#   export WECHAT_OA_POSTGRES_URL='postgres://wechat_oa:PASSWORD@127.0.0.1:PORT/wechat_oa'
#   export WECHAT_OA_POSTGRES_DIR='DIR'
# The server listens on 127.0.0.1 only (password login, scram-sha-256) and on a Unix socket in
# DIR; database and role are both `wechat_oa`. Remove DIR after `stop` to throw it away.
#
# Needs PostgreSQL's server binaries (Debian: `apt-get install postgresql`; any version that
# ships initdb/pg_ctl under /usr/lib/postgresql/*/bin, or set PG_BIN). Run as root, the
# server runs as the `postgres` user (initdb refuses root); as anyone else, as yourself.
set -euo pipefail

die() { echo "start-postgres: $*" >&2; exit 1; }

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)}
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/initdb" ] \
  || die "no PostgreSQL server binaries (install the 'postgresql' package, or set PG_BIN)"

if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root but there is no 'postgres' user to run the server as"
  as_pg() { runuser -u postgres -- "$@"; }
  PG_USER=postgres
else
  as_pg() { "$@"; }
  PG_USER=$(id -un)
fi

cmd=${1:-start}
dir=${2:-}

case "$cmd" in
  start) ;;
  restart|stop)
    [ -n "$dir" ] && [ -f "$dir/PG_VERSION" ] || die "$cmd: '$dir' is not a data directory made by this script"
    as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w -t 30 -l "$dir/server.log" "$cmd" >&2
    exit 0 ;;
  *) die "unknown command '$cmd' (start, restart or stop)" ;;
esac

if [ -z "$dir" ]; then
  dir=$(mktemp -d "${TMPDIR:-/tmp}/wechat-oa-pg.XXXXXX")
fi
mkdir -p "$dir"

if [ ! -f "$dir/PG_VERSION" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
  chmod 700 "$dir"
  chown "$PG_USER" "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir" -U "$PG_USER" --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --no-locale >"$dir.initdb.log" 2>&1 || { cat "$dir.initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir.initdb.log"
  cat >>"$dir/postgresql.conf" <<EOF
# start-postgres.sh
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
full_page_writes = off
EOF
  # Everything the tests need to find again, readable only by the server's user and root.
  printf '%s\n' "$port" >"$dir/wechat-oa.port"
  printf '%s\n' "$password" >"$dir/wechat-oa.password"
  chown "$PG_USER" "$dir/wechat-oa.port" "$dir/wechat-oa.password"
  chmod 600 "$dir/wechat-oa.port" "$dir/wechat-oa.password"
  fresh=1
else
  fresh=0
fi
port=$(cat "$dir/wechat-oa.port")
password=$(cat "$dir/wechat-oa.password")

as_pg "$PG_BIN/pg_ctl" -D "$dir" -w -t 30 -l "$dir/server.log" start >&2 \
  || { tail -n 20 "$dir/server.log" >&2 || true; die "the server did not start (log: $dir/server.log)"; }

if [ "$fresh" = 1 ]; then
  psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U "$PG_USER" -d postgres)
  as_pg "${psql[@]}" -c "CREATE ROLE wechat_oa LOGIN PASSWORD '$password'" >&2
  as_pg "${psql[@]}" -c "CREATE DATABASE wechat_oa OWNER wechat_oa" >&2
fi

echo "export WECHAT_OA_POSTGRES_URL='postgres://wechat_oa:$password@127.0.0.1:$port/wechat_oa'"
echo "export WECHAT_OA_POSTGRES_DIR='$dir'"
