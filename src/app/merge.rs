//! `piiscan merge a.json b.json …`: combine the JSON reports of partial scans (shards of one
//! tree, or different trees, scanned with the same fingerprint key) into the report one scan
//! of everything would have given, and print it in any format.
//!
//! The reports are input: a file that does not parse, has another schema version, other
//! settings or another key, or repeats an input of another report is refused with a message
//! naming the file; nothing is merged partially. Shards of a `scan --shard K/N` must all be
//! there, each once (a missing shard is named). Exit codes follow `scan`: 2 if any merged
//! input could not be scanned (the merged scan is incomplete), else 1 if there are findings,
//! else 0.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Args;

use super::{EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE};
use piiscan::report::{self, Report, merge::ReportMergeError};

/// `piiscan merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// JSON reports (`scan --format json`) of scans over disjoint inputs, made with the same
    /// fingerprint key (`--fingerprint-key-file` or PIISCAN_FINGERPRINT_KEY).
    #[arg(value_name = "REPORT", required = true, num_args = 1..)]
    pub reports: Vec<PathBuf>,
    /// Output format of the merged report.
    #[arg(long, default_value = "text", value_parser = clap::builder::PossibleValuesParser::new(piiscan::report::FORMATS))]
    pub format: String,
    /// Write the merged report to FILE (atomically, mode 0600) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use colour in text output: auto (when stdout is a terminal and NO_COLOR is unset),
    /// always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: String,
    /// Text output: most entries of each list (files, places, folders, combinations, overlaps).
    #[arg(long, value_name = "N", default_value = "10")]
    pub top: usize,
    /// Which findings the merged JSON and SARIF reports carry: all (of those the reports
    /// carry), sample (the first 5 of each place) or none.
    #[arg(long, value_name = "WHICH", default_value = "all", value_parser = ["all", "sample", "none"])]
    pub findings: String,
}

fn read_report(path: &PathBuf) -> Result<Report> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    // serde_json's messages give line and column but never quote the input.
    serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{} is not a piiscan JSON report (schema version {})",
            path.display(),
            report::SCHEMA_VERSION
        )
    })
}

/// Runs `piiscan merge`; returns the exit code.
pub fn run(args: MergeArgs) -> Result<i32> {
    let reports = args
        .reports
        .iter()
        .map(read_report)
        .collect::<Result<Vec<Report>>>()?;
    let merged = match report::merge::merge(reports) {
        Ok(r) => r,
        Err(e) => {
            // Name the file, not just its position.
            let at = |i: usize| {
                args.reports
                    .get(i)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            };
            let file = match &e {
                ReportMergeError::SchemaVersion { index, .. }
                | ReportMergeError::Settings { index, .. }
                | ReportMergeError::RandomKey { index }
                | ReportMergeError::KeyMismatch { index }
                | ReportMergeError::ShardMixed { index, .. }
                | ReportMergeError::ShardCount { index, .. }
                | ReportMergeError::ShardInvalid { index, .. } => format!(" ({})", at(*index)),
                ReportMergeError::ShardDuplicate { first, index, .. } => {
                    format!(" ({} and {})", at(*first), at(*index))
                }
                _ => String::new(),
            };
            bail!("cannot merge: {e}{file}");
        }
    };
    let mut merged = merged;
    let included = report::Included::parse(&args.findings).unwrap_or_default();
    if included < merged.findings_included {
        merged.include_findings(included);
    }
    super::emit_report(
        &merged,
        &super::Emit {
            format: &args.format,
            color: &args.color,
            list: false,
            top: args.top,
        },
        args.output.as_deref(),
    )?;
    Ok(if merged.totals.errors > 0 {
        EXIT_INCOMPLETE
    } else if merged.totals.findings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}
