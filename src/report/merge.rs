//! Merging the JSON reports of partial scans into the report of one big scan.
//!
//! A share too big for one machine is scanned in shards (different trees, or disjoint parts of
//! one tree) with the same fingerprint key; `piiscan merge a.json b.json …` combines them.
//! Inputs, findings, errors and skips are concatenated and re-sorted; totals are recomputed;
//! the exposure section is re-derived from the concatenated [`State`], which links people
//! across shards by fingerprint. The result is exactly the report one scan of all shards would
//! give, except `roots` (concatenated) and the times (earliest start, latest finish).
//!
//! Reports are input here: everything that would make the sum wrong is refused with a
//! [`ReportMergeError`] — different schema versions, settings, fingerprint keys or weights, a
//! random per-run key (its fingerprints link nothing across runs), or an input in two reports.

use std::collections::BTreeMap;

use thiserror::Error;

use super::{Report, SCHEMA_VERSION, Totals};
use crate::exposure::{Exposure, MergeError, State};

/// Why reports cannot be merged.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReportMergeError {
    /// A report's findings could not be read back (from the temporary spool).
    #[error("reading findings: {0}")]
    Findings(String),
    /// Reading person clusters back failed (only possible for a report made in this process,
    /// whose clusters are spooled).
    #[error("reading person clusters: {0}")]
    Clusters(String),
    /// Nothing to merge.
    #[error("no reports to merge")]
    Empty,
    /// A report has another schema version.
    #[error("report {index} has schema version {found}; this piiscan reads version {expected}")]
    SchemaVersion {
        /// 0-based position of the report.
        index: usize,
        /// Its version.
        found: u32,
        /// [`SCHEMA_VERSION`].
        expected: u32,
    },
    /// A report was made with different settings.
    #[error("report {index} was made with a different {setting} than report 0")]
    Settings {
        /// 0-based position of the report.
        index: usize,
        /// Which setting differs.
        setting: &'static str,
    },
    /// Fingerprints from a random per-run key never match another run's.
    #[error(
        "report {index} used a random per-run fingerprint key; scan every shard with the same --fingerprint-key-file"
    )]
    RandomKey {
        /// 0-based position of the report.
        index: usize,
    },
    /// Two reports used different fingerprint keys.
    #[error("report {index} used a different fingerprint key than report 0")]
    KeyMismatch {
        /// 0-based position of the report.
        index: usize,
    },
    /// The exposure states do not merge.
    #[error(transparent)]
    Exposure(#[from] MergeError),
}

/// Merges reports of disjoint partial scans (see the module docs).
pub fn merge(reports: Vec<Report>) -> Result<Report, ReportMergeError> {
    let Some(first) = reports.first() else {
        return Err(ReportMergeError::Empty);
    };
    let (settings, weights, key_id) = (
        first.settings.clone(),
        first.exposure.weights.clone(),
        first.key_id.clone(),
    );
    let several = reports.len() > 1;
    for (index, r) in reports.iter().enumerate() {
        if r.schema_version != SCHEMA_VERSION {
            return Err(ReportMergeError::SchemaVersion {
                index,
                found: r.schema_version,
                expected: SCHEMA_VERSION,
            });
        }
        let s = &r.settings;
        let differs = [
            (
                "minimum confidence",
                s.min_confidence != settings.min_confidence,
            ),
            ("phone region", s.region != settings.region),
            ("--reveal setting", s.reveal != settings.reveal),
            ("detector set", s.detectors != settings.detectors),
            (
                "max_link_partners",
                r.exposure.weights.max_link_partners != weights.max_link_partners,
            ),
            ("risk weights", r.exposure.weights != weights),
        ];
        if let Some((setting, _)) = differs.iter().find(|(_, d)| *d) {
            return Err(ReportMergeError::Settings { index, setting });
        }
        if several && s.fingerprint_key == "random" {
            return Err(ReportMergeError::RandomKey { index });
        }
        if r.key_id != key_id {
            return Err(ReportMergeError::KeyMismatch { index });
        }
    }
    let mut out_roots = Vec::new();
    let (mut inputs, mut findings, mut errors, mut skipped, mut states) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut started: Option<String> = None;
    let mut finished: Option<String> = None;
    let mut version = String::new();
    for r in reports {
        // RFC 3339 UTC timestamps order as strings.
        if started.as_ref().is_none_or(|s| r.started < *s) {
            started = Some(r.started.clone());
        }
        if finished.as_ref().is_none_or(|f| r.finished > *f) {
            finished = Some(r.finished.clone());
        }
        version = r.version;
        out_roots.extend(r.roots);
        inputs.extend(r.inputs);
        findings.extend(
            r.findings
                .to_vec()
                .map_err(|e| ReportMergeError::Findings(e.to_string()))?,
        );
        errors.extend(r.errors);
        skipped.extend(r.skipped);
        states.push(r.exposure.state);
    }
    // Duplicate inputs are refused by the state merge, which sees every input.
    let state = State::merge(states)?;
    inputs.sort_by(|a, b| a.path.cmp(&b.path));
    findings.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.detector).cmp(&(&b.path, b.line, b.column, &b.detector))
    });
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    let mut totals = Totals::default();
    for i in &inputs {
        totals.inputs += 1;
        totals.bytes += i.bytes;
        totals.records += i.records;
        match i.status.as_str() {
            "scanned" => totals.scanned += 1,
            "skipped" => totals.skipped += 1,
            _ => totals.errors += 1,
        }
    }
    for f in &findings {
        *totals.by_kind.entry(f.kind).or_insert(0) += 1;
        *totals.by_confidence.entry(f.confidence).or_insert(0) += 1;
    }
    totals.findings = findings.len() as u64;
    let mut kind_confidence = BTreeMap::new();
    for f in &findings {
        *kind_confidence.entry((f.kind, f.confidence)).or_insert(0) += 1;
    }
    Ok(Report {
        schema_version: SCHEMA_VERSION,
        tool: "piiscan".into(),
        version,
        started: started.unwrap_or_default(),
        finished: finished.unwrap_or_default(),
        roots: out_roots,
        settings,
        totals,
        inputs,
        findings: findings.into(),
        errors,
        skipped,
        key_id,
        exposure: Exposure::derive(state, weights)
            .map_err(|e| ReportMergeError::Clusters(e.to_string()))?,
        kind_confidence,
    })
}
