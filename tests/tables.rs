//! Table files through the real binary: SQLite databases made by the test with `rusqlite` (on
//! disk and inside a zip, so both the in-place and the spooled path are used), a truncated
//! database that must fail alone, and a minimal xlsx written part by part with the `zip` crate.
//! Each test asserts path, line (row), field and kind of parsed JSONL findings.

use std::io::Write;
use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::*;

/// Asserts a finding of `kind` whose path ends with `path`, on `line`, with `field`.
fn assert_found(findings: &[Value], path: &str, line: u64, field: &str, kind: &str) {
    assert!(
        findings.iter().any(|f| {
            f["path"].as_str().is_some_and(|p| p.ends_with(path))
                && f["line"] == line
                && f["field"] == field
                && f["kind"] == kind
        }),
        "no {kind} at {path}:{line} field {field}; got {findings:#?}"
    );
}

/// A `customers` table (three rows) and a `notes` table (one row) in a new database at `path`.
fn make_db(path: &Path, extra_rows: usize) {
    let db = rusqlite::Connection::open(path).unwrap();
    db.execute_batch(
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT, phone TEXT, \
         date_of_birth TEXT, balance REAL);
         INSERT INTO customers VALUES
           (1, 'Ann Example', 'ann@example.com', '0491 570 156', '1980-04-12', 10.5),
           (2, 'Bob Example', 'bob@example.com', '0491 570 157', '1975-11-30', NULL),
           (3, 'Cat Example', NULL, '0491 570 158', '1990-01-02', 0);
         CREATE TABLE notes (body TEXT);
         INSERT INTO notes VALUES ('call back dee@example.com');
         CREATE VIEW emails AS SELECT email FROM customers;",
    )
    .unwrap();
    let pad = "x".repeat(500);
    for i in 0..extra_rows {
        db.execute("INSERT INTO notes VALUES (?1)", [format!("{pad} {i}")])
            .unwrap();
    }
}

fn scan_ok(dir: &Path) -> Vec<Value> {
    let run = scan_jsonl(dir, &[]);
    assert_eq!(run.code, 1, "stderr: {}", run.stderr);
    run.jsonl()
}

#[test]
fn sqlite_tables_give_table_column_fields_and_row_lines() {
    let dir = TempDir::new().unwrap();
    // A lying extension: the header decides.
    make_db(&dir.path().join("crm.txt"), 0);
    let f = scan_ok(dir.path());
    assert_found(&f, "crm.txt", 1, "customers.email", "email");
    assert_found(&f, "crm.txt", 2, "customers.email", "email");
    assert_found(&f, "crm.txt", 3, "customers.phone", "phone");
    assert_found(&f, "crm.txt", 1, "customers.date_of_birth", "date_of_birth");
    assert_found(&f, "crm.txt", 1, "notes.body", "email");
    // The view is not scanned again: one finding per stored email.
    let emails = of_kind(&f, "email");
    assert_eq!(emails.len(), 3, "{emails:#?}");
    // The column is the 1-based byte offset inside the value.
    for x in &f {
        let want = if x["field"] == "notes.body" { 11 } else { 1 };
        assert_eq!(x["column"], want, "{x:#}");
    }
}

#[test]
fn sqlite_inside_a_zip_is_spooled_and_scanned() {
    let dir = TempDir::new().unwrap();
    let db_path = dir.path().join("crm.db");
    make_db(&db_path, 0);
    let bytes = std::fs::read(&db_path).unwrap();
    std::fs::remove_file(&db_path).unwrap();
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    w.start_file("backup/crm.db", zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(&bytes).unwrap();
    write(dir.path(), "bundle.zip", w.finish().unwrap().into_inner());
    let f = scan_ok(dir.path());
    assert_found(
        &f,
        "bundle.zip!backup/crm.db",
        2,
        "customers.email",
        "email",
    );
}

#[test]
fn truncated_sqlite_fails_alone() {
    let dir = TempDir::new().unwrap();
    let good = dir.path().join("good.db");
    make_db(&good, 200);
    let bytes = std::fs::read(&good).unwrap();
    assert!(bytes.len() > 8192);
    write(dir.path(), "broken.db", &bytes[..bytes.len() / 3]);
    let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0]["path"].as_str().unwrap().ends_with("broken.db"));
    let reason = errors[0]["reason"].as_str().unwrap();
    assert!(!reason.contains("@example.com"), "{reason}");
    let findings = report["findings"].as_array().unwrap();
    assert_found(findings, "good.db", 1, "customers.email", "email");
}

/// A minimal xlsx: one sheet `Customers` with a header row and two data rows of inline strings.
fn tiny_xlsx() -> Vec<u8> {
    let row = |r: u32, cells: &[&str]| {
        let cols = ["A", "B", "C"];
        let cs: String = cells
            .iter()
            .zip(cols)
            .map(|(v, c)| format!(r#"<c r="{c}{r}" t="inlineStr"><is><t>{v}</t></is></c>"#))
            .collect();
        format!(r#"<row r="{r}">{cs}</row>"#)
    };
    xlsx_with(&format!(
        "{}{}{}",
        row(1, &["name", "email", "mobile"]),
        row(2, &["Ann Example", "ann@example.com", "0491 570 156"]),
        row(3, &["Bob Example", "bob@example.com", "0491 570 157"]),
    ))
}

/// An xlsx whose one sheet, `Customers`, holds `sheet_data` (the `<row>` elements).
fn xlsx_with(sheet_data: &str) -> Vec<u8> {
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet_data}</sheetData></worksheet>"#
    );
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_string(),
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_string(),
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>"#.to_string(),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#.to_string(),
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in parts {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn xlsx_sheets_give_sheet_header_fields_and_row_lines() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "book.xlsx", tiny_xlsx());
    let f = scan_ok(dir.path());
    assert_found(&f, "book.xlsx", 2, "Customers.email", "email");
    assert_found(&f, "book.xlsx", 3, "Customers.email", "email");
    assert_found(&f, "book.xlsx", 3, "Customers.mobile", "phone");
    // Read as a workbook, not as XML members.
    assert!(
        f.iter()
            .all(|x| x["path"].as_str().is_some_and(|p| p.ends_with("book.xlsx"))),
        "{f:#?}"
    );
}

#[test]
fn corrupt_xlsx_fails_alone() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "good.xlsx", tiny_xlsx());
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for name in ["[Content_Types].xml", "xl/workbook.xml"] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(b"<not a workbook eve@example.com").unwrap();
    }
    write(dir.path(), "broken.xlsx", w.finish().unwrap().into_inner());
    let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0]["path"].as_str().unwrap().ends_with("broken.xlsx"));
    assert!(
        !errors[0]["reason"]
            .as_str()
            .unwrap()
            .contains("@example.com")
    );
    let findings = report["findings"].as_array().unwrap();
    assert_found(findings, "good.xlsx", 2, "Customers.email", "email");
}

/// One ODS table row: an empty string is an empty cell, a number a float cell, anything else a
/// string cell.
fn ods_row(cells: &[&str]) -> String {
    let cs: String = cells
        .iter()
        .map(|v| {
            if v.is_empty() {
                "<table:table-cell/>".to_string()
            } else if v.parse::<f64>().is_ok() {
                format!(r#"<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>"#)
            } else {
                format!(r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#)
            }
        })
        .collect();
    format!("<table:table-row>{cs}</table:table-row>")
}

/// A minimal OpenDocument spreadsheet written part by part with the `zip` crate: `mimetype`
/// (stored, first, as ODF requires), a manifest and `content.xml` with two sheets: `Customers`
/// (a text header row, then two data rows) and `Log` (no text header: its first row starts with
/// a number).
fn tiny_ods() -> Vec<u8> {
    let customers = [
        ods_row(&["name", "email", "mobile"]),
        ods_row(&["Ann Example", "ann@example.com", "0491 570 156"]),
        ods_row(&["Bob Example", "", "0491 570 157"]),
    ]
    .concat();
    let log = [
        ods_row(&["4471", "call back cat@example.com"]),
        ods_row(&["4472", "dee@example.com wrote"]),
    ]
    .concat();
    ods_with(&format!(
        r#"<table:table table:name="Customers">{customers}</table:table><table:table table:name="Log">{log}</table:table>"#
    ))
}

/// An ods workbook whose spreadsheet body is `tables` (the `<table:table>` elements).
fn ods_with(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file("mimetype", stored).unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    for (name, body) in [
        ("META-INF/manifest.xml", manifest.to_string()),
        ("content.xml", content),
    ] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn ods_sheets_give_sheet_header_fields_and_row_lines() {
    let dir = TempDir::new().unwrap();
    // A lying extension: the zip's `mimetype` member decides.
    write(dir.path(), "export.bin", tiny_ods());
    let f = scan_ok(dir.path());
    assert_found(&f, "export.bin", 2, "Customers.email", "email");
    assert_found(&f, "export.bin", 2, "Customers.mobile", "phone");
    assert_found(&f, "export.bin", 3, "Customers.mobile", "phone");
    // No text header row on `Log`: fields are column letters and row 1 is data.
    assert_found(&f, "export.bin", 1, "Log.B", "email");
    assert_found(&f, "export.bin", 2, "Log.B", "email");
    // One email in Customers (row 3's is an empty cell) and two in Log.
    assert_eq!(of_kind(&f, "email").len(), 3, "{f:#?}");
    let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
    let report = run.json();
    assert_eq!(report["inputs"][0]["format"], "ods", "{report:#}");
}

/// The rows of the xls and xlsb fixtures: a header row, then two customers. Written at Excel
/// row 2 onwards (0-based row 1), so `line` must carry the sheet's offset.
const BOOK_ROWS: [[&str; 3]; 3] = [
    ["name", "email", "mobile"],
    ["Ann Example", "ann@example.com", "0491 570 156"],
    ["Bob Example", "bob@example.com", "0491 570 157"],
];

/// One BIFF8 record: type, length, data (MS-XLS 2.1.4).
fn biff(typ: u16, data: &[u8]) -> Vec<u8> {
    let len = u16::try_from(data.len()).unwrap();
    [&typ.to_le_bytes()[..], &len.to_le_bytes(), data].concat()
}

/// A minimal BIFF8 xls: an OLE2 compound file (written with the `cfb` crate) whose `Workbook`
/// stream holds the globals substream (BOF, one BoundSheet8, EOF) and one worksheet substream
/// (BOF, a Label record per cell of [`BOOK_ROWS`], EOF). Strings are 8-bit (fHighByte = 0).
fn tiny_xls() -> Vec<u8> {
    tiny_xls_with(&[])
}

/// [`tiny_xls`] with `records` placed right after the worksheet's BOF.
fn tiny_xls_with(records: &[u8]) -> Vec<u8> {
    // BOF: BIFF8 (0x0600), substream type, build/year, file history flags, lowest version.
    let bof = |dt: u16| {
        let d = [0x0600u16, dt, 0x0DBB, 0x07CC];
        let mut data: Vec<u8> = d.iter().flat_map(|x| x.to_le_bytes()).collect();
        data.extend([0u8; 4]);
        data.extend(6u32.to_le_bytes());
        biff(0x0809, &data)
    };
    let eof = biff(0x000A, &[]);
    let mut sheet = bof(0x0010);
    sheet.extend(records);
    for (r, row) in BOOK_ROWS.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            // Label: row, column, XF index, then XLUnicodeString (cch, fHighByte, chars).
            let mut data = Vec::new();
            for x in [r as u16 + 1, c as u16, 0, text.len() as u16] {
                data.extend(x.to_le_bytes());
            }
            data.push(0);
            data.extend(text.as_bytes());
            sheet.extend(biff(0x0204, &data));
        }
    }
    sheet.extend(&eof);
    let name = b"Customers";
    // BoundSheet8: stream offset of the sheet's BOF, visible worksheet, ShortXLUnicodeString.
    let globals_len = bof(0x0005).len() + (4 + 8 + name.len()) + eof.len();
    let mut bound = (globals_len as u32).to_le_bytes().to_vec();
    bound.extend([0, 0, name.len() as u8, 0]);
    bound.extend(name);
    let stream = [bof(0x0005), biff(0x0085, &bound), eof, sheet].concat();
    assert_eq!(stream[globals_len..][..2], [0x09, 0x08]);
    let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    let mut s = cf.create_stream("/Workbook").unwrap();
    s.write_all(&stream).unwrap();
    s.flush().unwrap();
    drop(s);
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

/// One xlsb record (MS-XLSB 2.1.4): type and length as 7-bit varints, then data.
fn xlsb_record(typ: u16, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.extend([(typ & 0x7F) as u8 | 0x80, (typ >> 7) as u8]);
    }
    let mut len = data.len();
    loop {
        let b = (len & 0x7F) as u8;
        len >>= 7;
        out.push(if len > 0 { b | 0x80 } else { b });
        if len == 0 {
            break;
        }
    }
    out.extend(data);
    out
}

/// An XLWideString: character count (u32), then UTF-16LE.
fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

/// A minimal xlsb: `[Content_Types].xml`, the workbook relationships, `xl/workbook.bin`
/// (BrtBundleSh for one sheet, BrtEndBundleShs, BrtCalcProp) and `xl/worksheets/sheet1.bin`
/// (BrtWsDim, BrtBeginSheetData, BrtRowHdr + BrtCellSt per row of [`BOOK_ROWS`],
/// BrtEndSheetData).
fn tiny_xlsb() -> Vec<u8> {
    let mut bundle = [0u32, 1]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect::<Vec<u8>>();
    bundle.extend(wide("rId1"));
    bundle.extend(wide("Customers"));
    let workbook = [
        xlsb_record(0x009C, &bundle),
        xlsb_record(0x0090, &[]),
        xlsb_record(0x009D, &[]),
    ]
    .concat();
    let dim: Vec<u8> = [1u32, 3, 0, 2]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    let mut sheet = [xlsb_record(0x0094, &dim), xlsb_record(0x0091, &[])].concat();
    for (r, row) in BOOK_ROWS.iter().enumerate() {
        sheet.extend(xlsb_record(0x0000, &(r as u32 + 1).to_le_bytes()));
        for (c, text) in row.iter().enumerate() {
            let mut data = (c as u32).to_le_bytes().to_vec();
            data.extend(0u32.to_le_bytes());
            data.extend(wide(text));
            sheet.extend(xlsb_record(0x0006, &data));
        }
    }
    sheet.extend(xlsb_record(0x0092, &[]));
    let rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>"#;
    let types = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>"#;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in [
        ("[Content_Types].xml", types.as_bytes().to_vec()),
        ("xl/_rels/workbook.bin.rels", rels.as_bytes().to_vec()),
        ("xl/workbook.bin", workbook),
        ("xl/worksheets/sheet1.bin", sheet),
    ] {
        w.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(&body).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn xls_and_xlsb_sheets_give_sheet_header_fields_and_row_lines() {
    let dir = TempDir::new().unwrap();
    // Lying extensions: the OLE2 header and the zip's members decide.
    write(dir.path(), "legacy.dat", tiny_xls());
    write(dir.path(), "binary.dat", tiny_xlsb());
    let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    let f = report["findings"].as_array().unwrap();
    for (name, format) in [("legacy.dat", "xls"), ("binary.dat", "xlsb")] {
        let input = report["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .unwrap();
        assert_eq!(input["format"], format, "{input:#}");
        assert_eq!(input["status"], "scanned", "{input:#}");
        // Header on Excel row 2, so the customers are rows 3 and 4.
        assert_found(f, name, 3, "Customers.email", "email");
        assert_found(f, name, 4, "Customers.email", "email");
        assert_found(f, name, 3, "Customers.mobile", "phone");
        assert_found(f, name, 4, "Customers.mobile", "phone");
    }
}

/// A compound file whose FAT chain loops (the shape of the `cfb` crate's fuzzed fixtures) once
/// made calamine append the same sectors forever: a 13 KB file took 24 GB; a forged sheet size
/// made it abort, as did an xlsx with two cells at opposite corners; an ods of repeated cells
/// took 11 GB. Each must now be one error, with the workbook beside them still scanned. The child runs under a 2 GB address-space
/// limit so that a regression fails this test instead of exhausting the machine.
#[test]
fn hostile_workbooks_fail_alone_in_bounded_memory() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "good.xls", tiny_xls());
    let mut looped = tiny_xls();
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap());
    let shift = u16::from_le_bytes([looped[30], looped[31]]);
    let size = 1usize << shift;
    let fat_sector = u32_at(&looped, 76) as usize;
    let dir_start = u32_at(&looped, 48) as usize;
    // The directory chain's first sector now names itself as its successor.
    let entry = (fat_sector + 1) * size + 4 * dir_start;
    looped[entry..entry + 4].copy_from_slice(&(dir_start as u32).to_le_bytes());
    write(dir.path(), "looped.xls", looped);

    // A forged Dimensions record (MS-XLS 2.4.90): rows 0..2^30, 256 columns. calamine reserves
    // room for every declared cell before reading one, and an allocation failure aborts.
    let mut dims = Vec::new();
    for x in [0u32, 1 << 30] {
        dims.extend(x.to_le_bytes());
    }
    dims.extend([0u8, 0, 0, 1, 0, 0]);
    write(dir.path(), "huge.xls", tiny_xls_with(&biff(0x0200, &dims)));
    // An xlsx with two cells at opposite corners of the sheet: calamine's dense range would be
    // 1,048,576 x 16,384 cells, an allocation that aborts the process.
    let cell = |r: &str, v: &str| format!(r#"<c r="{r}" t="inlineStr"><is><t>{v}</t></is></c>"#);
    write(
        dir.path(),
        "corners.xlsx",
        xlsx_with(&format!(
            r#"<row r="1">{}</row><row r="1048576">{}</row>"#,
            cell("A1", "ann@example.com"),
            cell("XFD1048576", "x")
        )),
    );

    // An ods whose one row of 90 repeated cells repeats a million times: ~820 bytes that
    // calamine expands to 90 M cells (74 s, 11 GB before the pre-check).
    write(
        dir.path(),
        "repeated.ods",
        ods_with(
            r#"<table:table table:name="S"><table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated="90" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
        ),
    );

    let bin = assert_cmd::cargo::cargo_bin("piiscan");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 2000000; exec \"$0\" \"$@\"")
        .arg(&bin)
        .args(["scan", "--no-config", "--format", "json"])
        .arg(dir.path())
        .env("PIISCAN_FINGERPRINT_KEY", "test-key-0123456789abcdef")
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let report = run.json();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 4, "{errors:#?}");
    let reason = |name: &str| reason_for(&report["errors"], name);
    assert!(reason("looped.xls").contains("loops"), "{errors:#?}");
    assert!(reason("huge.xls").contains("rows x columns"), "{errors:#?}");
    assert!(
        reason("corners.xlsx").contains("grid too large"),
        "{errors:#?}"
    );
    assert!(
        reason("repeated.ods").contains("grid too large"),
        "{errors:#?}"
    );
    assert_found(
        report["findings"].as_array().unwrap(),
        "good.xls",
        3,
        "Customers.email",
        "email",
    );
}
