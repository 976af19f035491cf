#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on a loopback port in a temporary directory and prints
# its URL. PostgreSQL refuses to run as root, so the server runs as the `postgres` user.
# Usage: scripts/start-postgres.sh [PORT]   (stop it with: scripts/stop-postgres.sh)
set -euo pipefail
PORT="${1:-55432}"
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
PGDATA="$(mktemp -d /tmp/goodcast-pg.XXXXXX)"
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGDATA"; chmod 700 "$PGDATA"
  AS=(runuser -u postgres --)
else
  AS=()
fi
"${AS[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA -c max_connections=300 -c synchronous_commit=on -c fsync=on" start >/dev/null
echo "$PGDATA" > /tmp/goodcast-pg.current
echo "postgres://postgres@127.0.0.1:$PORT/postgres"
