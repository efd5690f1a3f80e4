//! PDF through the real binary (issue 30). The PDFs are written at test time by a minimal writer
//! here (objects, a cross-reference table, a trailer: what every PDF writer emits), with fake
//! PII on two pages — one content stream plain, one FlateDecode-compressed — and an image-only
//! PDF. With the `pdf` feature the text is found with `page N` fields; without it every PDF is
//! listed as skipped with the reason.

use std::io::Write;

use serde_json::Value;
use tempfile::TempDir;

use crate::common::*;

/// A PDF of `objects` (numbered from 1; object 1 is the catalog), with a valid xref table.
fn pdf_of(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut s = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    s.extend_from_slice(data);
    s.extend_from_slice(b"\nendstream");
    s
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(data).unwrap();
    z.finish().unwrap()
}

/// Two pages: page 1 (plain content stream) has an email; page 2 (FlateDecode) has a phone and
/// an email on two text lines.
fn letter() -> Vec<u8> {
    let page = |contents: u32| {
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
             /Resources << /Font << /F1 7 0 R >> >> /Contents {contents} 0 R >>"
        )
        .into_bytes()
    };
    let p1 = format!("BT /F1 12 Tf 72 700 Td (Contact {EMAIL} today) Tj ET");
    let p2 = format!(
        "BT /F1 12 Tf 72 700 Td (Call {PHONE}) Tj ET\nBT /F1 12 Tf 72 680 Td (or write to noah.s@example.com) Tj ET"
    );
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>".to_vec(),
        page(4),
        stream("", p1.as_bytes()),
        page(6),
        stream("/Filter /FlateDecode", &deflate(p2.as_bytes())),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ])
}

/// One page that only draws an image (a scan).
fn scanned() -> Vec<u8> {
    pdf_of(&[
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
           /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>"
            .to_vec(),
        stream(
            "/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8",
            &[0, 255, 255, 0],
        ),
        stream("", b"q 612 0 0 792 0 0 cm /Im1 Do Q"),
    ])
}

fn report(dir: &TempDir) -> (Run, Value) {
    let (run, text) = scan_json_report(dir.path(), &dir.path().join("in"));
    let v = serde_json::from_str(&text).unwrap();
    (run, v)
}

fn input<'a>(report: &'a Value, end: &str) -> &'a Value {
    report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with(end))
        .unwrap_or_else(|| panic!("no input {end}: {report:#}"))
}

#[test]
fn pdf_pages_text_or_skipped_with_the_reason() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "in/letter.pdf", letter());
    write(dir.path(), "in/scan.pdf", scanned());
    let (run, rep) = report(&dir);
    let letter = input(&rep, "letter.pdf");
    let scan_pdf = input(&rep, "scan.pdf");
    if !cfg!(feature = "pdf") {
        assert_eq!(run.code, 0, "{}", run.stderr);
        for i in [letter, scan_pdf] {
            assert_eq!(i["status"], "skipped", "{i:#}");
            assert!(
                i["reason"].as_str().unwrap().contains("feature `pdf`"),
                "{i:#}"
            );
        }
        return;
    }
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(letter["status"], "scanned", "{letter:#}");
    assert_eq!(letter["format"], "pdf");
    assert_eq!(scan_pdf["status"], "skipped", "{scan_pdf:#}");
    assert_eq!(scan_pdf["reason"], "no text layer (scanned image)");
    let run = scan_jsonl(&dir.path().join("in"), &[]);
    let f = run.jsonl();
    let emails = of_kind(&f, "email");
    assert_eq!(emails.len(), 2, "{f:#?}");
    assert!(emails.iter().any(|e| e["field"] == "page 1"), "{f:#?}");
    assert!(emails.iter().any(|e| e["field"] == "page 2"), "{f:#?}");
    let phones = of_kind(&f, "phone");
    assert_eq!(phones.len(), 1, "{f:#?}");
    assert_eq!(phones[0]["field"], "page 2");
    let line = |v: &Value| v["line"].as_u64().unwrap();
    let p1 = emails.iter().find(|e| e["field"] == "page 1").unwrap();
    let p2 = emails.iter().find(|e| e["field"] == "page 2").unwrap();
    // Lines count through the document: page 2's lines come after page 1's.
    assert!(
        line(p1) < line(phones[0]) && line(phones[0]) < line(p2),
        "{f:#?}"
    );
    assert!(!run.stdout.contains(EMAIL) && !run.stdout.contains(PHONE));
}

#[test]
fn a_broken_pdf_is_an_error_and_the_scan_goes_on() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "in/broken.pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Cat".as_slice(),
    );
    write(dir.path(), "in/ok.txt", format!("mail {EMAIL}\n"));
    let whole = letter();
    write(dir.path(), "in/cut.pdf", &whole[..whole.len() / 3]);
    let (run, rep) = report(&dir);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(input(&rep, "ok.txt")["status"], "scanned");
    if cfg!(feature = "pdf") {
        assert_eq!(run.code, 2, "{}", run.stderr);
        let why = reason_for(&rep["errors"], "broken.pdf");
        assert!(why.contains("PDF"), "{why}");
        // Cut off before its content streams: not passed off as a scan.
        let cut = input(&rep, "cut.pdf");
        assert_ne!(cut["status"], "scanned", "{cut:#}");
        let why = cut["reason"].as_str().unwrap_or_default();
        assert!(!why.contains("scanned image"), "{cut:#}");
    } else {
        assert_eq!(run.code, 1, "{}", run.stderr);
    }
}

#[test]
fn redact_does_not_rewrite_a_pdf_and_says_so() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "in/letter.pdf", letter());
    assert_redact_refuses(dir.path(), "letter.pdf", "pdf documents are not rewritten");
}

/// `letter()` encrypted by lopdf's own writer (RC4, 128-bit key, standard security handler)
/// with the given user password.
#[cfg(feature = "pdf")]
fn encrypted_letter(user_password: &str) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(&letter()).unwrap();
    // The key derives from the file identifier: a fixed fake one.
    let id = lopdf::Object::string_literal(b"piiscan-test-id0".to_vec());
    doc.trailer
        .set("ID", lopdf::Object::Array(vec![id.clone(), id]));
    let state = lopdf::EncryptionState::try_from(lopdf::EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner-secret",
        user_password,
        key_length: 128,
        permissions: lopdf::Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[cfg(feature = "pdf")]
#[test]
fn encrypted_pdf_read_with_the_empty_password_else_an_error_and_the_scan_goes_on() {
    let open = encrypted_letter("");
    let locked = encrypted_letter("user-secret");
    // The writer really encrypted them: the planted text is not in the bytes.
    for raw in [&open, &locked] {
        assert!(memchr_find(raw, b"/Encrypt"));
        assert!(!memchr_find(raw, EMAIL.as_bytes()));
    }
    let dir = TempDir::new().unwrap();
    write(dir.path(), "in/open.pdf", &open);
    write(dir.path(), "in/locked.pdf", &locked);
    write(dir.path(), "in/ok.txt", format!("mail {EMAIL}\n"));
    let (run, rep) = report(&dir);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(input(&rep, "ok.txt")["status"], "scanned");
    assert_eq!(input(&rep, "open.pdf")["status"], "scanned", "{rep:#}");
    let why = reason_for(&rep["errors"], "locked.pdf");
    assert!(
        why.ends_with("encrypted PDF that needs a password: not read"),
        "{rep:#}"
    );
    let run = scan_jsonl(&dir.path().join("in"), &[]);
    let f = run.jsonl();
    let in_open = |kind: &str, page: &str| {
        of_kind(&f, kind).iter().any(|e| {
            e["field"] == page && e["path"].as_str().is_some_and(|p| p.ends_with("open.pdf"))
        })
    };
    assert!(in_open("email", "page 1"), "{f:#?}");
    assert!(in_open("phone", "page 2"), "{f:#?}");
    assert!(
        !f.iter().any(|e| e["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("locked.pdf"))),
        "{f:#?}"
    );
    assert!(!run.stdout.contains(EMAIL) && !run.stdout.contains(PHONE));
}

#[cfg(feature = "pdf")]
fn memchr_find(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A small file whose pages (5) all draw one FlateDecode content stream of ~60 MiB of tiny text
/// operators: each page is under the per-page cap, the file is far over the per-file one.
fn operator_bomb() -> Vec<u8> {
    let mut content = b"BT /F1 12 Tf 72 700 Td ".to_vec();
    let op = b"(x) Tj ";
    while content.len() < (60 << 20) {
        content.extend_from_slice(op);
    }
    content.extend_from_slice(b"ET");
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&content).unwrap();
    let data = z.finish().unwrap();
    let page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
                 /Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"
        .to_vec();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [5 0 R 6 0 R 7 0 R 8 0 R 9 0 R] /Count 5 >>".to_vec(),
        stream("/Filter /FlateDecode", &data),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ];
    objects.extend(std::iter::repeat_n(page, 5));
    pdf_of(&objects)
}

#[test]
fn a_pdf_over_the_per_file_content_cap_is_an_error_and_a_normal_one_is_read() {
    let bomb = operator_bomb();
    assert!(bomb.len() < 2 << 20, "{}", bomb.len());
    let dir = TempDir::new().unwrap();
    write(dir.path(), "in/bomb.pdf", &bomb);
    write(dir.path(), "in/letter.pdf", letter());
    let (run, rep) = report(&dir);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    if !cfg!(feature = "pdf") {
        assert_eq!(input(&rep, "bomb.pdf")["status"], "skipped");
        return;
    }
    assert_eq!(run.code, 2, "{}", run.stderr);
    let why = reason_for(&rep["errors"], "bomb.pdf");
    assert!(why.contains("page 5"), "{why}");
    assert!(why.contains("256 MiB (per-file cap): not read"), "{why}");
    // The normal two-page PDF beside it is read in full.
    let letter = input(&rep, "letter.pdf");
    assert_eq!(letter["status"], "scanned", "{letter:#}");
    assert_eq!(letter["records"], 3, "{letter:#}");
}
