//! Mail through the real binary (issue 30): messages and an mbox written at test time as a mail
//! client writes them (MIME multipart, quoted-printable and base64 bodies, base64 attachments),
//! with fake PII in headers, plain and HTML bodies and attached CSVs and zips; hostile messages
//! (truncated base64, unknown charset, missing boundary, a 10 MB header line, nesting past the
//! depth cap); and `redact`, which says it does not rewrite mail.

use std::io::{Cursor, Write};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::*;

/// Standard base64 with `=` padding, wrapped at 76 columns as MIME writers do.
fn b64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out.as_bytes()
        .chunks(76)
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n")
}

const PASSENGERS: &str = "name,date_of_birth,email\r\n\
    Olivia Testperson,1984-03-12,olivia.t@example.com\r\n\
    Noah Sampleton,1990-11-02,noah.s@example.com\r\n\
    Ava Placeholder,1979-07-30,ava.p@example.org\r\n";

/// An attachment part of a `multipart/mixed` message.
fn attachment(boundary: &str, name: &str, ctype: &str, data: &[u8]) -> String {
    format!(
        "--{boundary}\r\nContent-Type: {ctype}; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        b64(data)
    )
}

/// A message: headers (line 1: From with a display name; line 2: To; line 3: Subject), a
/// quoted-printable plain body with a phone split by a soft line break, and `attachments`.
fn message(from: &str, attachments: &[(&str, &str, Vec<u8>)]) -> String {
    let mut m = format!(
        "From: Olivia Testperson <{from}>\r\n\
         To: desk@example.com\r\n\
         Subject: passenger list\r\n\
         MIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
         \r\n\
         --b1\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: quoted-printable\r\n\
         \r\n\
         Hi, please call me on 0491 570 =\r\n156 about the list.\r\n"
    );
    for (name, ctype, data) in attachments {
        m.push_str(&attachment("b1", name, ctype, data));
    }
    m.push_str("--b1--\r\n");
    m
}

fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts: zip::write::SimpleFileOptions = Default::default();
    for (name, body) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn at<'a>(findings: &'a [Value], path_end: &str, kind: &str) -> Vec<&'a Value> {
    of_kind(findings, kind)
        .into_iter()
        .filter(|f| f["path"].as_str().unwrap().ends_with(path_end))
        .collect()
}

#[test]
fn a_message_headers_bodies_and_its_csv_attachment() {
    let dir = TempDir::new().unwrap();
    let eml = message(
        EMAIL,
        &[("passengers.csv", "text/csv", PASSENGERS.as_bytes().to_vec())],
    );
    write(dir.path(), "note.eml", &eml);
    let run = scan_jsonl(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = run.jsonl();
    // Header: the sender's address in field From (line 1), the display name in From.name.
    let from = at(&f, "note.eml", "email");
    assert!(
        from.iter()
            .any(|e| e["line"] == 1 && e["field"] == "From" && e["column"] == 26),
        "{f:#?}"
    );
    assert!(
        at(&f, "note.eml", "person_name")
            .iter()
            .any(|e| e["field"] == "From.name" && e["line"] == 1),
        "{f:#?}"
    );
    // Quoted-printable body: the soft line break is joined, so the phone is found whole, on
    // the body's first line (11).
    let phones = at(&f, "note.eml", "phone");
    assert_eq!(phones.len(), 1, "{f:#?}");
    assert_eq!(phones[0]["line"], 11);
    assert!(phones[0]["field"].is_null());
    // The attachment is an input of its own, read as a CSV: its DOB column is dates of birth.
    let dobs = at(&f, "note.eml!attachment/passengers.csv", "date_of_birth");
    assert_eq!(dobs.len(), 3, "{f:#?}");
    assert!(dobs.iter().all(|d| d["field"] == "date_of_birth"));
    assert_eq!(
        at(&f, "note.eml!attachment/passengers.csv", "email").len(),
        3
    );
    for raw in [EMAIL, "0491 570 156", "1984-03-12", "olivia.t@example.com"] {
        assert!(!run.stdout.contains(raw), "{raw} in output");
    }
}

#[test]
fn html_and_base64_bodies_and_encoded_headers_are_decoded() {
    let dir = TempDir::new().unwrap();
    let html =
        format!("<html><body><p>Passenger <b>{EMAIL}</b></p><p>Phone {PHONE}</p></body></html>");
    let eml = format!(
        "From: =?utf-8?B?{}?= <desk@example.com>\r\n\
         Subject: =?iso-8859-1?Q?Geb=FCrtsdatum_und_Mail_noah.s@example.com?=\r\n\
         Content-Type: text/html; charset=utf-8\r\n\
         Content-Transfer-Encoding: base64\r\n\
         \r\n{}\r\n",
        b64("Jörg Testperson".as_bytes()),
        b64(html.as_bytes())
    );
    write(dir.path(), "html.eml", &eml);
    let run = scan_jsonl(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = run.jsonl();
    let emails = at(&f, "html.eml", "email");
    // The Subject's encoded word is decoded (line 2, field Subject); the HTML body is text.
    assert!(
        emails
            .iter()
            .any(|e| e["line"] == 2 && e["field"] == "Subject"),
        "{f:#?}"
    );
    assert!(
        emails
            .iter()
            .any(|e| e["line"] == 6 && e["field"].is_null()),
        "{f:#?}"
    );
    assert_eq!(at(&f, "html.eml", "phone").len(), 1, "{f:#?}");
    assert!(!run.stdout.contains(EMAIL) && !run.stdout.contains("noah.s@"));
}

#[test]
fn an_mbox_reports_message_ordinals_and_opens_an_attached_zip() {
    let dir = TempDir::new().unwrap();
    let zip = zip_of(&[("manifest/passengers.csv", PASSENGERS)]);
    let mut mbox = String::new();
    for (i, from) in [
        "amy.t@example.com",
        "ben.t@example.com",
        "cat.t@example.com",
    ]
    .iter()
    .enumerate()
    {
        let atts = if i == 2 {
            vec![("manifest.zip", "application/zip", zip.clone())]
        } else {
            vec![]
        };
        mbox.push_str(&format!("From {from} Mon Jan  1 00:00:00 2024\r\n"));
        mbox.push_str(&message(from, &atts));
        mbox.push_str("\r\n");
    }
    write(dir.path(), "inbox.mbox", &mbox);
    let (run, text) = scan_json_report(dir.path(), &dir.path().join("inbox.mbox"));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: Value = serde_json::from_str(&text).unwrap();
    let paths: Vec<String> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            i["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect();
    for want in ["inbox.mbox!1", "inbox.mbox!2", "inbox.mbox!3"] {
        assert!(paths.iter().any(|p| p == want), "{want} not in {paths:?}");
    }
    let run = scan_jsonl(dir.path(), &[]);
    let f = run.jsonl();
    // Each message's sender is found in its own message, on line 1 of that message.
    for n in 1..=3 {
        let here = at(&f, &format!("inbox.mbox!{n}"), "email");
        assert!(
            here.iter().any(|e| e["line"] == 1 && e["field"] == "From"),
            "{n}: {f:#?}"
        );
    }
    let dobs = at(
        &f,
        "inbox.mbox!3/attachment/manifest.zip!manifest/passengers.csv",
        "date_of_birth",
    );
    assert_eq!(dobs.len(), 3, "{f:#?}");
    assert!(!run.stdout.contains("amy.t@") && !run.stdout.contains("1990-11-02"));
}

#[test]
fn hostile_mail_is_an_error_or_a_best_effort_never_a_panic() {
    let dir = TempDir::new().unwrap();
    // Truncated base64 attachment, an unknown charset, a missing closing boundary.
    let bad = format!(
        "From: {EMAIL}\r\nContent-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n\
         --zz\r\nContent-Type: text/plain; charset=no-such-charset\r\n\r\ncall {PHONE}\r\n\
         --zz\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"t.csv\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}",
        &b64(PASSENGERS.as_bytes())[..61]
    );
    write(dir.path(), "bad.eml", &bad);
    // A 10 MB header line.
    let long = format!(
        "From: {EMAIL}\r\nSubject: {}\r\n\r\nbody\r\n",
        "x".repeat(10 << 20)
    );
    write(dir.path(), "long.eml", &long);
    // A forwarded message nested seven deep: the ones past the depth cap are not opened.
    let mut nested = format!("From: {EMAIL}\r\nSubject: innermost\r\n\r\ninner {PHONE}\r\n");
    for _ in 0..7 {
        nested = format!(
            "From: fwd@example.com\r\nSubject: fwd\r\nContent-Type: multipart/mixed; boundary=\"n\"\r\n\r\n\
             --n\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"fwd.eml\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--n--\r\n",
            b64(nested.as_bytes())
        );
    }
    write(dir.path(), "nested.eml", &nested);
    // An mbox whose second message has no header block.
    write(
        dir.path(),
        "box.mbox",
        format!(
            "From a Mon\r\nFrom: {EMAIL}\r\n\r\nhi\r\n\r\nFrom b Tue\r\n\r\nFrom c Wed\r\nFrom: c@example.com\r\n\r\nbye\r\n"
        ),
    );
    let (run, text) = scan_json_report(dir.path(), dir.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    assert!(
        !text.contains(EMAIL) && !text.contains(PHONE),
        "raw value in the report"
    );
    let report: Value = serde_json::from_str(&text).unwrap();
    let why = reason_for(&report["errors"], "fwd.eml");
    assert!(why.contains("depth cap"), "{why}: {report:#}");
    let why = reason_for(&report["errors"], "box.mbox!2");
    assert!(why.contains("no header block"), "{why}: {report:#}");
    let inputs = report["inputs"].as_array().unwrap();
    let status = |end: &str| {
        inputs
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with(end))
            .unwrap_or_else(|| panic!("no input {end}: {report:#}"))["status"]
            .clone()
    };
    // Best-effort decodes: read, with their findings.
    for end in ["bad.eml", "long.eml", "box.mbox!1", "box.mbox!3"] {
        assert_eq!(status(end), "scanned", "{end}: {report:#}");
    }
}

#[test]
fn redact_does_not_rewrite_mail_and_says_so() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "in/note.eml", message(EMAIL, &[]));
    assert_redact_refuses(dir.path(), "note.eml", "email messages are not rewritten");
}

/// An Outlook message written at test time as MS-OXMSG lays it out: property streams named
/// `__substg1.0_<tag><type>` (UTF-16LE strings, binary data), a recipient storage and an
/// attachment storage holding a CSV.
fn outlook_msg() -> Vec<u8> {
    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    let put = |cf: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, path: &str, data: &[u8]| {
        cf.create_stream(path).unwrap().write_all(data).unwrap();
    };
    put(&mut cf, "/__properties_version1.0", &[0u8; 32]);
    put(&mut cf, "/__substg1.0_0037001F", &utf16("passenger list"));
    put(
        &mut cf,
        "/__substg1.0_0C1A001F",
        &utf16("Olivia Testperson"),
    );
    put(&mut cf, "/__substg1.0_0C1F001F", &utf16(EMAIL));
    put(
        &mut cf,
        "/__substg1.0_1000001F",
        &utf16(&format!("Hi,\r\nplease call {PHONE}.\r\n")),
    );
    cf.create_storage("/__recip_version1.0_#00000000").unwrap();
    put(
        &mut cf,
        "/__recip_version1.0_#00000000/__properties_version1.0",
        &[0u8; 8],
    );
    put(
        &mut cf,
        "/__recip_version1.0_#00000000/__substg1.0_3001001F",
        &utf16("Desk"),
    );
    put(
        &mut cf,
        "/__recip_version1.0_#00000000/__substg1.0_39FE001F",
        &utf16("noah.s@example.com"),
    );
    cf.create_storage("/__attach_version1.0_#00000000").unwrap();
    put(
        &mut cf,
        "/__attach_version1.0_#00000000/__substg1.0_3707001F",
        &utf16("passengers.csv"),
    );
    put(
        &mut cf,
        "/__attach_version1.0_#00000000/__substg1.0_37010102",
        PASSENGERS.as_bytes(),
    );
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

#[test]
fn an_outlook_msg_headers_body_and_attachment() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "note.msg", outlook_msg());
    let run = scan_jsonl(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = run.jsonl();
    let emails = at(&f, "note.msg", "email");
    assert!(
        emails
            .iter()
            .any(|e| e["line"] == 1 && e["field"] == "From"),
        "{f:#?}"
    );
    assert!(
        emails.iter().any(|e| e["line"] == 2 && e["field"] == "To"),
        "{f:#?}"
    );
    assert!(
        at(&f, "note.msg", "person_name")
            .iter()
            .any(|e| e["field"] == "From.name"),
        "{f:#?}"
    );
    // Line 3 is the subject, 4 the blank line, 5-6 the body.
    let phones = at(&f, "note.msg", "phone");
    assert_eq!(phones.len(), 1, "{f:#?}");
    assert_eq!(phones[0]["line"], 6);
    let dobs = at(&f, "note.msg!attachment/passengers.csv", "date_of_birth");
    assert_eq!(dobs.len(), 3, "{f:#?}");
    assert!(!run.stdout.contains(EMAIL) && !run.stdout.contains(PHONE));
    // A truncated .msg is an error for that file (exit 2), never a panic.
    let whole = outlook_msg();
    write(dir.path(), "cut.msg", &whole[..whole.len() / 2]);
    let (run, text) = scan_json_report(dir.path(), dir.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let report: Value = serde_json::from_str(&text).unwrap();
    let why = reason_for(&report["errors"], "cut.msg");
    assert!(why.contains("unreadable Outlook msg"), "{why}");
}

/// An Outlook message whose only body is HTML (PR_HTML, binary, UTF-8) — no subject, no plain
/// body, no recipients: what an HTML-only Outlook draft holds.
fn html_only_msg() -> Vec<u8> {
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    let put = |cf: &mut cfb::CompoundFile<Cursor<Vec<u8>>>, path: &str, data: &[u8]| {
        cf.create_stream(path).unwrap().write_all(data).unwrap();
    };
    put(&mut cf, "/__properties_version1.0", &[0u8; 32]);
    let html = format!(
        "<html><body><p>Dear passenger,</p>\r\n<p>write to <b>{EMAIL}</b><br>or call \
         <span style=\"color:red\">{PHONE}</span></p></body></html>"
    );
    put(&mut cf, "/__substg1.0_10130102", html.as_bytes());
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

#[test]
fn an_outlook_msg_with_only_an_html_body_is_read_as_text() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "html.msg", html_only_msg());
    let run = scan_jsonl(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let f = run.jsonl();
    assert_eq!(at(&f, "html.msg", "email").len(), 1, "{f:#?}");
    assert_eq!(at(&f, "html.msg", "phone").len(), 1, "{f:#?}");
    // Tags are dropped, and <p>/<br> end lines: the phone is on a later line than the email.
    let line = |kind: &str| at(&f, "html.msg", kind)[0]["line"].as_u64().unwrap();
    assert!(line("email") < line("phone"), "{f:#?}");
    assert!(!run.stdout.contains(EMAIL) && !run.stdout.contains(PHONE));
}
