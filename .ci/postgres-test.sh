#!/usr/bin/env bash
# Redaction keeps a pg_dump loadable: generate a pg_dump-style dump (COPY blocks, `--inserts` and
# `--column-inserts` statements), redact it with the real `piiscan redact` binary, load the copy
# into a throwaway PostgreSQL cluster with ON_ERROR_STOP, and check row counts, that the dropped
# column's values are gone, that kept columns are unchanged, that dates of birth generalised in a
# `date` column load as YYYY-01-01 (COPY and INSERT), and that no raw value survived.
#
# Installs PostgreSQL from Debian if no /usr/lib/postgresql/*/bin/initdb exists. The cluster runs
# as the `postgres` user (when run as root) on a private socket directory and port, and is
# stopped and deleted on exit. PIISCAN_BIN overrides the binary (default: cargo build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "== installing PostgreSQL"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

BIN=${PIISCAN_BIN:-}
if [ -z "$BIN" ]; then
    cargo build --quiet --bin piiscan
    BIN=$ROOT/target/debug/piiscan
fi

WORK=$(mktemp -d /tmp/piiscan-pg.XXXXXX)
chmod 755 "$WORK"
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$WORK"
    AS_PG=(runuser -u postgres --)
else
    AS_PG=()
fi
PORT=$((20000 + RANDOM % 20000))
DATA=$WORK/data
SOCK=$WORK/sock
cleanup() {
    "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== generating a pg_dump-style dump"
mkdir -p "$WORK/src"
{
    printf -- '--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = '"'"'UTF8'"'"';\n\n'
    printf 'CREATE TABLE public.passengers (\n    id integer NOT NULL,\n    full_name text,\n    email text,\n    date_of_birth date,\n    mobile text,\n    points integer\n);\n\n'
    printf 'CREATE TABLE public.contacts (\n    id integer,\n    email text,\n    note text\n);\n\n'
    printf 'CREATE TABLE public.tickets (\n    id integer,\n    email text,\n    body text\n);\n\n'
    printf 'CREATE TABLE public.members (\n    id integer,\n    dob date,\n    note text\n);\n\n'
    printf 'COPY public.passengers (id, full_name, email, date_of_birth, mobile, points) FROM stdin;\n'
    for i in $(seq 0 49); do
        printf '%d\tOlivia Testperson\tolivia.testperson%d@example.com\t19%02d-%02d-%02d\t0491 570 %03d\t%d\n' \
            "$i" "$i" $((50 + i % 49)) $((1 + i % 12)) $((1 + i % 28)) $((100 + i)) $((i * 10))
    done
    printf '\\.\n\n'
    for i in $(seq 0 9); do
        printf "INSERT INTO public.contacts VALUES (%d, 'noah.sampleton%d@example.com', 'it''s fine');\n" "$i" "$i"
    done
    printf 'COPY public.members (id, dob, note) FROM stdin;\n'
    for i in $(seq 0 19); do
        printf '%d\t19%02d-%02d-%02d\tmember\n' "$i" $((60 + i)) $((1 + i % 12)) $((2 + i % 27))
    done
    printf '\\.\n\n'
    for i in $(seq 20 24); do
        printf "INSERT INTO public.members VALUES (%d, '19%02d-%02d-%02d', 'member');\n" "$i" $((60 + i)) $((1 + i % 12)) $((2 + i % 27))
    done
    for i in $(seq 0 4); do
        printf "INSERT INTO public.tickets (id, email, body) VALUES (%d, 'jack.placeholder%d@example.com', 'call 0491 570 %03d please');\n" "$i" "$i" $((200 + i))
    done
    printf '\n--\n-- PostgreSQL database dump complete\n--\n'
} >"$WORK/src/dump.sql"

echo "== piiscan redact"
set +e
PIISCAN_FINGERPRINT_KEY=postgres-test-key-0123456789 "$BIN" redact "$WORK/src" --out "$WORK/out" \
    --action field:email=drop --action date_of_birth=null --action person_name=tokenise \
    --action field:members.dob=generalise \
    --receipt "$WORK/receipt.json"
CODE=$?
set -e
if [ "$CODE" -ne 0 ]; then
    echo "FAIL: piiscan redact exited $CODE" >&2
    exit 1
fi
OUT=$WORK/out/dump.sql
chmod 644 "$OUT"
if grep -q '@example.com' "$OUT"; then
    echo "FAIL: an email address survived redaction" >&2
    exit 1
fi
grep -q '^COPY public.passengers (id, full_name, date_of_birth, mobile, points) FROM stdin;$' "$OUT" || {
    echo "FAIL: email still in the COPY column list" >&2
    exit 1
}

echo "== starting PostgreSQL ($PGBIN, port $PORT)"
"${AS_PG[@]}" mkdir -p "$SOCK"
"${AS_PG[@]}" "$PGBIN/initdb" -D "$DATA" -A trust -U postgres --no-sync >/dev/null
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$DATA" -w -l "$WORK/pg.log" \
    -o "-c listen_addresses='' -c unix_socket_directories='$SOCK' -p $PORT -c fsync=off" start >/dev/null
PSQL=("${AS_PG[@]}" "$PGBIN/psql" -h "$SOCK" -p "$PORT" -U postgres -X -q -v ON_ERROR_STOP=1)

echo "== loading the redacted dump"
"${PSQL[@]}" -d postgres -c 'CREATE DATABASE redacted'
"${PSQL[@]}" -d redacted -f "$OUT" >/dev/null

q() { "${PSQL[@]}" -d redacted -At -c "$1"; }
check() {
    local got
    got=$(q "$2")
    if [ "$got" != "$3" ]; then
        echo "FAIL: $1: got '$got', want '$3'" >&2
        exit 1
    fi
    echo "ok: $1"
}
check "passengers rows" "SELECT count(*) FROM passengers" 50
check "contacts rows" "SELECT count(*) FROM contacts" 10
check "tickets rows" "SELECT count(*) FROM tickets" 5
check "dropped email column holds nothing" \
    "SELECT count(*) FROM passengers WHERE email IS NOT NULL" 0
check "dropped email (INSERT without column list)" \
    "SELECT count(*) FROM contacts WHERE email IS NOT NULL" 0
check "dropped email (INSERT with column list)" \
    "SELECT count(*) FROM tickets WHERE email IS NOT NULL" 0
check "nulled dates of birth" "SELECT count(*) FROM passengers WHERE date_of_birth IS NOT NULL" 0
check "kept integer column unchanged" "SELECT sum(points) FROM passengers" 12250
check "kept text unchanged" "SELECT count(*) FROM contacts WHERE note = 'it''s fine'" 10
check "phones masked in free text" "SELECT count(*) FROM tickets WHERE body LIKE '%0491 570%'" 0
check "members rows (COPY and INSERT)" "SELECT count(*) FROM members" 25
check "generalised DATE column holds YYYY-01-01" \
    "SELECT count(*) FROM members WHERE extract(month FROM dob) = 1 AND extract(day FROM dob) = 1" 25
check "generalised DATE column keeps the years" \
    "SELECT sum(extract(year FROM dob))::int FROM members" $(( (1960 + 1984) * 25 / 2 ))
check "names tokenised" "SELECT count(*) FROM passengers WHERE full_name LIKE 'tok\\_%'" 50
check "receipt verified" "SELECT '$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verified"])' "$WORK/receipt.json")'" True
echo "postgres-test: PASS"
