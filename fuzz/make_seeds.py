#!/usr/bin/env python3
"""Writes small seed corpora for piiscan's fuzz targets into fuzz/corpus/<target>/.

Generated, not committed: run once before `cargo fuzz run`. Every value is a reserved or
published test value (example.com, ACMA's fictional mobile range, a test card number).
"""
import gzip, io, os, struct, tarfile, zipfile, bz2, lzma

HERE = os.path.dirname(os.path.abspath(__file__))
TICKET = (b"Ticket 4471\nCustomer email: olivia.testperson@example.com\n"
          b"Mobile: 0491 570 156\nDOB: 12/03/1985\nCard 4111 1111 1111 1111\nIP 203.0.113.77\n")
CSV = b"name,email,phone,dob\nOlivia Testperson,olivia.testperson@example.com,0491 570 156,1985-03-12\n"
JSON = (b'[{"name": "Olivia Testperson", "contact": {"email": "olivia.testperson@example.com",'
        b' "phone": ["0491 570 156"]}, "tfn": "123 456 782"}]')
NDJSON = b'{"email": "a@example.com"}\n{"email": "b@example.com", "n": [1, 2.5e3, null, true]}\n'
SQL = (b"-- MySQL dump 10.13\nCREATE TABLE `users` (`id` int, `email` varchar(255));\n"
       b"INSERT INTO `users` VALUES (1,'olivia.testperson@example.com'),(2,'x\\'y');\n"
       b"COPY public.people (id, email, phone) FROM stdin;\n1\tolivia.testperson@example.com\t0491 570 156\n\\.\n")


def utf16(s, bom=True, be=False):
    enc = s.decode().encode("utf-16-be" if be else "utf-16-le")
    return ((b"\xfe\xff" if be else b"\xff\xfe") if bom else b"") + enc


def zipped(members):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return b.getvalue()


def tarred(members):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return b.getvalue()


def write(target, name, data, prefix=b""):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(prefix + data)


def main():
    # decode and archive take a chunk-size prefix: byte 0 = number of size bytes that follow.
    for name, data in [("utf8", TICKET), ("bom8", b"\xef\xbb\xbf" + TICKET),
                       ("u16le", utf16(TICKET)), ("u16be", utf16(TICKET, be=True)),
                       ("u16nobom", utf16(TICKET, bom=False)), ("latin1", b"J\xfcrgen, caf\xe9\n" + TICKET),
                       ("binary", b"\x7fELF\x02\x01\x00\x00" + TICKET)]:
        write("decode", name, data, prefix=b"\x00")
        write("decode", name + "-chunked", data, prefix=b"\x03\x01\x07\x40")
    for sel, data in [(0, CSV), (1, CSV.replace(b",", b"\t")), (2, CSV.replace(b",", b";")),
                      (3, CSV.replace(b",", b"|")), (0, b'a,"b ""q"" c",d\n1,"multi\nline",3\n')]:
        write("csv", f"csv{sel}-{len(data)}", bytes([sel]) + data)
    for sel, data in [(0, JSON), (1, NDJSON), (0, b'{"a": "\\u00e9\\ud83d\\ude00", "b": [[[[{}]]]]}')]:
        write("json", f"json{sel}-{len(data)}", bytes([sel]) + data)
    write("sql", "dump", b"\x05" + SQL)
    for i, data in enumerate([TICKET, CSV, JSON, NDJSON, SQL, b"From: a@example.com\nSubject: x\n\nhi 0491 570 156\n",
                              b"ts=1 level=info email=a@example.com\nts=2 level=warn user=b\n"]):
        write("formats", f"f{i}", bytes([i]) + data)
    for i, data in enumerate([TICKET, b"TFN: 123 456 782 IBAN GB82 WEST 1234 5698 7654 32", CSV]):
        write("engine", f"e{i}", bytes([i]) + data)
    archives = {
        "gz": gzip.compress(TICKET), "bz2": bz2.compress(CSV), "xz": lzma.compress(JSON),
        "zip": zipped([("dir/a.csv", CSV), ("b.txt", TICKET), ("empty/", b"")]),
        "tar": tarred([("a.csv", CSV), ("../x.txt", TICKET)]),
        "tgz": gzip.compress(tarred([("inner.zip", zipped([("c.json", JSON)]))])),
        "zipzip": zipped([("in.zip", zipped([("in.tar", tarred([("t.txt", TICKET)]))]))]),
    }
    for name, data in archives.items():
        write("archive", name, data, prefix=b"\x00")
        write("archive", name + "-chunked", data, prefix=b"\x02\x05\xff")


if __name__ == "__main__":
    main()
