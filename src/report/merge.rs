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
//! Reports of a sharded scan (`scan --shard K/N`, which records its shard) must all be shards of
//! the same N, every K from 1 to N exactly once: a missing shard would make the totals quietly
//! short. Roots repeated by several reports (every shard lists the same) are listed once.

use std::collections::BTreeMap;

use thiserror::Error;

use super::{Report, SCHEMA_VERSION, Totals};
use crate::exposure::{Exposure, MergeError, State};
use crate::scan::spool::{Findings, Included};

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
    /// Some reports are shards of a sharded scan and others are not.
    #[error(
        "report {index} {what} while report 0 {other}; merge the shards of one scan on their own"
    )]
    ShardMixed {
        /// 0-based position of the report.
        index: usize,
        /// What it is.
        what: &'static str,
        /// What report 0 is.
        other: &'static str,
    },
    /// Shards of scans split into different numbers of shards.
    #[error(
        "report {index} is shard {found} of a different number of shards than report 0 ({expected})"
    )]
    ShardCount {
        /// 0-based position of the report.
        index: usize,
        /// Its shard, `K/N`.
        found: String,
        /// Report 0's shard, `K/N`.
        expected: String,
    },
    /// The same shard twice.
    #[error("reports {first} and {index} are both shard {shard}")]
    ShardDuplicate {
        /// 0-based position of the first report with this shard.
        first: usize,
        /// 0-based position of the second.
        index: usize,
        /// `K/N`.
        shard: String,
    },
    /// A shard number outside 1..=N (the report was edited, or is not piiscan's).
    #[error("report {index} claims to be shard {shard}, which does not exist")]
    ShardInvalid {
        /// 0-based position of the report.
        index: usize,
        /// `K/N`.
        shard: String,
    },
    /// Not every shard is there.
    #[error(
        "missing {} of {count} shards: {}{}; the merged totals would be short",
        count - got,
        list(missing),
        if (*count - *got) as usize > missing.len() { ", …" } else { "" }
    )]
    ShardsMissing {
        /// The first (at most 20) shards (K) not given.
        missing: Vec<u32>,
        /// N.
        count: u32,
        /// How many distinct shards were given.
        got: u32,
    },
    /// The exposure states do not merge.
    #[error(transparent)]
    Exposure(#[from] MergeError),
}

/// `1, 2, 5`.
fn list(ks: &[u32]) -> String {
    ks.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// Checks that the reports are either no shards at all, or every shard of one sharded scan
/// exactly once.
fn check_shards(reports: &[Report]) -> Result<(), ReportMergeError> {
    let Some(first) = reports.first() else {
        return Ok(());
    };
    let name = |sharded: bool| {
        if sharded {
            "is a shard (scan --shard)"
        } else {
            "is not a shard"
        }
    };
    let Some(s0) = first.shard else {
        if let Some(index) = reports.iter().position(|r| r.shard.is_some()) {
            return Err(ReportMergeError::ShardMixed {
                index,
                what: name(true),
                other: name(false),
            });
        }
        return Ok(());
    };
    // Position of the report holding each K (index K-1); N is bounded by the reports given
    // before anything of size N is allocated.
    let mut seen: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for (index, r) in reports.iter().enumerate() {
        let Some(s) = r.shard else {
            return Err(ReportMergeError::ShardMixed {
                index,
                what: name(false),
                other: name(true),
            });
        };
        if s.index == 0 || s.index > s.count {
            return Err(ReportMergeError::ShardInvalid {
                index,
                shard: s.to_string(),
            });
        }
        if s.count != s0.count {
            return Err(ReportMergeError::ShardCount {
                index,
                found: s.to_string(),
                expected: s0.to_string(),
            });
        }
        if let Some(&first) = seen.get(&s.index) {
            return Err(ReportMergeError::ShardDuplicate {
                first,
                index,
                shard: s.to_string(),
            });
        }
        seen.insert(s.index, index);
    }
    // Every K is in 1..=N and none twice, so N distinct Ks are all of them.
    let got = seen.len() as u32;
    if got != s0.count {
        // List the first missing ones; `take` stops early, so a bogus N of 4 billion costs
        // no more than the reports given.
        let missing: Vec<u32> = (1..=s0.count)
            .filter(|k| !seen.contains_key(k))
            .take(20)
            .collect();
        return Err(ReportMergeError::ShardsMissing {
            missing,
            count: s0.count,
            got,
        });
    }
    Ok(())
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
    check_shards(&reports)?;
    let mut out_roots = Vec::new();
    let mut seen_roots = std::collections::HashSet::new();
    let (mut inputs, mut findings, mut errors, mut skipped, mut states) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut started: Option<String> = None;
    let mut finished: Option<String> = None;
    let mut version = String::new();
    // Reports that do not carry every finding still count them: their totals add up (shards
    // are disjoint), and the merged report carries the least any of them carried.
    let included = reports
        .iter()
        .map(|r| r.findings_included)
        .min()
        .unwrap_or_default();
    let mut counted = Totals::default();
    for r in &reports {
        counted.findings += r.totals.findings;
        for (&k, &n) in &r.totals.by_kind {
            *counted.by_kind.entry(k).or_insert(0) += n;
        }
        for (&c, &n) in &r.totals.by_confidence {
            *counted.by_confidence.entry(c).or_insert(0) += n;
        }
    }
    for r in reports {
        // RFC 3339 UTC timestamps order as strings.
        if started.as_ref().is_none_or(|s| r.started < *s) {
            started = Some(r.started.clone());
        }
        if finished.as_ref().is_none_or(|f| r.finished > *f) {
            finished = Some(r.finished.clone());
        }
        version = r.version;
        for root in r.roots {
            if seen_roots.insert(root.clone()) {
                out_roots.push(root);
            }
        }
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
    if included != Included::All {
        totals.findings = counted.findings;
        totals.by_kind = counted.by_kind;
        totals.by_confidence = counted.by_confidence;
    }
    let mut exposure =
        Exposure::derive(state, weights).map_err(|e| ReportMergeError::Clusters(e.to_string()))?;
    super::estimate_rows(&mut exposure, &inputs);
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
        findings: Findings::from(findings).with_included(included),
        findings_included: included,
        errors,
        skipped,
        key_id,
        shard: None,
        exposure,
        kind_confidence,
    })
}
