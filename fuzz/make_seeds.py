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


def biff(typ, data):
    return struct.pack("<HH", typ, len(data)) + data


def xls_stream(rows):
    """A BIFF8 Workbook stream: globals (BOF, one BoundSheet8, EOF), then one sheet of Labels."""
    bof = lambda dt: biff(0x0809, struct.pack("<HHHH", 0x0600, dt, 0x0DBB, 0x07CC) + bytes(4) + struct.pack("<I", 6))
    eof = biff(0x000A, b"")
    sheet = bof(0x0010)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            sheet += biff(0x0204, struct.pack("<HHHH", r, c, 0, len(text)) + b"\x00" + text)
    sheet += eof
    name = b"Customers"
    globals_len = len(bof(0x0005)) + 4 + 8 + len(name) + len(eof)
    bound = struct.pack("<I", globals_len) + bytes([0, 0, len(name), 0]) + name
    return bof(0x0005) + biff(0x0085, bound) + eof + sheet


def compound_file(stream):
    """A version-3 OLE2 compound file (512-byte sectors) holding `stream` as /Workbook: FAT in
    sector 0, directory in sector 1, the stream from sector 2 (padded to 4096 bytes so it lives
    in regular sectors, not the mini stream)."""
    end, free = 0xFFFFFFFE, 0xFFFFFFFF
    stream = stream + bytes(max(0, 4096 - len(stream)))
    n = (len(stream) + 511) // 512
    header = (bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat = [0xFFFFFFFD, end] + [3 + i for i in range(n - 1)] + [end]
    fat_sector = b"".join(struct.pack("<I", v) for v in fat + [free] * (128 - len(fat)))

    def entry(name, typ, child, start, size):
        u = name.encode("utf-16-le") + b"\x00\x00" if name else b""
        return (u.ljust(64, b"\x00") + struct.pack("<HBB", len(u), typ, 1)
                + struct.pack("<III", free, free, child) + bytes(16 + 4 + 16)
                + struct.pack("<IQ", start, size))
    dirs = (entry("Root Entry", 5, 1, end, 0) + entry("Workbook", 2, free, 2, len(stream))
            + entry("", 0, free, 0, 0) * 2)
    return header + fat_sector + dirs + stream.ljust(n * 512, b"\x00")


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
    rows = [[b"name", b"email", b"mobile"], [b"Olivia Testperson", b"olivia.testperson@example.com", b"0491 570 156"]]
    write("workbook", "stream", xls_stream(rows), prefix=b"\x01")
    write("workbook", "file", compound_file(xls_stream(rows)), prefix=b"\x00")
    for name, data in archives.items():
        write("archive", name, data, prefix=b"\x00")
        write("archive", name + "-chunked", data, prefix=b"\x02\x05\xff")


if __name__ == "__main__":
    main()
