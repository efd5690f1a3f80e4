#!/usr/bin/env bash
# Redaction keeps a pg_dump loadable: generate a pg_dump-style dump (COPY blocks, `--inserts` and
# `--column-inserts` statements), redact it with the real `piiscan redact` binary, load the copy
# into a throwaway PostgreSQL cluster with ON_ERROR_STOP, and check row counts, that the dropped
# column's values are gone, that kept columns are unchanged, that dates of birth generalised in a
# `date` column load as YYYY-01-01 (COPY and INSERT), and that no raw value survived.
#
# Then every action (ACTIONS below: every one `piiscan redact --action` offers; a Rust test keeps
# the list complete) is applied as the default action to a dump whose PII sits in typed columns —
# date and timestamp (nullable and NOT NULL), numeric, integer NOT NULL, uuid NOT NULL, inet,
# varchar(n), text NOT NULL and text NULL, in COPY rows and both INSERT forms — and each copy must
# say "verified", exit 0 and load; per action, what each typed column holds after loading is
# checked (NULL where the column allows it, the type's placeholder where it is NOT NULL, the
# generalised form where there is one).
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

echo "== generating a dump with PII in typed columns"
# Distinct fake values per row: test card numbers, TFN-shaped numbers, and IPs from carrier-grade
# NAT space (100.64.0.0/10): documentation IPs (RFC 5737) are not reported by design, CGNAT ones are.
CARDS=(4111111111111111 5555555555554444 4012888888881881 378282246310005 6011111111111117)
mkdir -p "$WORK/typed"
{
    printf -- '--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = '"'"'UTF8'"'"';\n\n'
    printf 'CREATE TABLE public.customers (\n    id integer NOT NULL,\n    ref uuid NOT NULL,\n    email text NOT NULL,\n    backup_email text,\n    date_of_birth date,\n    birthdate date NOT NULL,\n    birthday timestamp without time zone,\n    last_login_ip inet,\n    tfn integer NOT NULL,\n    card_number numeric(19,0),\n    balance numeric(10,2) NOT NULL,\n    phone character varying(16),\n    note text\n);\n\n'
    printf 'COPY public.customers (id, ref, email, backup_email, date_of_birth, birthdate, birthday, last_login_ip, tfn, card_number, balance, phone, note) FROM stdin;\n'
    for i in $(seq 0 19); do
        backup='\N'
        [ $((i % 2)) -eq 1 ] && backup="noah.sampleton$i@example.com"
        printf '%d\t%08x-e89b-12d3-a456-426614174000\tolivia.testperson%d@example.com\t%s\t19%02d-%02d-%02d\t19%02d-%02d-%02d\t19%02d-%02d-%02d 00:00:00\t100.64.12.%d\t123456782\t%s\t%d.50\t0491 570 %03d\tcalled 0491 570 %03d\n' \
            "$i" "$i" "$i" "$backup" $((60 + i)) $((1 + i % 9)) $((10 + i % 9)) $((70 + i)) $((10 + i % 3)) $((1 + i % 9)) \
            $((50 + i)) $((1 + i % 9)) $((20 + i % 8)) $((i + 1)) "${CARDS[$((i % 5))]}" "$i" $((100 + i)) $((200 + i))
    done
    printf '\\.\n\n'
    for i in $(seq 20 24); do
        printf "INSERT INTO public.customers VALUES (%d, '%08x-e89b-12d3-a456-426614174000', 'olivia.testperson%d@example.com', NULL, '19%02d-03-12', '19%02d-04-13', '19%02d-05-14 00:00:00', '100.64.12.%d', 123456782, %s, %d.50, '0491 570 %03d', 'called 0491 570 %03d');\n" \
            "$i" "$i" "$i" $((60 + i)) $((70 + i)) $((50 + i)) $((i + 1)) "${CARDS[$((i % 5))]}" "$i" $((100 + i)) $((200 + i))
    done
    for i in $(seq 25 29); do
        printf "INSERT INTO public.customers (id, ref, email, backup_email, date_of_birth, birthdate, birthday, last_login_ip, tfn, card_number, balance, phone, note) VALUES (%d, '%08x-e89b-12d3-a456-426614174000', 'olivia.testperson%d@example.com', 'noah.sampleton%d@example.com', '19%02d-03-12', '19%02d-04-13', '19%02d-05-14 00:00:00', '100.64.12.%d', 123456782, %s, %d.50, '0491 570 %03d', 'called 0491 570 %03d');\n" \
            "$i" "$i" "$i" "$i" $((60 + i)) $((70 + i)) $((50 + i)) $((i + 1)) "${CARDS[$((i % 5))]}" "$i" $((100 + i)) $((200 + i))
    done
    printf '\n--\n-- PostgreSQL database dump complete\n--\n'
} >"$WORK/typed/typed.sql"

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

# Every action piiscan offers (`--action … ACTION`); tests/redact.rs checks this list against
# the binary's.
ACTIONS=(mask tokenise generalise drop null)
for ACTION in "${ACTIONS[@]}"; do
    echo "== typed columns, --default $ACTION"
    OUTDIR=$WORK/typed-out-$ACTION
    # `drop` also names the uuid column, so a NOT NULL uuid column without a default is dropped.
    EXTRA=()
    [ "$ACTION" = drop ] && EXTRA=(--action field:customers.ref=drop)
    set +e
    PIISCAN_FINGERPRINT_KEY=postgres-test-key-0123456789 "$BIN" redact "$WORK/typed/typed.sql" \
        --out "$OUTDIR" --default "$ACTION" "${EXTRA[@]}" --receipt "$WORK/receipt-$ACTION.json" \
        >"$WORK/redact-$ACTION.log"
    CODE=$?
    set -e
    if [ "$CODE" -ne 0 ] || ! grep -q '^verified: ' "$WORK/redact-$ACTION.log"; then
        cat "$WORK/redact-$ACTION.log" >&2
        echo "FAIL: piiscan redact --default $ACTION exited $CODE without 'verified'" >&2
        exit 1
    fi
    if grep -q '@example.com\|0491 570\|4111111111111111\|123456782\|100\.64\.12\.[1-9]' "$OUTDIR/typed.sql"; then
        # The values are fake; showing which survived makes the failure diagnosable from the log.
        grep -o '@example.com\|0491 570\|4111111111111111\|123456782\|100\.64\.12\.[1-9]' "$OUTDIR/typed.sql" | sort | uniq -c >&2
        echo "FAIL: a raw value survived --default $ACTION" >&2
        exit 1
    fi
    chmod -R a+rX "$OUTDIR"
    DB=typed_$ACTION
    "${PSQL[@]}" -d postgres -c "CREATE DATABASE $DB"
    if ! "${PSQL[@]}" -d "$DB" -f "$OUTDIR/typed.sql" >/dev/null; then
        echo "FAIL: the copy redacted with --default $ACTION does not load" >&2
        exit 1
    fi
    echo "ok: --default $ACTION: verified, and the copy loads"
    qa() { "${PSQL[@]}" -d "$DB" -At -c "$1"; }
    checka() {
        local got
        got=$(qa "$2")
        if [ "$got" != "$3" ]; then
            echo "FAIL: $ACTION: $1: got '$got', want '$3'" >&2
            exit 1
        fi
        echo "ok: $ACTION: $1"
    }
    checka "rows (COPY and both INSERT forms)" "SELECT count(*) FROM customers" 30
    checka "balance (no PII) unchanged" "SELECT sum(balance) FROM customers" 450.00
    checka "receipt verified" "SELECT '$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verified"])' "$WORK/receipt-$ACTION.json")'" True
    case $ACTION in
        mask | tokenise)
            checka "nullable date: NULL" "SELECT count(*) FROM customers WHERE date_of_birth IS NULL" 30
            checka "NOT NULL date: 1900-01-01" "SELECT count(*) FROM customers WHERE birthdate = '1900-01-01'" 30
            checka "nullable timestamp: NULL" "SELECT count(*) FROM customers WHERE birthday IS NULL" 30
            checka "inet: NULL" "SELECT count(*) FROM customers WHERE last_login_ip IS NULL" 30
            checka "NOT NULL integer: 0" "SELECT count(*) FROM customers WHERE tfn = 0" 30
            checka "numeric: NULL" "SELECT count(*) FROM customers WHERE card_number IS NULL" 30
            checka "uuid untouched" "SELECT count(DISTINCT ref) FROM customers" 30
            checka "text NOT NULL keeps the $ACTION output" "SELECT count(*) FROM customers WHERE email <> '' AND email NOT LIKE '%@example.com'" 30
            checka "text NULL: NULLs kept" "SELECT count(*) FROM customers WHERE backup_email IS NULL" 15
            ;;
        generalise)
            checka "date keeps the year as YYYY-01-01" \
                "SELECT count(*) FROM customers WHERE extract(month FROM date_of_birth) = 1 AND extract(day FROM date_of_birth) = 1 AND extract(year FROM date_of_birth) = 1960 + id" 30
            checka "NOT NULL date: YYYY-01-01" "SELECT count(*) FROM customers WHERE birthdate = make_date(1970 + id, 1, 1)" 30
            checka "timestamp: YYYY-01-01 00:00:00" "SELECT count(*) FROM customers WHERE birthday = make_timestamp(1950 + id, 1, 1, 0, 0, 0)" 30
            checka "inet: the /24" "SELECT count(*) FROM customers WHERE last_login_ip = '100.64.12.0/24'::inet" 30
            checka "email: its domain" "SELECT count(*) FROM customers WHERE email = 'example.com'" 30
            checka "NOT NULL integer (no generalisation): 0" "SELECT count(*) FROM customers WHERE tfn = 0" 30
            ;;
        drop | null)
            checka "nullable date: NULL" "SELECT count(*) FROM customers WHERE date_of_birth IS NULL" 30
            checka "NOT NULL date: 1900-01-01" "SELECT count(*) FROM customers WHERE birthdate = '1900-01-01'" 30
            checka "NOT NULL integer: 0" "SELECT count(*) FROM customers WHERE tfn = 0" 30
            checka "numeric: NULL" "SELECT count(*) FROM customers WHERE card_number IS NULL" 30
            checka "text NOT NULL: empty" "SELECT count(*) FROM customers WHERE email = ''" 30
            checka "text NULL: NULL" "SELECT count(*) FROM customers WHERE backup_email IS NULL" 30
            checka "varchar(16): NULL" "SELECT count(*) FROM customers WHERE phone IS NULL" 30
            ;;
    esac
    if [ "$ACTION" = drop ]; then
        checka "dropped NOT NULL uuid kept as the nil UUID" \
            "SELECT count(*) FROM customers WHERE ref = '00000000-0000-0000-0000-000000000000'" 30
        # Nullable columns go; NOT NULL ones without a default stay, with placeholders.
        grep -q '^COPY public.customers (id, ref, email, birthdate, tfn, balance) FROM stdin;$' "$OUTDIR/typed.sql" || {
            echo "FAIL: drop: the COPY list should keep exactly the NOT NULL columns" >&2
            exit 1
        }
    fi
    if [ "$ACTION" = tokenise ]; then
        checka "varchar(16): the token cut to 16 characters" "SELECT count(*) FROM customers WHERE phone LIKE 'tok\\_%' AND length(phone) = 16" 30
    fi
done
echo "postgres-test: PASS"
