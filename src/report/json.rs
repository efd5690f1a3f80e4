//! `--format json`: the whole [`Report`] as one document (metadata, per-input summaries, all
//! findings, all errors and skips). The schema is versioned by `schema_version`.

use std::io::{self, Write};

use super::{Report, Reporter};

/// The JSON reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Reporter for Json {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // Compact: a report of a million inputs was 1.57 GB pretty-printed; `jq .` formats it.
        serde_json::to_writer(&mut *out, report)?;
        out.write_all(b"\n")
    }
}
