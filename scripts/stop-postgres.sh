#!/usr/bin/env bash
# Stops the PostgreSQL that scripts/start-postgres.sh started and removes its directory.
set -uo pipefail
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
PGDATA="$(cat /tmp/goodcast-pg.current 2>/dev/null || true)"
[ -n "$PGDATA" ] && [ -d "$PGDATA" ] || exit 0
if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
else "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; fi
rm -rf "$PGDATA" /tmp/goodcast-pg.current
