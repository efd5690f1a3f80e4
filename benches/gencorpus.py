#!/usr/bin/env python3
"""Seeded mixed corpus for `benches/compare.sh`: CSV exports, NDJSON events, SQL dumps, logs, code.

Usage: gencorpus.py DIR TOTAL_MB [--seed N] [--one-file MB]

Writes files of ~8 MB (the "many files" corpus) under DIR until TOTAL_MB is reached. The mix by
bytes is roughly CSV 30 %, NDJSON 25 %, SQL 15 %, logs 20 %, code 10 %. PII density is realistic
for each kind (customer exports dense, logs medium, code sparse) and every kind carries hard
negatives: order/invoice numbers, SKUs, version strings, UUIDs, hex hashes, timestamps, cards
that fail Luhn, phone-shaped order ids. `--one-file MB` instead writes a single SQL dump of that
size (for RSS vs largest file). Deterministic for a given seed; the script is standard library
only so it runs anywhere `python3` does.
"""

import os
import random
import sys

FIRST = "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Olivia Noah Aroha Wiremu Priya Arjun Mei Hiroshi Fatima Omar Lucia Mateo Chloe Liam Zoe Ethan Isla Jack".split()
LAST = "Smith Johnson Williams Brown Jones Garcia Miller Davis Nguyen Tan Patel Singh Kim Lee Martin Wilson Taylor Anderson Thomas Moore Jackson White Harris Clark Lewis Walker Young King".split()
STREETS = "George Pitt Collins Queen King Victoria Elizabeth Bourke Flinders Church High Station Park".split()
STYPES = "Street Road Avenue Lane Drive Place Parade Crescent".split()
CITIES = "Sydney Melbourne Brisbane Perth Adelaide Hobart Canberra Darwin Auckland London Toronto Austin".split()
DOMAINS = "example.com example.org mail.example.net corp.example.co.uk shop.example.com.au".split()
WORDS = "the of and to in is that for it as with was on be by this are from or have an not they which one you were all we when there can more use data value error buffer config return match self request response retry timeout cache".split()


def luhn_digit(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def name(self):
        r = self.r
        return r.choice(FIRST), r.choice(LAST)

    def email(self, f, l):
        r = self.r
        return f"{f.lower()}.{l.lower()}{r.randrange(100)}@{r.choice(DOMAINS)}"

    def phone(self):
        r = self.r
        k = r.randrange(4)
        if k == 0:
            return f"+61 4{r.randrange(10, 99)} {r.randrange(100, 999)} {r.randrange(100, 999)}"
        if k == 1:
            return f"(02) {r.randrange(5550, 5559)} {r.randrange(1000, 9999)}"
        if k == 2:
            return f"+1 {r.randrange(201, 989)}-555-{r.randrange(1000, 9999)}"
        return f"+44 20 7946 {r.randrange(1000, 9999):04d}"

    def card(self, valid=True):
        r = self.r
        body = "4" + "".join(str(r.randrange(10)) for _ in range(14))
        d = luhn_digit(body + "0")
        if not valid:
            d = str((int(d) + 1) % 10)
        s = body + d
        return f"{s[0:4]} {s[4:8]} {s[8:12]} {s[12:16]}" if r.random() < 0.5 else s

    def date(self, lo=1940, hi=2005):
        r = self.r
        return f"{r.randrange(lo, hi)}-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}"

    def ts(self):
        r = self.r
        return f"2024-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}T{r.randrange(24):02d}:{r.randrange(60):02d}:{r.randrange(60):02d}Z"

    def ip(self):
        r = self.r
        return f"{r.randrange(1, 223)}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"

    def uuid(self):
        return "%08x-%04x-%04x-%04x-%012x" % tuple(self.r.getrandbits(b) for b in (32, 16, 16, 16, 48))

    def hexid(self, n=40):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def addr(self):
        r = self.r
        return f"{r.randrange(1, 400)} {r.choice(STREETS)} {r.choice(STYPES)}"

    def words(self, n):
        r = self.r
        return " ".join(r.choice(WORDS) for _ in range(n))


def csv_customers(g, i0, n):
    r = g.r
    out = ["id,first_name,last_name,email,phone,date_of_birth,address,city,postcode,card_number,loyalty_number,created_at,order_total,sku\n"]
    for i in range(i0, i0 + n):
        f, l = g.name()
        out.append(
            f"{i},{f},{l},{g.email(f, l)},{g.phone()},{g.date()},\"{g.addr()}\",{r.choice(CITIES)},{r.randrange(2000, 7999)},"
            f"{g.card(r.random() < 0.9)},{r.randrange(10**9, 10**10)},{g.ts()},{r.randrange(1, 999)}.{r.randrange(100):02d},SKU-{r.randrange(10**6, 10**7)}\n"
        )
    return out


def csv_orders(g, i0, n):
    # Hard negatives only: order ids, amounts, timestamps, SKUs, versions.
    r = g.r
    out = ["order_id,invoice_no,created_at,sku,qty,unit_price,total,status,app_version\n"]
    for i in range(i0, i0 + n):
        out.append(
            f"{i},INV-{r.randrange(10**8, 10**9)},{g.ts()},SKU-{r.randrange(10**6, 10**7)},{r.randrange(1, 9)},"
            f"{r.randrange(1, 500)}.{r.randrange(100):02d},{r.randrange(1, 5000)}.{r.randrange(100):02d},{r.choice(['paid', 'shipped', 'refunded'])},"
            f"{r.randrange(1, 9)}.{r.randrange(30)}.{r.randrange(100)}\n"
        )
    return out


def ndjson(g, i0, n):
    r = g.r
    out = []
    for i in range(i0, i0 + n):
        k = r.random()
        if k < 0.3:
            f, l = g.name()
            out.append(
                f'{{"ts":"{g.ts()}","event":"signup","request_id":"{g.uuid()}","user":{{"id":{i},"name":"{f} {l}","email":"{g.email(f, l)}","phone":"{g.phone()}","dob":"{g.date()}"}},"ip":"{g.ip()}","ua":"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0"}}\n'
            )
        elif k < 0.5:
            out.append(
                f'{{"ts":"{g.ts()}","event":"payment","request_id":"{g.uuid()}","order_id":{r.randrange(10**9, 10**10)},"amount":{r.randrange(1, 9999)}.{r.randrange(100):02d},"currency":"AUD","card_last4":"{r.randrange(1000, 9999)}","ip":"{g.ip()}"}}\n'
            )
        else:
            out.append(
                f'{{"ts":"{g.ts()}","event":"page_view","request_id":"{g.uuid()}","path":"/products/{r.randrange(10**5, 10**6)}","duration_ms":{r.randrange(1, 5000)},"session":"{g.hexid(32)}","build":"v{r.randrange(1, 9)}.{r.randrange(20)}.{r.randrange(100)}"}}\n'
            )
    return out


def sql_dump(g, i0, n):
    r = g.r
    out = [
        "-- MySQL dump 10.13  Distrib 8.0.36\n",
        "CREATE TABLE `customers` (`id` int, `full_name` varchar(100), `email` varchar(200), `phone` varchar(40), `birth_date` date, `street` varchar(200), `notes` text, `updated_at` datetime);\n",
    ]
    i = i0
    while i < i0 + n:
        rows = []
        for _ in range(50):
            f, l = g.name()
            note = g.words(6) if r.random() < 0.8 else f"call back on {g.phone()}"
            rows.append(
                f"({i},'{f} {l}','{g.email(f, l)}','{g.phone()}','{g.date()}','{g.addr()}','{note}','{g.ts()[:10]} {g.ts()[11:19]}')"
            )
            i += 1
        out.append("INSERT INTO `customers` VALUES " + ",".join(rows) + ";\n")
    return out


def logs(g, i0, n):
    r = g.r
    out = []
    for _ in range(n):
        k = r.random()
        if k < 0.55:
            out.append(
                f'{g.ip()} - - [{r.randrange(1, 28):02d}/Nov/2024:{r.randrange(24):02d}:{r.randrange(60):02d}:{r.randrange(60):02d} +0000] "GET /api/v2/items/{r.randrange(10**6)}?page={r.randrange(50)} HTTP/1.1" {r.choice([200, 200, 304, 404, 500])} {r.randrange(100, 99999)} "-" "curl/8.{r.randrange(10)}.0"\n'
            )
        elif k < 0.75:
            out.append(
                f"{g.ts()} INFO  worker-{r.randrange(16)} job={g.uuid()} took {r.randrange(1, 9000)}ms retries={r.randrange(4)} commit={g.hexid(12)}\n"
            )
        elif k < 0.85:
            f, l = g.name()
            out.append(f"{g.ts()} INFO  auth login ok user={g.email(f, l)} from {g.ip()}\n")
        elif k < 0.9:
            out.append(f"{g.ts()} WARN  billing order {r.randrange(10**9, 10**10)} card declined (ref {g.card(False)})\n")
        elif k < 0.93:
            f, l = g.name()
            out.append(f"{g.ts()} INFO  support ticket: Dear {f} {l}, we tried to call you on {g.phone()}\n")
        else:
            out.append(f"{g.ts()} DEBUG cache hit ratio {r.random():.4f} size {r.randrange(10**7)} bytes version 3.{r.randrange(20)}.{r.randrange(9)}\n")
    return out


def code(g, i0, n):
    r = g.r
    out = []
    for j in range(n):
        k = r.random()
        indent = "    " * r.randrange(4)
        if k < 0.5:
            out.append(f"{indent}let {r.choice(WORDS)}_{r.randrange(100)} = {r.choice(WORDS)}.{r.choice(WORDS)}({r.randrange(1000)});\n")
        elif k < 0.7:
            out.append(f"{indent}// {g.words(r.randrange(4, 14))}\n")
        elif k < 0.8:
            out.append(f'{indent}const HASH: &str = "{g.hexid(64)}";\n')
        elif k < 0.9:
            out.append(f"{indent}if x > {r.randrange(10**6)} {{ return Err(Error::new({r.randrange(100)})); }}\n")
        elif k < 0.998:
            out.append(f'{indent}assert_eq!(version(), "{r.randrange(10)}.{r.randrange(99)}.{r.randrange(999)}");\n')
        else:
            f, l = g.name()
            out.append(f"{indent}// maintainer: {f} {l} <{g.email(f, l)}>\n")
    return out


KINDS = [
    # (name, ext, generator, share, lines per chunk)
    ("customers", "csv", csv_customers, 0.20, 2000),
    ("orders", "csv", csv_orders, 0.10, 2000),
    ("events", "ndjson", ndjson, 0.25, 2000),
    ("dump", "sql", sql_dump, 0.15, 2000),
    ("access", "log", logs, 0.20, 2000),
    ("module", "rs", code, 0.10, 2000),
]

FILE_BYTES = 8 << 20


def write_file(path, gen, g, target, lines):
    size, i = 0, 1
    with open(path, "w", encoding="utf-8") as fh:
        first = True
        while size < target:
            chunk = gen(g, i, lines)
            if not first and gen in (csv_customers, csv_orders):
                chunk = chunk[1:]  # header once
            if not first and gen is sql_dump:
                chunk = chunk[2:]
            first = False
            s = "".join(chunk)
            fh.write(s)
            size += len(s.encode())
            i += lines
    return size


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out, total_mb = args[0], int(args[1])
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 42
    os.makedirs(out, exist_ok=True)
    g = Gen(seed)
    if "--one-file" in args:
        mb = int(args[args.index("--one-file") + 1])
        write_file(os.path.join(out, "big-dump.sql"), sql_dump, g, mb << 20, 2000)
        return
    total = total_mb << 20
    written = 0
    n = 0
    while written < total:
        for name, ext, gen, share, lines in KINDS:
            target = int(FILE_BYTES * share / 0.25)
            sub = os.path.join(out, name)
            os.makedirs(sub, exist_ok=True)
            written += write_file(os.path.join(sub, f"{name}-{n:04d}.{ext}"), gen, g, min(target, max(total - written, 1 << 16)), lines)
            if written >= total:
                break
        n += 1


if __name__ == "__main__":
    main()
