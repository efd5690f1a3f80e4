#!/usr/bin/env bash
# Servers for the live-database tests (tests/db.rs): PostgreSQL (initdb, pg_ctl, psql, pg_dump)
# and MariaDB (mariadbd, mariadb-install-db, mariadb) from the Debian packages. The tests start
# and drop their own throwaway servers on 127.0.0.1 with data and sockets in temp dirs (as the
# `postgres` / `mysql` users when run as root); this script only makes sure the binaries are
# installed. The servers the packages may start are stopped again: nothing listens on the
# standard ports during the tests. With PIISCAN_REQUIRE_DB=1 (set by .ci/run) a missing server
# fails the tests instead of skipping them.
set -euo pipefail
need=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
[ -x /usr/sbin/mariadbd ] || need+=(mariadb-server mariadb-client)
# The TLS test (postgres_tls) makes its throwaway CA and server certificate with it.
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then
    echo "db-setup: PostgreSQL, MariaDB and openssl are installed"
    exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "db-setup: installing ${need[*]}"
$SUDO apt-get update -qq
# policy-rc.d 101: the packages' own services are not started (the tests start their own).
POLICY=/usr/sbin/policy-rc.d
CREATED=0
if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
    $SUDO chmod 755 "$POLICY"
    CREATED=1
fi
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
[ "$CREATED" -eq 1 ] && $SUDO rm -f "$POLICY"
echo "db-setup: done"
