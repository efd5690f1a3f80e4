//! Parquet files through the real binary. With the `parquet` feature: a file written by the test
//! with the `parquet` crate's own writer (a nested group column, a list column, nulls at both
//! nesting levels, three row groups, snappy/zstd/gzip-compressed columns), read in place and from
//! a gzip stream (spooled), and a truncated copy that must fail alone. Without the feature: a
//! Parquet file is listed as skipped with a reason saying support is not compiled in.

use tempfile::TempDir;

use crate::common::*;

/// A file that starts like a Parquet file (magic, then binary) but has no valid footer: corrupt
/// with the feature, "not compiled in" without it. Either way it is never scanned as text, so
/// the email inside is not reported.
///
/// Which of the two is expected follows the binary under test: the build's own feature, unless
/// `PIISCAN_EXPECT_PARQUET=0` says the binary was rebuilt without it (`.ci/run` re-runs this
/// test against the default build without recompiling the test executable).
#[test]
fn parquet_magic_is_never_silent() {
    let dir = TempDir::new().unwrap();
    let mut bytes = b"PAR1\x15\x00\x15\x1c".to_vec();
    bytes.extend_from_slice(b"zoe@example.com\x00\x00");
    write(dir.path(), "export.dat", &bytes);
    let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
    let report = run.json();
    assert_eq!(report["totals"]["findings"], 0, "{report:#}");
    let input = &report["inputs"][0];
    assert_eq!(input["format"], "parquet", "{input:#}");
    let reason = input["reason"].as_str().unwrap_or_default();
    let with_parquet = match std::env::var("PIISCAN_EXPECT_PARQUET") {
        Ok(v) => v != "0",
        Err(_) => cfg!(feature = "parquet"),
    };
    if with_parquet {
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(input["status"], "error", "{input:#}");
        assert!(reason.contains("parquet"), "{reason}");
    } else {
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(input["status"], "skipped", "{input:#}");
        assert!(reason.contains("not compiled"), "{reason}");
    }
    assert!(!reason.contains("example.com"), "{reason}");
}

#[cfg(feature = "parquet")]
mod with_feature {
    use std::io::Write;
    use std::sync::Arc;

    use parquet::basic::Compression;
    use parquet::data_type::{ByteArray, ByteArrayType, Int32Type, Int64Type};
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::parser::parse_message_type;
    use parquet::schema::types::ColumnPath;
    use serde_json::Value;
    use tempfile::TempDir;

    use crate::common::*;

    const SCHEMA: &str = "message customers {
        REQUIRED INT64 id;
        OPTIONAL BINARY email (UTF8);
        OPTIONAL GROUP contact {
            OPTIONAL BINARY mobile (UTF8);
        }
        OPTIONAL INT32 dob (DATE);
        OPTIONAL GROUP alt_emails (LIST) {
            REPEATED GROUP list {
                OPTIONAL BINARY element (UTF8);
            }
        }
    }";

    /// One row: email, `Some(mobile)` inside a present `contact` / `None` for a null mobile in a
    /// present group, or a null group (outer `None`), and dob as days since 1970-01-01.
    type Row = (
        Option<&'static str>,
        Option<Option<&'static str>>,
        Option<i32>,
    );

    /// Six rows in three row groups of two. Row numbers (1-based) are the expected lines.
    const GROUPS: [[Row; 2]; 3] = [
        [
            (
                Some("ann@example.com"),
                Some(Some("0491 570 156")),
                Some(3754),
            ),
            (None, Some(None), None),
        ],
        [
            (Some("bob@example.com"), None, Some(2159)),
            (Some("cat@example.com"), Some(Some("0491 570 158")), None),
        ],
        [
            (
                Some("dee@example.com"),
                Some(Some("+61 491 570 157")),
                Some(7306),
            ),
            (Some("not an email"), None, None),
        ],
    ];

    /// The Parquet bytes of [`GROUPS`]: `email` snappy, `contact.mobile` zstd, `dob` gzip.
    fn customers_parquet() -> Vec<u8> {
        let schema = Arc::new(parse_message_type(SCHEMA).unwrap());
        let props = WriterProperties::builder()
            .set_compression(Compression::UNCOMPRESSED)
            .set_column_compression(ColumnPath::from("email"), Compression::SNAPPY)
            .set_column_compression(
                ColumnPath::from(vec!["contact".to_string(), "mobile".to_string()]),
                Compression::ZSTD(Default::default()),
            )
            .set_column_compression(
                ColumnPath::from("dob"),
                Compression::GZIP(Default::default()),
            )
            .build();
        let mut out = Vec::new();
        let mut w = SerializedFileWriter::new(&mut out, schema, Arc::new(props)).unwrap();
        let mut id = 0i64;
        for rows in GROUPS {
            let mut rg = w.next_row_group().unwrap();
            let mut col = 0;
            while let Some(mut c) = rg.next_column().unwrap() {
                match col {
                    0 => {
                        let ids: Vec<i64> = (id + 1..=id + rows.len() as i64).collect();
                        c.typed::<Int64Type>()
                            .write_batch(&ids, None, None)
                            .unwrap();
                    }
                    1 => {
                        let vals: Vec<ByteArray> = rows
                            .iter()
                            .filter_map(|r| r.0)
                            .map(ByteArray::from)
                            .collect();
                        let defs: Vec<i16> =
                            rows.iter().map(|r| i16::from(r.0.is_some())).collect();
                        c.typed::<ByteArrayType>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                    2 => {
                        let vals: Vec<ByteArray> = rows
                            .iter()
                            .filter_map(|r| r.1.flatten())
                            .map(ByteArray::from)
                            .collect();
                        // 0: contact null; 1: contact present, mobile null; 2: both present.
                        let defs: Vec<i16> = rows
                            .iter()
                            .map(|r| match r.1 {
                                None => 0,
                                Some(None) => 1,
                                Some(Some(_)) => 2,
                            })
                            .collect();
                        c.typed::<ByteArrayType>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                    4 => {
                        // A list on the first row of each group only: two elements, then an
                        // empty list (definition level 1). Repetition level 1 continues a list.
                        let vals: Vec<ByteArray> = ["eve@example.com", "fay@example.com"]
                            .map(ByteArray::from)
                            .to_vec();
                        c.typed::<ByteArrayType>()
                            .write_batch(&vals, Some(&[3, 3, 1]), Some(&[0, 1, 0]))
                            .unwrap();
                    }
                    _ => {
                        let vals: Vec<i32> = rows.iter().filter_map(|r| r.2).collect();
                        let defs: Vec<i16> =
                            rows.iter().map(|r| i16::from(r.2.is_some())).collect();
                        c.typed::<Int32Type>()
                            .write_batch(&vals, Some(&defs), None)
                            .unwrap();
                    }
                }
                c.close().unwrap();
                col += 1;
            }
            rg.close().unwrap();
            id += rows.len() as i64;
        }
        w.close().unwrap();
        out
    }

    /// Asserts a finding of `kind` whose path ends with `path`, on `line` (= row), in `field`.
    fn assert_found(findings: &[Value], path: &str, line: u64, field: &str, kind: &str) {
        assert!(
            findings.iter().any(|f| {
                f["path"].as_str().is_some_and(|p| p.ends_with(path))
                    && f["line"] == line
                    && f["record"] == line
                    && f["field"] == field
                    && f["kind"] == kind
                    && f["column"] == 1
            }),
            "no {kind} at {path}:{line} field {field}; got {findings:#?}"
        );
    }

    #[test]
    fn parquet_columns_are_fields_and_rows_are_lines() {
        let dir = TempDir::new().unwrap();
        let bytes = customers_parquet();
        // A lying extension: the magic decides.
        write(dir.path(), "customers.bin", &bytes);
        // And as a gzip stream, which is spooled for the footer at the end.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&bytes).unwrap();
        write(dir.path(), "customers.parquet.gz", gz.finish().unwrap());
        let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        let report = run.json();
        for input in report["inputs"].as_array().unwrap() {
            assert_eq!(input["format"], "parquet", "{input:#}");
            assert_eq!(input["records"], 6, "{input:#}");
        }
        let f = report["findings"].as_array().unwrap();
        for path in ["customers.bin", "customers.parquet.gz"] {
            assert_found(f, path, 1, "email", "email");
            assert_found(f, path, 3, "email", "email");
            assert_found(f, path, 5, "email", "email");
            assert_found(f, path, 1, "contact.mobile", "phone");
            assert_found(f, path, 4, "contact.mobile", "phone");
            assert_found(f, path, 5, "contact.mobile", "phone");
            // DATE columns become YYYY-MM-DD text, so `dob` makes them birth dates.
            assert_found(f, path, 1, "dob", "date_of_birth");
            assert_found(f, path, 3, "dob", "date_of_birth");
            assert_found(f, path, 5, "dob", "date_of_birth");
            // List elements: `name[]`, on the first row of each row group.
            for line in [1, 3, 5] {
                assert_found(f, path, line, "alt_emails[]", "email");
            }
            // Null rows give nothing; the id column is not PII.
            let mine = |x: &&Value| x["path"].as_str().is_some_and(|p| p.ends_with(path));
            assert!(
                !f.iter()
                    .filter(mine)
                    .any(|x| x["line"] == 2 || x["field"] == "id"),
                "{f:#?}"
            );
            assert_eq!(f.iter().filter(mine).count(), 16, "{f:#?}");
        }
        // Masked: no raw value in the report.
        assert!(!run.stdout.contains("ann@example.com"));
    }

    #[test]
    fn truncated_parquet_fails_alone() {
        let dir = TempDir::new().unwrap();
        let bytes = customers_parquet();
        write(dir.path(), "good.parquet", &bytes);
        write(dir.path(), "broken.parquet", &bytes[..bytes.len() * 2 / 3]);
        let run = scan(&["--format", "json", &dir.path().to_string_lossy()]);
        assert_eq!(run.code, 2, "stderr: {}", run.stderr);
        let report = run.json();
        let errors = report["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert!(
            errors[0]["path"]
                .as_str()
                .unwrap()
                .ends_with("broken.parquet")
        );
        let reason = errors[0]["reason"].as_str().unwrap();
        assert!(reason.contains("parquet"), "{reason}");
        assert!(!reason.contains("example.com"), "{reason}");
        let findings = report["findings"].as_array().unwrap();
        assert_found(findings, "good.parquet", 1, "email", "email");
    }
}
