//! What scanning one input reports: its [`Status`] and its [`InputReport`]. Below the scanner
//! and the container walk ([`super::unpack`]), which both make reports.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::detect::columns::ColumnSummary;
use crate::finding::Finding;

/// What happened to one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", content = "reason", rename_all = "snake_case")]
pub enum Status {
    /// Read to the end.
    Scanned,
    /// Not looked at, by policy (binary, too large, symlink not followed, special file).
    Skipped(String),
    /// Could not be scanned (unreadable, vanished, malformed, internal error). The run is
    /// incomplete: exit code 2.
    Error(String),
}

/// One input's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputReport {
    /// Display path.
    pub path: Arc<str>,
    /// Raw bytes read.
    pub bytes: u64,
    /// Format used, if it got that far.
    pub format: Option<String>,
    /// Encoding used, if it got that far.
    pub encoding: Option<String>,
    /// Records seen.
    pub records: u64,
    /// Outcome.
    #[serde(flatten)]
    pub status: Status,
    /// Findings (not serialised here: reports list them once, globally).
    #[serde(skip)]
    pub findings: Vec<Finding>,
    /// Findings dropped by an allowlist or `piiscan:allow` (counted, never silent).
    #[serde(default)]
    pub suppressed: u64,
    /// Fields classified by their values ([`crate::detect::columns`]); `None` when there are
    /// none. Boxed so it costs one pointer: an archive at the member cap makes 100,000 reports,
    /// and a plain `Vec` here (24 bytes each, again in the report's summaries) pushed that
    /// case's peak RSS from 240 MB to 288 MB in 4 of 6 runs, over the hostile suite's bound.
    #[serde(default)]
    pub columns: Option<Box<Vec<ColumnSummary>>>,
    /// For a table of a live database: how it was sampled, and the catalogue's row count
    /// (see [`crate::scan::db`]); `None` for everything else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample: Option<Box<crate::input::db::TableSample>>,
}

impl InputReport {
    /// A report for an input that was never opened.
    pub fn not_scanned(path: Arc<str>, status: Status) -> InputReport {
        InputReport {
            path,
            bytes: 0,
            format: None,
            encoding: None,
            records: 0,
            status,
            findings: Vec::new(),
            suppressed: 0,
            columns: None,
            sample: None,
        }
    }
}
