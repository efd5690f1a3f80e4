#!/usr/bin/env python3
"""Seeded mixed corpus for `benches/compare.sh`: exports, events, dumps, logs, tickets and code.

Usage:
  gencorpus.py DIR TOTAL_MB [--seed N] [--accents]        the mixed corpus (below)
  gencorpus.py DIR 0 --one-file MB [--seed N]             one mysqldump file of MB, 16 KiB lines
  gencorpus.py DIR TOTAL_MB --long-lines [--line-kib L,L] mysqldump files by INSERT line length

`--long-lines` splits TOTAL_MB evenly over the line lengths (KiB; default 16,64,256,1024), one
directory each (`mysqldump-00016k/`, ...), every file holding the same rows: timing each
directory reads per-byte cost against line length, and the findings must not differ.
`--accents` gives about 7 % of names a non-ASCII letter (José, Müller); names are ASCII by default
so the rg baseline is not slowed by its Unicode fallback (see ACCENTED_FIRST).

The mixed corpus puts each shape in its own top-level directory of DIR, so `compare.sh` can time
each shape alone. Shares of TOTAL_MB (the list of issue 26, which adds to 97 %, scaled to 100 %):

  ndjson/         17 %  NDJSON events with nested objects (user, order, shipping, payment, client)
  csv-customers/  15 %  customer exports, 20 columns: UUIDs, names, emails, phones, DOBs, addresses,
                        test card numbers, bcrypt hashes, last order ids, timestamps, IPs
  csv-orders/     10 %  order exports: order ids, epoch ms, tracking numbers, ship-to names
  logs-app/       13 %  Java application logs (logback layout) with stack traces and `Caused by:`
  logs-nginx/     10 %  nginx access logs (combined + request time + X-Forwarded-For)
  pgdump/         12 %  pg_dump plain dumps: COPY blocks of customers, orders, payments, audit log
  mysqldump/       8 %  five mysqldump files (members, transactions, partner payouts with IBANs)
                        with extended INSERT lines of 64 KiB, 96 KiB, 160 KiB, 256 KiB and 1 MiB
  tickets/         7 %  support and HR ticket threads (prose with contact details, DOBs, TFNs,
                        NINOs, IBANs, addresses), 4-128 KiB per file
  source/          5 %  thousands of 1-64 KiB source files (py, java, go, ts, rs) with fixtures

Overall about 10 % of the bytes are PII and piiscan reports about 7,500 findings per MB (dense in
the exports and dumps, sparse in code). Every shape carries look-alikes: 16-digit tracking numbers
that fail Luhn, epoch milliseconds, `d.d.d.d` build versions, `ddd-dd-dddd` case references, order
ids, SKUs, UUIDs, hashes and timestamps.

Everything is fake: emails at example.com/.org/.net; card numbers are published test numbers or
Luhn-valid numbers with test IINs (411111, 424242, 555555, ...); phones come from the ranges kept
for drama and fiction (AU 0491 570 xxx mobiles and (0x) 5550 xxxx landlines, UK 07700 900xxx and
020 7946 0xxx, US 555-01xx); IPv4 from TEST-NET (RFC 5737) and shared space (RFC 6598), IPv6 from
2001:db8::/32; IBANs carry made-up bank codes (XMPL, EXMP, DEMO). National ids with no reserved
range (TFN, NINO, SSN-shaped references) are random values from the seeded generator.

Deterministic: each shape draws from its own generator seeded by (seed, shape), so a shape's
files do not depend on the other shapes. Standard library only; ~1 GB takes about a minute.
"""

import base64
import os
import random
import sys
import time

# ----------------------------------------------------------------------------------------------
# Vocabulary

FIRST = """James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Nancy Matthew Lisa Anthony Betty
Mark Margaret Paul Sandra Steven Ashley Andrew Kimberly Joshua Emily Kevin Donna Brian Michelle
George Carol Edward Amanda Ronald Melissa Timothy Deborah Jason Stephanie Jeffrey Rebecca Ryan
Laura Jacob Helen Gary Sharon Nicholas Cynthia Eric Kathleen Jonathan Amy Larry Shirley Justin
Angela Scott Anna Brandon Ruth Olivia Noah Chloe Liam Zoe Ethan Isla Jack Ava Lucas Mia Oliver
Grace Henry Ruby Leo Harper Oscar Ella Aroha Wiremu Priya Arjun Mei Hiroshi Fatima Omar Lucia
Mateo Sofia Hannah Samuel Alice Tom Ivy Max Charlotte Harry Lily Archie Evie Alfie Freya""".split()
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans
Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez
Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks
Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers
Long Ross Foster Jimenez Tan Singh Chen Wang Li Zhang Khan Ali Murray Fraser Kennedy O'Brien
O'Connor Walsh Byrne Ryan Doyle Schmidt Muller Dubois Rossi Silva Santos Costa""".split()
# `--accents` adds these (about 7 % of names then carry one). Off by default: on a line with a
# non-ASCII byte, rg's Unicode `\b` leaves its fast DFA (`rg -c -f` on the customer export took
# 0.55 s instead of 0.05 s with 8 % of rows accented), which would flatter piiscan against the rg
# baseline issue 26 states its targets on.
ACCENTED_FIRST = "José Zoë Chloé Søren Björn Amélie".split()
ACCENTED_LAST = "Müller Núñez Østergaard Gonçalves".split()
# Email local parts are ASCII: fold the accented letters.
ASCII_FOLD = str.maketrans("éëøöüúñçØ'", "eeoouuncO ", )
STREETS = """George Pitt Collins Queen King Victoria Elizabeth Bourke Flinders Church High Station
Park Albert Railway Main Bridge Mill School Forest Hill Lake River Ocean Beach Cedar Maple Oak
Elm Willow Spring Union Market Harbour Castle Chapel Grove""".split()
STYPES = "Street Road Avenue Lane Drive Place Parade Crescent Court Terrace Way Close".split()
PLACES = [
    ("Sydney", "NSW", "AU", 2000), ("Melbourne", "VIC", "AU", 3000), ("Brisbane", "QLD", "AU", 4000),
    ("Perth", "WA", "AU", 6000), ("Adelaide", "SA", "AU", 5000), ("Hobart", "TAS", "AU", 7000),
    ("Canberra", "ACT", "AU", 2600), ("Darwin", "NT", "AU", 800), ("Auckland", "AUK", "NZ", 1010),
    ("London", "LND", "GB", 0), ("Manchester", "MAN", "GB", 0), ("Toronto", "ON", "CA", 0),
    ("Austin", "TX", "US", 73301), ("Denver", "CO", "US", 80201), ("Seattle", "WA", "US", 98101),
]
DOMAINS = "example.com example.org example.net mail.example.com corp.example.org shop.example.net".split()
CORP_DOMAINS = "example.com corp.example.org".split()
WORDS = """the of and to in is that for it as with was on be by this are from or have an not they
which one you were all we when there can more use data value error account order delivery refund
payment invoice customer issue update request response please thanks team week today yesterday
tomorrow since still again already about after before because could would should will might
received sent missing wrong item items package parcel store online app website login password reset
email address phone number details record records payroll leave manager roster shift contract
review access system report changed change help urgent follow up ticket case escalated resolved
pending waiting approval approved declined charge charged twice balance statement credit note
policy process checked confirmed sorry apologies understand appreciate happy unable able new old
first last time times month months year days hours""".split()
CODE_WORDS = """user order item cart price total count index buffer config request response retry timeout
cache token session client server handler service repo store queue event payload result error
value key name path limit offset page size batch worker job task state status flag mode level""".split()
UA = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.109 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.6045.193 Mobile Safari/537.36",
    "okhttp/4.12.0", "curl/8.4.0", "python-requests/2.31.0", "Shop/5.12.0.3391 (iOS 17.1; iPhone15,2)",
    "kube-probe/1.28", "Googlebot/2.1 (+http://www.google.com/bot.html)",
]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MONTHS_LONG = "January February March April May June July August September October November December".split()
# Published test card numbers (Visa, Mastercard, Amex, Discover, JCB, Diners).
TEST_CARDS = """4111111111111111 4242424242424242 4012888888881881 4000056655665556 5555555555554444
5105105105105100 2223003122003222 5200828282828210 378282246310005 371449635398431 6011111111111117
6011000990139424 3530111333300000 3566002020360505 36227206271667""".split()
# (IIN prefix, length) of test ranges; the rest is random with a Luhn check digit.
TEST_IINS = [("411111", 16), ("424242", 16), ("400000", 16), ("401288", 16), ("555555", 16),
             ("510510", 16), ("222300", 16), ("520082", 16), ("378282", 15), ("601111", 16)]
B64 = bytes.maketrans(b"+/=", b"./.")  # bcrypt's alphabet: ./A-Za-z0-9

# Luhn's doubled digit, as a byte translation ('0'..'9' -> doubled and digit-summed).
LUHN_DOUBLE = bytes.maketrans(b"0123456789", b"0246813579")


def luhn_check_digit(body):
    """The digit that makes `body + digit` pass Luhn (byte sums in C, no per-digit Python)."""
    b = body[::-1].encode()
    doubled, plain = b[0::2].translate(LUHN_DOUBLE), b[1::2]
    total = sum(doubled) + sum(plain) - 48 * len(b)
    return chr(48 + (10 - total % 10) % 10)


class Rng(random.Random):
    """`random.Random` with `randrange` and `choice` from one `random()` call: the stock ones
    draw bits in a loop, and they were most of the generator's time. Uniform enough for a corpus
    (ranges here stay far below 2**53)."""

    def randrange(self, a, b=None):
        if b is None:
            a, b = 0, a
        return a + int(self.random() * (b - a))

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]


def iban_check(country, bban):
    """ISO 7064 mod 97-10 check digits for country + bban."""
    s = bban + country + "00"
    n = int("".join(str(int(c, 36)) for c in s))
    return f"{98 - n % 97:02d}"


class Gen:
    """Value generators over one seeded `Rng`."""

    def __init__(self, seed):
        self.seed = seed
        self.r = Rng(seed)
        r = self.r
        # The clock: logs and events move forward from 2024-01-01 (epoch seconds).
        self.t = 1704067200.0
        # Day strings are cached: formatting a date per line is the slow part of a log line.
        self._days = {}
        self.streets = [f"{s} {t}" for s in STREETS for t in STYPES]
        self.uas = UA
        r.shuffle(self.streets)

    # --- people -------------------------------------------------------------------------------
    def name(self):
        r = self.r
        return r.choice(FIRST), r.choice(LAST)

    def email(self, f, l, domains=DOMAINS):
        r = self.r
        k = r.random()
        f, l = f.lower().translate(ASCII_FOLD), l.lower().translate(ASCII_FOLD).replace(" ", "")
        if k < 0.5:
            local = f"{f}.{l}{r.randrange(1000)}"
        elif k < 0.8:
            local = f"{f[0]}{l}{r.randrange(100)}"
        else:
            local = f"{f}_{l[:3]}{r.randrange(10000)}"
        return f"{local}@{r.choice(domains)}"

    def phone(self):
        """A phone number from a fictional range, in one of the ways people write them."""
        r = self.r
        k = r.random()
        if k < 0.30:
            n = r.randrange(1000)
            return f"0491 570 {n:03d}" if r.random() < 0.7 else f"+61 491 570 {n:03d}"
        if k < 0.50:
            return f"(0{r.choice('2378')}) 5550 {r.randrange(10000):04d}"
        if k < 0.65:
            n = r.randrange(1000)
            return f"07700 900{n:03d}" if r.random() < 0.6 else f"+44 7700 900{n:03d}"
        if k < 0.75:
            return f"+44 20 7946 0{r.randrange(1000):03d}"
        a = r.randrange(201, 990)
        n = r.randrange(100, 200)
        return f"({a}) 555-{n:04d}" if r.random() < 0.5 else f"+1 {a}-555-{n:04d}"

    def dob(self):
        r = self.r
        return f"{r.randrange(1940, 2006)}-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}"

    def dob_text(self):
        r = self.r
        k = r.random()
        y, m, d = r.randrange(1945, 2005), r.randrange(12), r.randrange(1, 29)
        if k < 0.4:
            return f"{d} {MONTHS_LONG[m]} {y}"
        if k < 0.7:
            return f"{d:02d}/{m + 1:02d}/{y}"
        return f"{y}-{m + 1:02d}-{d:02d}"

    def street(self):
        r = self.r
        return f"{r.randrange(1, 400)} {r.choice(self.streets)}"

    def place(self):
        r = self.r
        city, state, country, base = r.choice(PLACES)
        if country == "GB":
            pc = f"{r.choice(['SW1A', 'EC1A', 'M1', 'W1A', 'N1'])} {r.randrange(1, 10)}{r.choice('ABDEFGHJ')}{r.choice('LNPQRSTU')}"
        elif country == "CA":
            pc = f"M{r.randrange(1, 10)}{r.choice('ABCEGH')} {r.randrange(1, 10)}{r.choice('JKLMN')}{r.randrange(1, 10)}"
        else:
            pc = f"{base + r.randrange(0, 99):04d}" if country in ("AU", "NZ") else f"{base + r.randrange(0, 99):05d}"
        return city, state, country, pc

    def card(self):
        """A test card number: a published one, or a test IIN with a random body and Luhn digit."""
        r = self.r
        if r.random() < 0.2:
            s = r.choice(TEST_CARDS)
        else:
            iin, n = r.choice(TEST_IINS)
            body = iin + "%0*d" % (n - 7, r.randrange(10 ** (n - 7)))
            s = body + luhn_check_digit(body)
        k = r.random()
        if k < 0.6 or len(s) != 16:
            return s
        sep = " " if k < 0.85 else "-"
        return sep.join((s[0:4], s[4:8], s[8:12], s[12:16]))

    def tfn(self):
        """A 9-digit number passing the TFN weighted check (random, not anyone's)."""
        r = self.r
        w = (1, 4, 3, 7, 5, 8, 6, 9, 10)
        while True:
            ds = [r.randrange(10) for _ in range(8)]
            s = sum(a * b for a, b in zip(ds, w))
            for last in range(10):
                if (s + last * 10) % 11 == 0:
                    t = "".join(map(str, ds)) + str(last)
                    return f"{t[:3]} {t[3:6]} {t[6:]}"

    def nino(self):
        r = self.r
        return f"{r.choice('ABCEGHJKLMNPRSTWXYZ')}{r.choice('ABCEGHJKLMNPRSTWXYZ')} {r.randrange(100):02d} {r.randrange(100):02d} {r.randrange(100):02d} {r.choice('ABCD')}"

    def iban(self, spaced=None):
        r = self.r
        k = r.random()
        if k < 0.5:
            cc, bban = "GB", r.choice(["XMPL", "EXMP", "DEMO"]) + "%06d%08d" % (r.randrange(10**6), r.randrange(10**8))
        elif k < 0.8:
            cc, bban = "NL", r.choice(["XMPL", "EXMP", "DEMO"]) + "%010d" % r.randrange(10**10)
        else:
            cc, bban = "IE", r.choice(["XMPL", "EXMP", "DEMO"]) + "%06d%08d" % (r.randrange(10**6), r.randrange(10**8))
        s = cc + iban_check(cc, bban) + bban
        if spaced is None:
            spaced = r.random() < 0.5
        return " ".join(s[i:i + 4] for i in range(0, len(s), 4)) if spaced else s

    def ip(self):
        """IPv4 from TEST-NET or RFC 6598 shared space, or IPv6 from 2001:db8::/32."""
        r = self.r
        k = r.random()
        if k < 0.5:
            return f"{r.choice(('192.0.2', '198.51.100', '203.0.113'))}.{r.randrange(1, 255)}"
        if k < 0.85:
            return f"100.{r.randrange(64, 128)}.{r.randrange(256)}.{r.randrange(1, 255)}"
        return f"2001:db8:{r.getrandbits(16):x}:{r.getrandbits(16):x}::{r.getrandbits(16):x}"

    # --- look-alikes and ids ------------------------------------------------------------------
    def uuid(self):
        h = "%032x" % self.r.getrandbits(128)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"

    def hexid(self, n=40):
        return "%0*x" % (n, self.r.getrandbits(4 * n))

    def bcrypt(self):
        return "$2b$12$" + base64.b64encode(self.r.randbytes(40)).translate(B64)[:53].decode()

    def tracking(self):
        """A 16-digit tracking number that fails Luhn (a card look-alike)."""
        r = self.r
        body = "%015d" % r.randrange(10**14, 10**15)
        bad = chr(48 + (ord(luhn_check_digit(body)) - 48 + 1 + r.randrange(9)) % 10)
        return body + bad

    def epoch_ms(self):
        return int(self.t * 1000) + self.r.randrange(1000)

    def version4(self):
        r = self.r
        return f"{r.randrange(1, 12)}.{r.randrange(30)}.{r.randrange(10)}.{r.randrange(1, 9999)}"

    def caseref(self):
        """`ddd-dd-dddd`: the shape of an SSN, used as a case or RMA reference."""
        r = self.r
        return f"{r.randrange(100, 1000)}-{r.randrange(10, 100)}-{r.randrange(1000, 10000)}"

    def order_id(self):
        return f"ORD-{self.r.randrange(10**9, 10**10)}"

    # --- time ---------------------------------------------------------------------------------
    def tick(self, max_s=2.0):
        self.t += self.r.random() * max_s
        return self.t

    def _day(self, t):
        d = int(t // 86400)
        s = self._days.get(d)
        if s is None:
            tm = time.gmtime(d * 86400)
            s = (f"{tm.tm_year}-{tm.tm_mon:02d}-{tm.tm_mday:02d}",
                 f"{tm.tm_mday:02d}/{MONTHS[tm.tm_mon - 1]}/{tm.tm_year}")
            self._days[d] = s
        return s

    def hms(self, t):
        s = int(t % 86400)
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"

    def iso(self, t=None):
        t = self.t if t is None else t
        return f"{self._day(t)[0]}T{self.hms(t)}.{int(t * 1000) % 1000:03d}Z"

    def sqlts(self, t=None):
        t = self.t if t is None else t
        return f"{self._day(t)[0]} {self.hms(t)}"

    def past(self, days=900):
        """A timestamp up to `days` before the clock."""
        return self.t - self.r.random() * days * 86400

    def words(self, n):
        return " ".join(self.r.choices(WORDS, k=n))

    def sentence(self, lo=6, hi=18):
        s = self.words(self.r.randrange(lo, hi))
        return s[0].upper() + s[1:] + "."


# ----------------------------------------------------------------------------------------------
# Output


class Out:
    """Writes chunks of text to one file and counts its bytes."""

    def __init__(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.fh = open(path, "wb")
        self.size = 0

    def write(self, s):
        b = s.encode("utf-8")
        self.fh.write(b)
        self.size += len(b)

    def close(self):
        self.fh.close()
        return self.size


MB = 1 << 20


def file_sizes(g, budget, sizes_mb):
    """Splits `budget` bytes into file sizes drawn from `sizes_mb` (the last one takes the rest)."""
    out = []
    while budget > 0:
        s = min(budget, g.r.choice(sizes_mb) * MB)
        if budget - s < MB // 4:
            s = budget
        out.append(s)
        budget -= s
    return out


def lines_to(out, target, make, batch=500):
    """Appends `make(n)` chunks until the file reaches `target` bytes."""
    while out.size < target:
        out.write(make(batch))


# ----------------------------------------------------------------------------------------------
# Shapes


def ndjson_lines(g, n):
    r = g.r
    out = []
    for _ in range(n):
        g.tick(0.5)
        k = r.random()
        head = f'{{"ts":"{g.iso()}","ts_ms":{g.epoch_ms()},"request_id":"{g.uuid()}","trace":{{"trace_id":"{g.hexid(32)}","span_id":"{g.hexid(16)}"}},'
        if r.random() < 0.5:
            client = f'"client":{{"ip":"{g.ip()}","ua":"{r.choice(g.uas)}","app_version":"{g.version4()}"}}'
        else:  # server-side events: no client address
            client = f'"source":{{"service":"{r.choice(CODE_WORDS)}-svc","host":"ip-10-0-{r.randrange(256)}-{r.randrange(256)}","build":"{g.version4()}"}}'
        if k < 0.15:
            f, l = g.name()
            city, state, country, pc = g.place()
            out.append(
                f'{head}"event":"customer.updated","customer":{{"id":"{g.uuid()}","profile":{{"first_name":"{f}","last_name":"{l}",'
                f'"email":"{g.email(f, l)}","phone":"{g.phone()}","date_of_birth":"{g.dob()}"}},"address":{{"line1":"{g.street()}",'
                f'"city":"{city}","state":"{state}","postcode":"{pc}","country":"{country}"}},"marketing":{{"email":{r.choice(("true", "false"))},"sms":false}}}},{client}}}\n'
            )
        elif k < 0.35:
            f, l = g.name()
            city, state, country, pc = g.place()
            items = ",".join(
                f'{{"sku":"SKU-{r.randrange(10**6, 10**7)}","qty":{r.randrange(1, 5)},"price":{r.randrange(1, 300)}.{r.randrange(100):02d}}}'
                for _ in range(r.randrange(1, 4))
            )
            out.append(
                f'{head}"event":"order.created","order":{{"id":"{g.order_id()}","customer_id":"{g.uuid()}","items":[{items}],'
                f'"total":{r.randrange(5, 900)}.{r.randrange(100):02d},"currency":"AUD","shipping":{{"name":"{f} {l}","address":{{"line1":"{g.street()}",'
                f'"city":"{city}","postcode":"{pc}","country":"{country}"}},"carrier":"{r.choice(["auspost", "dhl", "ups"])}","tracking":"{g.tracking()}"}},'
                f'"payment":{{"method":"card","card":{{"brand":"visa","bin":"411111","last4":"{r.randrange(10000):04d}","exp":"{r.randrange(1, 13):02d}/{r.randrange(25, 31)}"}},"status":"authorised"}}}},{client}}}\n'
            )
        elif k < 0.48:
            f, l = g.name()
            out.append(
                f'{head}"event":"auth.login","user":{{"id":{r.randrange(10**6, 10**7)},"email":"{g.email(f, l)}","mfa":"{r.choice(["totp", "sms", "none"])}"}},'
                f'"result":"{r.choice(["ok", "ok", "ok", "bad_password"])}",{client}}}\n'
            )
        elif k < 0.53:
            out.append(
                f'{head}"event":"payment.captured","payment":{{"id":"pay_{g.hexid(24)}","order_id":"{g.order_id()}","amount":{r.randrange(1, 9999)}.{r.randrange(100):02d},'
                f'"card":{{"number":"{g.card()}","holder":"{" ".join(g.name())}"}},"gateway_ref":"{g.caseref()}"}},{client}}}\n'
            )
        else:
            out.append(
                f'{head}"event":"page.view","page":{{"path":"/products/{r.randrange(10**5, 10**6)}","referrer":"https://shop.example.com/c/{r.choice(CODE_WORDS)}",'
                f'"duration_ms":{r.randrange(1, 5000)},"experiments":{{"checkout_v2":"{r.choice("AB")}","build":"{g.version4()}"}}}},'
                f'"session":{{"id":"{g.hexid(32)}","started_ms":{g.epoch_ms() - r.randrange(10**7)}}},{client}}}\n'
            )
    return "".join(out)


def shape_ndjson(g, root, budget):
    for i, size in enumerate(file_sizes(g, budget, [6, 8, 12, 16, 24])):
        out = Out(os.path.join(root, f"events-{i:04d}.ndjson"))
        lines_to(out, size, lambda n: ndjson_lines(g, n))
        out.close()


CUSTOMER_HEADER = ("id,customer_uuid,first_name,last_name,email,phone,date_of_birth,street_address,city,state,postcode,"
                   "country,card_number,password_hash,last_order_id,created_at,updated_at,last_login_ip,last_user_agent,preferences\n")
CUSTOMER_TAGS = ["", "vip", "newsletter", "wholesale;net30", "newsletter;sms", "churn-risk", "vip;newsletter;b2b", "imported-2021"]


def customer_rows(g, i0, n):
    r = g.r
    out = []
    for i in range(i0, i0 + n):
        f, l = g.name()
        city, state, country, pc = g.place()
        created = g.past(1500)
        # Real exports have gaps: not everyone gave a phone, a birth date or a card.
        phone = g.phone() if r.random() < 0.6 else ""
        dob = g.dob() if r.random() < 0.6 else ""
        card = g.card() if r.random() < 0.3 else ""
        street = g.street()
        if r.random() < 0.15:
            street = f"Unit {r.randrange(1, 40)}, {street}"
        seen = r.random() < 0.6
        out.append(
            f'{i},{g.uuid()},{f},"{l}",{g.email(f, l)},{phone},{dob},"{street}",{city},{state},{pc},{country},'
            f"{card},{g.bcrypt()},{g.order_id()},{g.sqlts(created)},{g.sqlts(created + r.random() * 3e7)},"
            f'{g.ip() if seen else ""},"{r.choice(g.uas) if seen else ""}",'
            f'"{{""lang"":""{r.choice(("en-AU", "en-GB", "en-US", "fr-CA"))}"",""currency"":""AUD"",""tags"":""{r.choice(CUSTOMER_TAGS)}"",'
            f'""newsletter"":{r.choice(("true", "false"))},""theme"":""{r.choice(("light", "dark", "system"))}""}}"\n'
        )
    return "".join(out)


def shape_csv_customers(g, root, budget):
    for i, size in enumerate(file_sizes(g, budget, [4, 8, 16, 22])):
        out = Out(os.path.join(root, f"customers-export-{i:04d}.csv"))
        out.write(CUSTOMER_HEADER)
        row = [1]

        def make(n):
            s = customer_rows(g, row[0], n)
            row[0] += n
            return s

        lines_to(out, size, make)
        out.close()


ORDER_HEADER = ("order_id,customer_uuid,email,placed_at,placed_at_ms,sku,qty,unit_price,total,currency,status,carrier,"
                "tracking_number,shipping_name,shipping_phone,shipping_postcode,rma_ref,app_version,coupon\n")


def order_rows(g, n):
    r = g.r
    out = []
    for _ in range(n):
        g.tick(3)
        qty = r.randrange(1, 6)
        price = r.randrange(100, 50000)
        status = r.choice(["pending", "paid", "shipped", "shipped", "delivered", "refunded"])
        f, l = g.name()
        shipped = status in ("shipped", "delivered", "refunded")
        guest = r.random() < 0.2  # guest checkouts carry an email, account orders only the uuid
        out.append(
            f"{g.order_id()},{g.uuid()},{g.email(f, l) if guest else ''},{g.sqlts()},{g.epoch_ms()},SKU-{r.randrange(10**6, 10**7)},{qty},"
            f"{price // 100}.{price % 100:02d},{qty * price // 100}.{qty * price % 100:02d},AUD,{status},"
            f"{r.choice(['auspost', 'startrack', 'dhl', 'ups'])},{g.tracking() if shipped else ''},{f + ' ' + l if shipped else ''},"
            f"{g.phone() if shipped and r.random() < 0.15 else ''},{g.place()[3] if shipped else ''},{g.caseref() if status == 'refunded' else ''},"
            f"{g.version4()},{r.choice(['', '', '', 'SPRING10', 'VIP20', 'FREESHIP'])}\n"
        )
    return "".join(out)


def shape_csv_orders(g, root, budget):
    for i, size in enumerate(file_sizes(g, budget, [4, 8, 16])):
        out = Out(os.path.join(root, f"orders-{i:04d}.csv"))
        out.write(ORDER_HEADER)
        lines_to(out, size, lambda n: order_rows(g, n))
        out.close()


JAVA_PKGS = ["com.example.shop.checkout", "com.example.shop.customer", "com.example.payments.gateway",
             "com.example.auth", "com.example.shop.catalog", "com.example.notify"]
JAVA_CLASSES = ["OrderService", "ProfileService", "GatewayClient", "LoginController", "CartController",
                "InventoryRepository", "EmailSender", "SmsSender", "RefundWorker", "AddressValidator"]
FRAMEWORK_FRAMES = [
    "org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:885)",
    "org.springframework.web.servlet.DispatcherServlet.doDispatch(DispatcherServlet.java:1072)",
    "org.springframework.transaction.interceptor.TransactionInterceptor.invoke(TransactionInterceptor.java:119)",
    "org.springframework.aop.framework.ReflectiveMethodInvocation.proceed(ReflectiveMethodInvocation.java:184)",
    "org.hibernate.engine.jdbc.spi.SqlExceptionHelper.convert(SqlExceptionHelper.java:113)",
    "org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2713)",
    "com.zaxxer.hikari.pool.ProxyPreparedStatement.executeUpdate(ProxyPreparedStatement.java:61)",
    "org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)",
    "org.apache.tomcat.util.net.NioEndpoint$SocketProcessor.doRun(NioEndpoint.java:1744)",
    "java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)",
    "java.base/java.lang.Thread.run(Thread.java:840)",
    "io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(AbstractChannelHandlerContext.java:444)",
]
EXCEPTIONS = [
    ("java.lang.IllegalStateException", "Could not update profile for customer {cid} (email={email})"),
    ("org.springframework.dao.DataIntegrityViolationException", 'could not execute statement; constraint ["customers_email_key"]'),
    ("java.net.SocketTimeoutException", "Read timed out after 30000ms calling https://api.example.net/v2/charges"),
    ("com.example.payments.gateway.DeclinedException", "Card declined: do_not_honour (ref {ref})"),
    ("java.lang.NullPointerException", 'Cannot invoke "String.trim()" because "address.line2" is null'),
    ("com.fasterxml.jackson.core.JsonParseException", "Unexpected character ('<' (code 60)) at [Source: (String)\"<html>\"; line: 1, column: 1]"),
]


def app_log_lines(g, n):
    r = g.r
    out = []
    for _ in range(n):
        t = g.tick(0.3)
        head = f"{g._day(t)[0]} {g.hms(t)}.{int(t * 1000) % 1000:03d}"
        thread = f"http-nio-8080-exec-{r.randrange(1, 200)}"
        cls = f"{r.choice(JAVA_PKGS)}.{r.choice(JAVA_CLASSES)}"
        k = r.random()
        if k < 0.25:
            out.append(
                f"{head} INFO  [{thread}] {cls} - Order {g.order_id()} placed customer={g.uuid()} items={r.randrange(1, 6)} "
                f"total={r.randrange(5, 900)}.{r.randrange(100):02d} AUD traceId={g.hexid(16)} took={r.randrange(2, 900)}ms\n"
            )
        elif k < 0.50:
            f, l = g.name()
            out.append(f"{head} INFO  [{thread}] com.example.auth.LoginController - Login ok user={g.email(f, l)} ip={g.ip()} mfa=totp\n")
        elif k < 0.60:
            f, l = g.name()
            out.append(
                f"{head} WARN  [{thread}] com.example.auth.LoginController - Failed login for {g.email(f, l)} from {g.ip()} (attempt {r.randrange(1, 6)})\n"
            )
        elif k < 0.66:
            out.append(
                f"{head} DEBUG [scheduler-{r.randrange(1, 8)}] com.example.shop.catalog.CacheWarmer - warmed {r.randrange(10**5)} keys in "
                f"{r.randrange(10, 9000)}ms build={g.version4()} at={g.epoch_ms()}\n"
            )
        elif k < 0.74:
            f, l = g.name()
            out.append(
                f"{head} INFO  [{thread}] com.example.notify.SmsSender - SMS queued to {g.phone()} for {f} {l} template=delivery_update "
                f"tracking={g.tracking()}\n"
            )
        elif k < 0.80:
            out.append(
                f"{head} INFO  [kafka-consumer-{r.randrange(1, 12)}] com.example.shop.checkout.RefundWorker - refund {g.caseref()} "
                f"order={g.order_id()} amount={r.randrange(5, 300)}.{r.randrange(100):02d} status=done offset={r.randrange(10**9)}\n"
            )
        elif k < 0.90:
            out.append(
                f"{head} DEBUG [{thread}] org.hibernate.SQL - select c1_0.id,c1_0.email,c1_0.phone from customers c1_0 where c1_0.id=? "
                f"[{r.randrange(10**7)}]\n"
            )
        else:
            exc, msg = r.choice(EXCEPTIONS)
            f, l = g.name()
            msg = msg.format(cid=r.randrange(10**7), email=g.email(f, l), ref=g.caseref())
            frames = []
            pkg, cls_name = r.choice(JAVA_PKGS), r.choice(JAVA_CLASSES)
            for _ in range(r.randrange(3, 9)):
                frames.append(f"\tat {pkg}.{cls_name}.{r.choice(CODE_WORDS)}{r.choice(CODE_WORDS).title()}({cls_name}.java:{r.randrange(20, 900)})\n")
            frames.extend(f"\tat {fr}\n" for fr in r.choices(FRAMEWORK_FRAMES, k=r.randrange(8, 30)))
            cause = ""
            if r.random() < 0.5:
                cause = (
                    f"Caused by: org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint \"customers_email_key\"\n"
                    f"  Detail: Key (email)=({g.email(*g.name())}) already exists.\n"
                    + "".join(f"\tat {fr}\n" for fr in r.choices(FRAMEWORK_FRAMES, k=r.randrange(3, 10)))
                    + f"\t... {r.randrange(20, 90)} common frames omitted\n"
                )
            out.append(f"{head} ERROR [{thread}] {cls} - Request failed: {msg}\n{exc}: {msg}\n{''.join(frames)}{cause}")
    return "".join(out)


def shape_logs_app(g, root, budget):
    for i, size in enumerate(file_sizes(g, budget, [8, 16, 32])):
        out = Out(os.path.join(root, f"shop-api-{i:04d}.log"))
        lines_to(out, size, lambda n: app_log_lines(g, n))
        out.close()


def nginx_lines(g, n):
    r = g.r
    out = []
    for _ in range(n):
        t = g.tick(0.1)
        k = r.random()
        if k < 0.55:
            req = f"GET /api/v2/products/{r.randrange(10**6)}?page={r.randrange(50)}&sort={r.choice(CODE_WORDS)}"
        elif k < 0.70:
            req = f"GET /static/js/app.{g.hexid(8)}.js"
        elif k < 0.80:
            req = f"POST /api/v2/orders/{g.order_id()}/track?n={g.tracking()}"
        elif k < 0.88:
            f, l = g.name()
            req = f"GET /account/unsubscribe?email={g.email(f, l).replace('@', '%40')}&t={g.hexid(20)}"
        elif k < 0.93:
            req = f"GET /api/v2/customers/{g.uuid()}/addresses"
        else:
            req = f"GET /healthz?ts={g.epoch_ms()}"
        user = "-"
        if r.random() < 0.02:
            f, l = g.name()
            user = g.email(f, l, CORP_DOMAINS)
        xff = g.ip() if r.random() < 0.1 else "-"
        out.append(
            f'{g.ip()} - {user} [{g._day(t)[1]}:{g.hms(t)} +0000] "{req} HTTP/1.1" {r.choice((200, 200, 200, 200, 304, 404, 500))} '
            f'{r.randrange(100, 99999)} "https://shop.example.com/{r.choice(CODE_WORDS)}" "{r.choice(g.uas)}" {r.random():.3f} "{xff}"\n'
        )
    return "".join(out)


def shape_logs_nginx(g, root, budget):
    for i, size in enumerate(file_sizes(g, budget, [8, 16, 32])):
        out = Out(os.path.join(root, f"access-{i:04d}.log"))
        lines_to(out, size, lambda n: nginx_lines(g, n), batch=1000)
        out.close()


PG_HEADER = """--
-- PostgreSQL database dump
--

-- Dumped from database version 15.4 (Debian 15.4-2.pgdg120+1)
-- Dumped by pg_dump version 15.4 (Debian 15.4-2.pgdg120+1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET row_security = off;

"""

PG_TABLES = {
    "customers": ("id bigint NOT NULL, uuid uuid NOT NULL, full_name text, email text, phone text, date_of_birth date, "
                  "address_line1 text, city text, postcode text, password_hash text, created_at timestamp with time zone",
                  "id, uuid, full_name, email, phone, date_of_birth, address_line1, city, postcode, password_hash, created_at"),
    "orders": ("id bigint NOT NULL, order_ref text, customer_id bigint, placed_at timestamp with time zone, placed_at_ms bigint, "
               "total numeric(10,2), status text, tracking_number text, client_version text",
               "id, order_ref, customer_id, placed_at, placed_at_ms, total, status, tracking_number, client_version"),
    "payments": ("id bigint NOT NULL, order_id bigint, card_number text, card_holder text, amount numeric(10,2), gateway_ref text, "
                 "created_at timestamp with time zone",
                 "id, order_id, card_number, card_holder, amount, gateway_ref, created_at"),
    "audit_log": ("id bigint NOT NULL, actor_email text, action text, remote_addr inet, details jsonb, at timestamp with time zone",
                  "id, actor_email, action, remote_addr, details, at"),
}


def pg_rows(g, table, i0, n):
    r = g.r
    out = []
    for i in range(i0, i0 + n):
        g.tick(2)
        if table == "customers":
            f, l = g.name()
            city, _, _, pc = g.place()
            phone = g.phone() if r.random() < 0.8 else "\\N"
            out.append(f"{i}\t{g.uuid()}\t{f} {l}\t{g.email(f, l)}\t{phone}\t{g.dob()}\t{g.street()}\t{city}\t{pc}\t{g.bcrypt()}\t{g.sqlts(g.past())}+00\n")
        elif table == "orders":
            out.append(
                f"{i}\t{g.order_id()}\t{r.randrange(1, 10**6)}\t{g.sqlts()}+00\t{g.epoch_ms()}\t{r.randrange(5, 900)}.{r.randrange(100):02d}\t"
                f"{r.choice(['paid', 'shipped', 'refunded'])}\t{g.tracking()}\t{g.version4()}\n"
            )
        elif table == "payments":
            out.append(
                f"{i}\t{r.randrange(1, 10**7)}\t{g.card()}\t{' '.join(g.name()).upper()}\t{r.randrange(5, 900)}.{r.randrange(100):02d}\t"
                f"{g.caseref()}\t{g.sqlts()}+00\n"
            )
        else:
            f, l = g.name()
            details = (f'{{"field": "phone", "old": "{g.phone()}", "new": "{g.phone()}"}}' if r.random() < 0.4
                       else f'{{"session": "{g.hexid(24)}", "build": "{g.version4()}", "at_ms": {g.epoch_ms()}}}')
            out.append(f"{i}\t{g.email(f, l, CORP_DOMAINS)}\t{r.choice(['update', 'login', 'export', 'delete'])}\t{g.ip()}\t{details}\t{g.sqlts()}+00\n")
    return "".join(out)


# Share of a pg_dump file per table: customers dense, orders and payments medium, audit log mixed.
PG_SHARES = {"customers": 0.25, "orders": 0.40, "payments": 0.15, "audit_log": 0.20}


def shape_pgdump(g, root, budget):
    for i, size in enumerate(file_sizes(g, budget, [8, 16, 24])):
        out = Out(os.path.join(root, f"shop-{i:03d}.sql"))
        out.write(PG_HEADER)
        # As pg_dump lays it out: every CREATE TABLE, then one COPY block per table, then keys.
        for table, (cols, _) in PG_TABLES.items():
            out.write(f"CREATE TABLE public.{table} (\n    " + ",\n    ".join(cols.split(", ")) + "\n);\n\n")
            out.write(f"ALTER TABLE public.{table} OWNER TO shop;\n\n")
        for table, (_, names) in PG_TABLES.items():
            goal = out.size + int((size - out.size) * PG_SHARES[table] / sum(
                v for t, v in PG_SHARES.items() if list(PG_TABLES).index(t) >= list(PG_TABLES).index(table)))
            out.write(f"--\n-- Data for Name: {table}; Type: TABLE DATA; Schema: public; Owner: shop\n--\n\n"
                      f"COPY public.{table} ({names}) FROM stdin;\n")
            row = 1
            while out.size < goal:
                out.write(pg_rows(g, table, row, 500))
                row += 500
            out.write("\\.\n\n\n")
        for table in PG_TABLES:
            out.write(f"ALTER TABLE ONLY public.{table}\n    ADD CONSTRAINT {table}_pkey PRIMARY KEY (id);\n\n")
        out.write("\n--\n-- PostgreSQL database dump complete\n--\n\n")
        out.close()


MYSQL_HEADER = """-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: rewards
-- ------------------------------------------------------
-- Server version	8.0.36

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!50503 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
"""

MYSQL_TABLES = {
    "members": "`id` int NOT NULL, `member_no` varchar(12), `first_name` varchar(60), `last_name` varchar(60), `email` varchar(200), "
               "`phone` varchar(40), `dob` date, `joined_at` datetime, `tier` varchar(10), `notes` text",
    "transactions": "`id` bigint NOT NULL, `member_id` int, `amount` decimal(10,2), `currency` char(3), `merchant` varchar(80), "
                    "`card_last4` char(4), `reference` varchar(40), `created_at` datetime, `created_ms` bigint",
    "partner_payouts": "`id` int NOT NULL, `partner_name` varchar(120), `contact_email` varchar(200), `iban` varchar(34), "
                       "`amount` decimal(12,2), `paid_at` datetime, `reference` varchar(40)",
}


def mysql_tuple(g, table, i):
    r = g.r
    if table == "members":
        f, l = g.name()
        note = "NULL" if r.random() < 0.7 else f"'called on {g.phone()}, asked to update address'"
        return (f"({i},'MB{r.randrange(10**7, 10**8)}','{f}','{l.replace(chr(39), chr(92) + chr(39))}','{g.email(f, l)}','{g.phone()}',"
                f"'{g.dob()}','{g.sqlts(g.past())}','{r.choice(['gold', 'silver', 'bronze'])}',{note})")
    if table == "transactions":
        g.tick(5)
        return (f"({i},{r.randrange(1, 10**6)},{r.randrange(1, 900)}.{r.randrange(100):02d},'AUD','{r.choice(['Cafe Example', 'Example Fuel', 'Shop Example'])}',"
                f"'{r.randrange(10000):04d}','{g.tracking()}','{g.sqlts()}',{g.epoch_ms()})")
    f, l = g.name()
    return (f"({i},'{l.replace(chr(39), chr(92) + chr(39))} {r.choice(['Pty Ltd', 'Trading', 'Holdings'])}','{g.email(f, l)}','{g.iban(False)}',"
            f"{r.randrange(100, 99999)}.{r.randrange(100):02d},'{g.sqlts()}','{g.caseref()}')")


def write_mysqldump(key, path, size, line_bytes):
    """One mysqldump file of about `size` bytes whose INSERT lines are about `line_bytes` long.

    Each table's rows come from a generator seeded by (`key`, table) and stop at a budget of row
    bytes, so files written with the same key and size hold the same rows whatever the line
    length: only the cuts between INSERT lines move (what `--long-lines` compares)."""
    out = Out(path)
    out.write(MYSQL_HEADER)
    tables = list(MYSQL_TABLES)
    # Members take a quarter of the rows' bytes, transactions 60 %, partner payouts the rest.
    budgets = [size // 4, size * 3 // 5, size - size // 4 - size * 3 // 5]
    for table, tb in zip(tables, budgets):
        g = Gen(f"{key}/{table}")
        out.write(f"\nDROP TABLE IF EXISTS `{table}`;\nCREATE TABLE `{table}` ({MYSQL_TABLES[table]}, PRIMARY KEY (`id`)) "
                  f"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\nLOCK TABLES `{table}` WRITE;\n")
        i, done = 1, 0
        while done < tb:
            parts, n = [], 0
            while n < line_bytes and done + n < tb:
                t = mysql_tuple(g, table, i)
                i += 1
                parts.append(t)
                n += len(t) + 1
            done += n
            out.write(f"INSERT INTO `{table}` VALUES {','.join(parts)};\n")
        out.write("UNLOCK TABLES;\n")
    out.write("/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;\n\n-- Dump completed\n")
    return out.close()


# (INSERT line length, share of the mysqldump budget): several files, one with ~1 MiB lines.
MYSQL_FILES = [(64 << 10, 0.14), (96 << 10, 0.18), (160 << 10, 0.20), (256 << 10, 0.30), (1 << 20, 0.18)]


def shape_mysqldump(g, root, budget):
    os.makedirs(root, exist_ok=True)
    for i, (line, share) in enumerate(MYSQL_FILES):
        size = int(budget * share)
        if size > 0:
            write_mysqldump(f"{g.seed}/{i}", os.path.join(root, f"rewards-{i}-{line >> 10}k.sql"), size, line)


TICKET_QUEUES = [("SUP", "Customer Support"), ("HR", "People & Culture"), ("PAY", "Payroll")]


def ticket_text(g, tid):
    r = g.r
    prefix, queue = r.choice(TICKET_QUEUES)
    f, l = g.name()
    email = g.email(f, l)
    opened = g.tick(3600)
    parts = [
        f"Ticket: {prefix}-{r.randrange(2019, 2025)}-{tid:06d}\nQueue: {queue}\nStatus: {r.choice(['Open', 'Pending', 'Solved'])}\n"
        f"Opened: {g.sqlts(opened)} +1100\nRequester: {f} {l} <{email}>\nSubject: {g.sentence(3, 8)[:-1]}\n\n"
    ]
    for m in range(r.randrange(2, 9)):
        agent = m % 2 == 1
        who_f, who_l = g.name() if agent else (f, l)
        parts.append(f"--- {who_f} {who_l}{' (agent)' if agent else ''}, {g.sqlts(opened + m * 5400)} ---\n")
        parts.append(f"{'Hi' if agent else 'Hello'} {f if agent else 'team'},\n\n")
        for _ in range(r.randrange(1, 5)):
            sents = [g.sentence() for _ in range(r.randrange(2, 7))]
            k = r.random()
            if not agent and k < 0.5:
                pii = r.choice([
                    lambda: f"My new mobile is {g.phone()}, please update it.",
                    lambda: f"I have moved to {g.street()}, {g.place()[0]} so please send the card there.",
                    lambda: f"I was born on {g.dob_text()} if you need to check my identity.",
                    lambda: f"You can also email me at {g.email(f, l)} or call {g.phone()}.",
                    lambda: f"My tax file number is {g.tfn()} and my payroll id is E{r.randrange(10**5, 10**6)}.",
                    lambda: f"Please pay my salary into IBAN {g.iban(True)} from next month.",
                    lambda: f"My national insurance number is {g.nino()}.",
                    lambda: f"The card I used was {g.card()} and it was charged twice.",
                ])()
                sents.insert(r.randrange(len(sents) + 1), pii)
            elif k < 0.75:
                look = r.choice([
                    lambda: f"Case reference {g.caseref()} was created for this.",
                    lambda: f"The tracking number is {g.tracking()} and order {g.order_id()}.",
                    lambda: f"The app says version {g.version4()} and the error code was {g.epoch_ms()}.",
                    lambda: f"I paid {r.randrange(10, 900)}.{r.randrange(100):02d} on {g.sqlts(opened)}.",
                ])()
                sents.insert(r.randrange(len(sents) + 1), look)
            parts.append(" ".join(sents) + "\n\n")
        if agent:
            parts.append(f"Kind regards,\n{who_f}\n{queue}, Example Pty Ltd | {g.phone()}\n\n")
        else:
            parts.append(f"Thanks,\n{f}\n" + (f"Mobile: {g.phone()}\n\n" if r.random() < 0.5 else "\n"))
    return "".join(parts)


def shape_tickets(g, root, budget):
    written, i = 0, 0
    r = g.r
    while written < budget:
        size = min(int(4096 * 32 ** r.random()), budget - written)  # 4-128 KiB, log-uniform
        month = f"{2023 + i // 400}-{(i // 40) % 12 + 1:02d}"
        out = Out(os.path.join(root, month, f"ticket-export-{i:05d}.txt"))
        t = 0
        while out.size < size:
            t += 1
            out.write(ticket_text(g, i * 100 + t))
        written += out.close()
        i += 1


def src_python(g, n):
    r = g.r
    out = []
    for _ in range(n):
        w1, w2, w3 = r.choices(CODE_WORDS, k=3)
        k = r.random()
        if k < 0.35:
            out.append(
                f"\ndef {w1}_{w2}_{r.randrange(100)}(self, {w3}, retries={r.randrange(1, 6)}):\n"
                f'    """{g.sentence(4, 12)}"""\n    {w3} = self.{w2}.get({w3}, {r.randrange(1000)})\n'
                f"    if {w3} is None or len({w3}) > {r.randrange(10, 5000)}:\n        raise ValueError(\"bad {w3}: %r\" % ({w3},))\n"
                f"    return {{\"{w1}\": {w3}, \"version\": \"{g.version4()}\"}}\n"
            )
        elif k < 0.55:
            out.append(f"    # {g.sentence(5, 16)}\n    {w1}_{w2} = {w3}[{r.randrange(64)}:{r.randrange(64, 256)}]\n")
        elif k < 0.70:
            out.append(f'{w1.upper()}_{w2.upper()}_SHA = "{g.hexid(64)}"\n{w1.upper()}_ID = "{g.uuid()}"\n')
        elif k < 0.85:
            out.append(f"    assert {w1}.{w2}({r.randrange(10**6)}) == {r.randrange(10**9)}, \"{g.words(4)}\"\n")
        else:
            f, l = g.name()
            out.append(f'    ("{g.email(f, l)}", "{g.phone()}", "{g.ip()}"),  # fixture: {f} {l}\n')
    return "".join(out)


def src_java(g, n):
    r = g.r
    out = []
    for _ in range(n):
        w1, w2, w3 = r.choices(CODE_WORDS, k=3)
        k = r.random()
        if k < 0.4:
            out.append(
                f"\n    /** {g.sentence(4, 12)} */\n    public {w1.title()}Result {w2}{w3.title()}(final String {w3}, int limit) {{\n"
                f"        if (limit > {r.randrange(10, 10**5)}) {{\n            throw new IllegalArgumentException(\"limit \" + limit);\n        }}\n"
                f"        log.debug(\"{w2} {{}} took {{}}ms\", {w3}, System.currentTimeMillis() - {g.epoch_ms()}L);\n"
                f"        return {w1}Repository.findBy{w3.title()}({w3}).orElseThrow();\n    }}\n"
            )
        elif k < 0.65:
            out.append(f"        // {g.sentence(5, 14)}\n        final long {w1}{w2.title()} = {r.randrange(10**12)}L;\n")
        elif k < 0.85:
            out.append(f'    private static final String {w1.upper()}_{w2.upper()} = "{g.hexid(40)}";\n')
        else:
            f, l = g.name()
            out.append(f'        customers.add(new Customer("{f} {l}", "{g.email(f, l)}", "{g.phone()}"));\n')
    return "".join(out)


def src_go(g, n):
    r = g.r
    out = []
    for _ in range(n):
        w1, w2, w3 = r.choices(CODE_WORDS, k=3)
        k = r.random()
        if k < 0.45:
            out.append(
                f"\n// {w1.title()}{w2.title()} {g.sentence(4, 10)}\nfunc {w1.title()}{w2.title()}(ctx context.Context, {w3} string) (*{w1.title()}, error) {{\n"
                f"\tif len({w3}) > {r.randrange(10, 4096)} {{\n\t\treturn nil, fmt.Errorf(\"{w3} too long: %d\", len({w3}))\n\t}}\n"
                f"\treturn s.{w2}.Get(ctx, {w3}, {r.randrange(1000)})\n}}\n"
            )
        elif k < 0.7:
            out.append(f'\t{w1}{w2.title()} := "{g.uuid()}" // {g.words(5)}\n')
        elif k < 0.9:
            out.append(f'\t{{name: "{w1} {w2}", in: "{g.version4()}", want: {r.randrange(10**6)}}},\n')
        else:
            f, l = g.name()
            out.append(f'\t{{Email: "{g.email(f, l)}", IP: "{g.ip()}", Phone: "{g.phone()}"}},\n')
    return "".join(out)


def src_ts(g, n):
    r = g.r
    out = []
    for _ in range(n):
        w1, w2, w3 = r.choices(CODE_WORDS, k=3)
        k = r.random()
        if k < 0.45:
            out.append(
                f"\nexport async function {w1}{w2.title()}({w3}: string, opts: {{ retries?: number }} = {{}}): Promise<{w1.title()}> {{\n"
                f"  const res = await fetch(`/api/v2/{w1}/${{{w3}}}?v={g.version4()}`);\n"
                f"  if (!res.ok) throw new Error(`{w2} failed: ${{res.status}}`);\n  return (await res.json()) as {w1.title()};\n}}\n"
            )
        elif k < 0.7:
            out.append(f"  // {g.sentence(5, 14)}\n  const {w1}{w2.title()}Ms = {g.epoch_ms()};\n")
        elif k < 0.9:
            out.append(f'  {w1}: "{g.hexid(32)}",\n')
        else:
            f, l = g.name()
            out.append(f'  {{ name: "{f} {l}", email: "{g.email(f, l)}", phone: "{g.phone()}" }},\n')
    return "".join(out)


def src_rust(g, n):
    r = g.r
    out = []
    for _ in range(n):
        w1, w2, w3 = r.choices(CODE_WORDS, k=3)
        k = r.random()
        if k < 0.45:
            out.append(
                f"\n/// {g.sentence(4, 12)}\npub fn {w1}_{w2}({w3}: &str) -> Result<u64, Error> {{\n"
                f"    if {w3}.len() > {r.randrange(10, 4096)} {{\n        return Err(Error::TooLong({w3}.len()));\n    }}\n"
                f"    Ok({w3}.bytes().map(u64::from).sum::<u64>() % {r.randrange(2, 10**6)})\n}}\n"
            )
        elif k < 0.7:
            out.append(f"    // {g.sentence(5, 14)}\n    let {w1}_{w2} = {w3}.get({r.randrange(1000)}).copied().unwrap_or_default();\n")
        elif k < 0.9:
            out.append(f'    assert_eq!(version(), "{g.version4()}");\n')
        else:
            f, l = g.name()
            out.append(f'    ("{g.email(f, l)}", "{g.ip()}"), // {f} {l}\n')
    return "".join(out)


SOURCE_LANGS = [("py", src_python, "import os\nimport json\n\n"), ("java", src_java, "package com.example.shop;\n\nimport java.util.*;\n\npublic class Gen {\n"),
                ("go", src_go, "package shop\n\nimport (\n\t\"context\"\n\t\"fmt\"\n)\n"), ("ts", src_ts, "import { z } from \"zod\";\n\n"),
                ("rs", src_rust, "//! Generated module.\n\nuse crate::Error;\n")]


def shape_source(g, root, budget):
    r = g.r
    written, i = 0, 0
    while written < budget:
        ext, gen, head = SOURCE_LANGS[i % len(SOURCE_LANGS)]
        size = min(int(1024 * 64 ** r.random()), budget - written)  # 1-64 KiB, log-uniform
        name = f"{r.choice(CODE_WORDS)}_{r.choice(CODE_WORDS)}_{i:05d}.{ext}"
        out = Out(os.path.join(root, f"svc-{i % 23:02d}", f"pkg{i // 23 % 40:02d}", name))
        out.write(head)
        while out.size < size:
            out.write(gen(g, 8))
        if ext == "java":
            out.write("}\n")
        written += out.close()
        i += 1


# (directory, share of TOTAL_MB, writer)
SHAPES = [
    ("ndjson", 17, shape_ndjson),
    ("csv-customers", 15, shape_csv_customers),
    ("csv-orders", 10, shape_csv_orders),
    ("logs-app", 13, shape_logs_app),
    ("logs-nginx", 10, shape_logs_nginx),
    ("pgdump", 12, shape_pgdump),
    ("mysqldump", 8, shape_mysqldump),
    ("tickets", 7, shape_tickets),
    ("source", 5, shape_source),
]


def arg(args, flag, default=None):
    if flag in args:
        i = args.index(flag)
        if i + 1 >= len(args):
            sys.exit(f"gencorpus.py: {flag} needs a value")
        return args[i + 1]
    return default


def main():
    args = sys.argv[1:]
    pos = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] not in ("--seed", "--one-file", "--line-kib"))]
    if len(pos) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    out, total_mb = pos[0], float(pos[1])
    seed = int(arg(args, "--seed", 42))
    if "--accents" in args:
        FIRST.extend(ACCENTED_FIRST)
        LAST.extend(ACCENTED_LAST)
    os.makedirs(out, exist_ok=True)
    if "--one-file" in args:
        mb = float(arg(args, "--one-file"))
        write_mysqldump(f"{seed}/one-file", os.path.join(out, "big-dump.sql"), int(mb * MB), 16 << 10)
        return
    total = int(total_mb * MB)
    if "--long-lines" in args:
        kibs = [int(x) for x in arg(args, "--line-kib", "16,64,256,1024").split(",")]
        for kib in kibs:
            name = f"mysqldump-{kib:05d}k"  # zero-padded: directories sort by line length
            # The same key and size: the same rows, cut into lines of each length.
            write_mysqldump(f"{seed}/long-lines", os.path.join(out, name, "rewards.sql"), total // len(kibs), kib << 10)
        return
    whole = sum(s for _, s, _ in SHAPES)
    for name, share, writer in SHAPES:
        writer(Gen(f"{seed}/{name}"), os.path.join(out, name), total * share // whole)


if __name__ == "__main__":
    main()
