//! Office documents through the real binary (issue 30): a Word document written at test time with
//! the zip crate (the OOXML a word processor writes: a content-types part and `word/document.xml`),
//! with fake PII in body paragraphs, a footer and a table whose header row names the columns; an
//! OpenDocument text; a truncated document (an error for that file, the scan goes on); and
//! `redact`, which says it does not rewrite documents.

use std::io::{Cursor, Write};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::*;

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

fn zip_of(members: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts: zip::write::SimpleFileOptions = Default::default();
    for (name, body) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn p(text: &str) -> String {
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

/// A letter: a greeting, a paragraph with an email and a phone, a passenger table (Name, Date of
/// birth, Email) of three rows, and a footer with another email.
fn letter() -> Vec<u8> {
    let row = |cells: [&str; 3]| {
        let tcs: String = cells
            .iter()
            .map(|c| format!("<w:tc>{}</w:tc>", p(c)))
            .collect();
        format!("<w:tr>{tcs}</w:tr>")
    };
    let body = [
        p("Dear customer,"),
        p(&format!("Write to {EMAIL} or call {PHONE}.")),
        format!(
            "<w:tbl>{}{}{}{}</w:tbl>",
            row(["Name", "Date of birth", "Email"]),
            row(["Olivia Testperson", "1984-03-12", "olivia.t@example.com"]),
            row(["Noah Sampleton", "1990-11-02", "noah.s@example.com"]),
            row(["Ava Placeholder", "1979-07-30", "ava.p@example.org"]),
        ),
        p("Kind regards"),
    ]
    .concat();
    zip_of(&[
        ("[Content_Types].xml", "<Types/>".into()),
        (
            "word/document.xml",
            format!("<w:document {W}><w:body>{body}</w:body></w:document>"),
        ),
        (
            "word/footer1.xml",
            format!("<w:ftr {W}>{}</w:ftr>", p("Privacy: dpo@example.net")),
        ),
    ])
}

#[test]
fn a_word_letter_is_read_as_paragraphs_and_a_table_with_named_columns() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "letter.docx", letter());
    let run = scan_jsonl(dir.path(), &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let findings = run.jsonl();
    let emails = of_kind(&findings, "email");
    assert_eq!(emails.len(), 5, "{findings:#?}");
    assert!(
        emails
            .iter()
            .all(|f| f["path"].as_str().unwrap().ends_with("letter.docx"))
    );
    // The table's email column is a field named by its header; body paragraphs have none.
    let in_table = emails.iter().filter(|f| f["field"] == "Email").count();
    assert_eq!(in_table, 3, "{emails:#?}");
    assert!(
        emails
            .iter()
            .any(|f| f["field"].is_null() && f["line"] == 2)
    );
    // A DOB column in a Word table is dates of birth.
    let dobs = of_kind(&findings, "date_of_birth");
    assert_eq!(dobs.len(), 3, "{findings:#?}");
    assert!(dobs.iter().all(|f| f["field"] == "Date of birth"));
    assert_eq!(of_kind(&findings, "phone").len(), 1);
    // Nothing raw in the output.
    assert!(!run.stdout.contains(EMAIL) && !run.stdout.contains("1984-03-12"));
}

#[test]
fn opendocument_text_and_a_truncated_document() {
    let dir = TempDir::new().unwrap();
    let content = format!(
        r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text><text:p>Contact {EMAIL}</text:p></office:text></office:body></office:document-content>"#
    );
    write(
        dir.path(),
        "note.odt",
        zip_of(&[
            ("mimetype", "application/vnd.oasis.opendocument.text".into()),
            ("content.xml", content),
        ]),
    );
    // A document cut off in its XML: an error for that file alone.
    let broken = zip_of(&[
        ("[Content_Types].xml", "<Types/>".into()),
        (
            "word/document.xml",
            format!("<w:document {W}><w:body>{}<w:p><w:r><w:t>x</w:p>", p(EMAIL)),
        ),
    ]);
    write(dir.path(), "broken.docx", broken);
    let (run, text) = scan_json_report(dir.path(), dir.path());
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report: Value = serde_json::from_str(&text).unwrap();
    let why = reason_for(&report["errors"], "broken.docx");
    assert!(why.contains("malformed XML"), "{why}: {report:#}");
    assert!(!why.contains("example.com"), "{why}");
    let inputs = report["inputs"].as_array().unwrap();
    let note = inputs
        .iter()
        .find(|i| i["path"].as_str().unwrap().ends_with("note.odt"))
        .unwrap();
    assert_eq!(note["format"], "odt", "{note:#}");
    assert_eq!(note["findings"], 1, "{note:#}");
}

#[test]
fn redact_does_not_rewrite_a_document_and_says_so() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "in/letter.docx", letter());
    assert_redact_refuses(
        dir.path(),
        "letter.docx",
        "docx documents are not rewritten",
    );
}
