//! `--format jsonl`: one finding per line, with exactly the documented fields (plus `explain`
//! under `--explain`), for piping into `jq`, log pipelines and SIEMs.

use std::io::{self, Write};

use serde::Serialize;

use super::{Report, Reporter};
use crate::finding::Finding;

/// The JSONL reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jsonl;

/// The wire form of one finding: the documented contract, in order.
#[derive(Serialize)]
struct Line<'a> {
    path: &'a str,
    line: u64,
    column: u64,
    kind: &'a str,
    detector: &'a str,
    confidence: &'a str,
    field: Option<&'a str>,
    masked: &'a str,
    fingerprint: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<&'a str>,
}

impl<'a> From<&'a Finding> for Line<'a> {
    fn from(f: &'a Finding) -> Self {
        Line {
            path: &f.path,
            line: f.line,
            column: f.column,
            kind: f.kind.as_str(),
            detector: &f.detector,
            confidence: f.confidence.as_str(),
            field: f.field.as_deref(),
            masked: &f.masked,
            fingerprint: &f.fingerprint,
            explain: f.explain.as_deref(),
        }
    }
}

impl Reporter for Jsonl {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for f in report.findings.iter() {
            serde_json::to_writer(&mut *out, &Line::from(&f?))?;
            out.write_all(b"\n")?;
        }
        Ok(())
    }
}
