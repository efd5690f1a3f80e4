//! Reports: the [`Report`] a scan produces, the [`Reporter`] seam every output format implements
//! (one file per format), and atomic, private writing of output files.
//!
//! Reporters see findings, never raw text: a [`Finding`](crate::finding::Finding) carries only masked values and keyed
//! fingerprints, so no report format can leak what the scan glue dropped.

pub mod baseline;
pub mod csv;
pub mod html;
pub mod json;
pub mod jsonl;
pub mod markdown;
pub mod merge;
pub mod sarif;
pub mod text;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::exposure::{Exposure, State, Weights};
use crate::finding::{Confidence, Fingerprinter, Kind};
use crate::scan::collect::{Collected, Collector};
use crate::scan::spool::Findings;
pub use crate::scan::spool::Included;
use crate::scan::{InputReport, Status};

/// Version of the JSON report schema; bumped on incompatible changes. Version 2 added
/// `exposure` (with its mergeable state) and `key_id`; version 3 made the state's clusters
/// per-record sets of linking values (linked only at derivation, past the shared-value guard)
/// and added placeholders and shared values. The schema is `report.schema.json`
/// beside this file ([`JSON_SCHEMA`]).
pub const SCHEMA_VERSION: u32 = 3;

/// The JSON Schema (draft 2020-12) of the `json` format.
pub const JSON_SCHEMA: &str = include_str!("report.schema.json");

/// How the run was configured, as far as a reader of the report needs to know.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// Findings below this were dropped.
    pub min_confidence: Confidence,
    /// Default phone region.
    pub region: String,
    /// `provided` (stable across runs with the same key) or `random` (this run only).
    pub fingerprint_key: String,
    /// Whether raw values were revealed.
    pub reveal: bool,
    /// Detector ids in use.
    pub detectors: Vec<String>,
}

/// Totals over the whole run.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Totals {
    /// Inputs seen (scanned + skipped + errors).
    pub inputs: u64,
    /// Inputs read to the end.
    pub scanned: u64,
    /// Inputs skipped by policy.
    pub skipped: u64,
    /// Inputs that could not be scanned.
    pub errors: u64,
    /// Raw bytes read.
    pub bytes: u64,
    /// Records seen.
    pub records: u64,
    /// Findings reported.
    pub findings: u64,
    /// Findings per kind.
    pub by_kind: BTreeMap<Kind, u64>,
    /// Findings per confidence.
    pub by_confidence: BTreeMap<Confidence, u64>,
}

/// One input in the report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputSummary {
    /// Display path.
    pub path: String,
    /// `scanned`, `skipped` or `error`.
    pub status: String,
    /// Why it was skipped or failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// Format used.
    pub format: Option<String>,
    /// Encoding used.
    pub encoding: Option<String>,
    /// Raw bytes read.
    pub bytes: u64,
    /// Records seen.
    pub records: u64,
    /// Findings reported in this input.
    pub findings: u64,
    /// Findings per kind.
    pub by_kind: BTreeMap<Kind, u64>,
    /// Fields classified by their values (kind, share of values, confidence).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub columns: Option<Box<Vec<crate::detect::columns::ColumnSummary>>>,
    /// A sampled table of a live database: how it was sampled and the catalogue's row count.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sample: Option<Box<crate::input::db::TableSample>>,
}

/// Fills each place's [`rows_exposed_estimate`](crate::exposure::PlaceExposure) for inputs
/// that are sampled tables: the place's sampled records scaled to the catalogue's row count
/// ([`crate::input::db::TableSample::estimate`]). Files keep `None`: they are read whole.
pub fn estimate_rows(exposure: &mut Exposure, inputs: &[InputSummary]) {
    let samples: BTreeMap<&str, &crate::input::db::TableSample> = inputs
        .iter()
        .filter_map(|i| i.sample.as_deref().map(|s| (i.path.as_str(), s)))
        .collect();
    if samples.is_empty() {
        return;
    }
    for input in &mut exposure.inputs {
        if let Some(s) = samples.get(input.path.as_str()) {
            for place in &mut input.places {
                place.rows_exposed_estimate = s.estimate(place.records);
            }
        }
    }
}

/// One place of a sampled table with its estimated rows exposed, for the reports' "live
/// tables" sections.
#[derive(Debug, Clone, PartialEq)]
pub struct RowEstimate<'a> {
    /// Input path (`<url>!schema.table`).
    pub path: &'a str,
    /// Field (`schema.table.column`).
    pub field: Option<&'a str>,
    /// Kind.
    pub kind: Kind,
    /// Sampled rows carrying the place.
    pub records: u64,
    /// The estimate for the whole table.
    pub estimate: u64,
    /// How the table was sampled.
    pub sample: &'a crate::input::db::TableSample,
}

/// Every place with a [`rows_exposed_estimate`](crate::exposure::PlaceExposure), largest
/// first.
pub fn row_estimates(report: &Report) -> Vec<RowEstimate<'_>> {
    let samples: BTreeMap<&str, &crate::input::db::TableSample> = report
        .inputs
        .iter()
        .filter_map(|i| i.sample.as_deref().map(|s| (i.path.as_str(), s)))
        .collect();
    let mut out: Vec<RowEstimate<'_>> = report
        .exposure
        .inputs
        .iter()
        .flat_map(|i| i.places.iter().map(move |p| (i.path.as_str(), p)))
        .filter_map(|(path, p)| {
            Some(RowEstimate {
                path,
                field: p.field.as_deref(),
                kind: p.kind,
                records: p.records,
                estimate: p.rows_exposed_estimate?,
                sample: samples.get(path)?,
            })
        })
        .collect();
    out.sort_by(|a, b| b.estimate.cmp(&a.estimate).then(a.path.cmp(b.path)));
    out
}

/// An estimate of rows as people read it: `≈ 1.2 M`, `≈ 35 k`, `≈ 950`.
pub fn approx_rows(n: u64) -> String {
    let f = n as f64;
    if n >= 1_000_000 {
        format!("≈ {:.1} M", f / 1e6)
    } else if n >= 10_000 {
        format!("≈ {:.0} k", f / 1e3)
    } else {
        format!("≈ {n}")
    }
}

/// An input that was skipped or failed, with its reason.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Issue {
    /// Display path.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// Everything one scan found.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `piiscan`.
    pub tool: String,
    /// Crate version.
    pub version: String,
    /// RFC 3339 start time.
    pub started: String,
    /// RFC 3339 finish time.
    pub finished: String,
    /// Paths given on the command line.
    pub roots: Vec<String>,
    /// Configuration.
    pub settings: Settings,
    /// Totals.
    pub totals: Totals,
    /// Every input, sorted by path.
    pub inputs: Vec<InputSummary>,
    /// Every finding, sorted by (path, line, column, detector); spooled to a temporary file
    /// during a scan (see [`crate::scan::spool`]). The JSON and SARIF reports carry those
    /// that `findings_included` says; the totals count them all.
    pub findings: Findings,
    /// Which findings the report carries (`scan --findings`): `all`, a `sample` per place, or
    /// `none`. Absent in reports written before the choice existed, which carry all.
    #[serde(default)]
    pub findings_included: Included,
    /// Inputs that could not be scanned.
    pub errors: Vec<Issue>,
    /// Inputs skipped by policy.
    pub skipped: Vec<Issue>,
    /// Identifies the fingerprint key without revealing it ([`key_id`]): reports can only be
    /// merged when their fingerprints come from the same key.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key_id: Option<String>,
    /// Which shard of a sharded scan this is (`scan --shard K/N`); absent for a whole scan and
    /// for a merged report. `merge` checks it has every shard of one scan, each once.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub shard: Option<crate::scan::shard::Shard>,
    /// Distinct people, combinations, the redaction plan, and the mergeable state.
    pub exposure: Exposure,
    /// Findings per (kind, confidence), for exit-code policies (not serialised: a report read
    /// back from JSON has it empty).
    #[serde(skip)]
    pub kind_confidence: BTreeMap<(Kind, Confidence), u64>,
}

/// A public identifier of a fingerprint key: the keyed fingerprint of a fixed string that no
/// detector can produce (it contains a NUL). Equal keys give equal ids; the id reveals nothing
/// about the key or any value.
pub fn key_id(fp: &Fingerprinter) -> String {
    fp.fingerprint(Kind::Email, "\0piiscan key id v1")
}

impl Report {
    /// Builds a report from per-input results held in memory (tests, small callers).
    pub fn build(
        inputs: Vec<InputReport>,
        roots: Vec<String>,
        settings: Settings,
        started: String,
        finished: String,
    ) -> Report {
        let c = Collector::in_memory();
        for r in inputs {
            c.add(r);
        }
        let built = c.finish().and_then(|(collected, findings)| {
            Report::from_collected(
                collected,
                findings,
                roots,
                settings,
                started,
                finished,
                Weights::default(),
            )
        });
        match built {
            Ok(r) => r,
            // An in-memory collector never writes a spool, so it cannot fail.
            Err(e) => unreachable!("in-memory collection failed: {e}"),
        }
    }

    /// Builds a report from collected inputs (sorted by path) and their findings (same order):
    /// see [`crate::scan::collect`]; exposure is derived with `weights`. Fails only if spooled person
    /// clusters cannot be read back.
    #[allow(clippy::too_many_arguments)]
    pub fn from_collected(
        collected: Vec<Collected>,
        findings: Findings,
        roots: Vec<String>,
        settings: Settings,
        started: String,
        finished: String,
        weights: Weights,
    ) -> io::Result<Report> {
        let mut totals = Totals::default();
        let mut summaries = Vec::with_capacity(collected.len());
        let (mut errors, mut skipped, mut states) = (Vec::new(), Vec::new(), Vec::new());
        let mut kind_confidence: BTreeMap<(Kind, Confidence), u64> = BTreeMap::new();
        for mut c in collected {
            let by_kind = c.by_kind();
            let r = &mut c.input;
            totals.inputs += 1;
            totals.bytes += r.bytes;
            totals.records += r.records;
            for (&(k, conf), &n) in &c.by_kind_confidence {
                *totals.by_kind.entry(k).or_insert(0) += n;
                *totals.by_confidence.entry(conf).or_insert(0) += n;
                *kind_confidence.entry((k, conf)).or_insert(0) += n;
            }
            let (status, reason) = match &r.status {
                Status::Scanned => {
                    totals.scanned += 1;
                    ("scanned", None)
                }
                Status::Skipped(why) => {
                    totals.skipped += 1;
                    skipped.push(Issue {
                        path: r.path.to_string(),
                        reason: why.clone(),
                    });
                    ("skipped", Some(why.clone()))
                }
                Status::Error(why) => {
                    totals.errors += 1;
                    errors.push(Issue {
                        path: r.path.to_string(),
                        reason: why.clone(),
                    });
                    ("error", Some(why.clone()))
                }
            };
            summaries.push(InputSummary {
                path: r.path.to_string(),
                status: status.to_string(),
                reason,
                format: r.format.clone(),
                encoding: r.encoding.clone(),
                bytes: r.bytes,
                records: r.records,
                findings: c.findings,
                by_kind,
                columns: r.columns.take(),
                sample: r.sample.take(),
            });
            states.push(c.state);
        }
        totals.findings = findings.len();
        let mut exposure = Exposure::derive(State::from_inputs(states)?, weights)?;
        estimate_rows(&mut exposure, &summaries);
        Ok(Report {
            schema_version: SCHEMA_VERSION,
            tool: "piiscan".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            started,
            finished,
            roots,
            settings,
            totals,
            inputs: summaries,
            findings,
            findings_included: Included::All,
            errors,
            skipped,
            key_id: None,
            shard: None,
            exposure,
            kind_confidence,
        })
    }

    /// Makes the JSON and SARIF reports carry only `included` findings (`scan --findings`);
    /// totals, summaries and exposure still count every finding.
    pub fn include_findings(&mut self, included: Included) {
        self.findings = std::mem::take(&mut self.findings).with_included(included);
        self.findings_included = included;
    }

    /// Whether any finding has a (kind, confidence) for which `pred` holds. Works from counts,
    /// so it does not read the findings back.
    pub fn any_finding(&self, pred: impl Fn(Kind, Confidence) -> bool) -> bool {
        self.kind_confidence
            .iter()
            .any(|(&(k, c), &n)| n > 0 && pred(k, c))
    }
}

/// An output format.
pub trait Reporter {
    /// Writes `report` to `out`.
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;
}

/// The reporter for a `--format` name.
pub fn reporter(name: &str, color: bool) -> Option<Box<dyn Reporter>> {
    match name {
        "text" => Some(Box::new(text::Text {
            color,
            ..text::Text::default()
        })),
        "json" => Some(Box::new(json::Json)),
        "jsonl" => Some(Box::new(jsonl::Jsonl)),
        "sarif" => Some(Box::new(sarif::Sarif)),
        "csv" => Some(Box::new(csv::Csv)),
        "markdown" => Some(Box::new(markdown::Markdown)),
        "html" => Some(Box::new(html::Html)),
        _ => None,
    }
}

/// Names accepted by [`reporter`], sorted after `text` (the default).
pub const FORMATS: &[&str] = &["text", "csv", "html", "json", "jsonl", "markdown", "sarif"];

/// Writes `bytes` to `path` atomically (temp file in the same directory, then rename) with mode
/// 0600, so a report — itself sensitive — is never readable by others or seen half-written.
/// An existing non-regular file (a device such as `/dev/null`, a FIFO) is written in place
/// instead: it is a destination, not a file to replace.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] for output produced piece by piece: `write` streams into the temporary file
/// (through a buffer), so a report of millions of findings is never held in memory whole. If
/// `write` fails, the temporary file is removed and `path` is untouched.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    // `-o /dev/null`, `-o /dev/stdout`, a FIFO: not a file to replace. Renaming a temp file over
    // them would turn `/dev/null` into a regular file for the whole machine; write in place.
    if let Ok(m) = std::fs::metadata(path)
        && !m.is_file()
        && !m.is_dir()
    {
        let f = std::fs::OpenOptions::new().write(true).open(path)?;
        let mut w = io::BufWriter::with_capacity(1 << 16, f);
        write(&mut w)?;
        return w.flush();
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    // tempfile creates files with mode 0600 on Unix.
    let mut tmp = tempfile::Builder::new()
        .prefix(".piiscan-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    {
        let mut w = io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        write(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// `1536` → `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// A share (0..=1) as a whole percentage, never rounding a non-zero share to 0 or a partial one
/// to 100.
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    let r = p.round();
    if p > 0.0 && r == 0.0 {
        "<1%".into()
    } else if p < 100.0 && r == 100.0 {
        ">99%".into()
    } else {
        format!("{r:.0}%")
    }
}

/// The plan's headline: the fewest steps that remove at least 90% of the risk score (or all
/// steps if none do), e.g. "These 3 actions remove 91% of the risk score."
pub fn plan_headline(exposure: &Exposure) -> Option<String> {
    let plan = &exposure.plan;
    let step = plan
        .iter()
        .find(|s| s.cumulative_share >= 0.9)
        .or(plan.last())?;
    Some(if step.rank == 1 {
        format!(
            "This 1 action removes {} of the risk score.",
            percent(step.cumulative_share)
        )
    } else {
        format!(
            "These {} actions remove {} of the risk score.",
            step.rank,
            percent(step.cumulative_share)
        )
    })
}

/// The noun for `n` things: `one` for exactly 1, else `many` ("0 records", "1 record").
pub fn noun<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `n` and its noun: `plural(1, "person", "people")` → `1 person`, `plural(2, …)` → `2 people`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", noun(n, one, many))
}

/// Escapes control characters in a path for the terminal (a file named `\x1b[2J…` must not
/// drive it).
pub fn escape_for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn empty_report() -> Report {
        let settings = Settings {
            min_confidence: Confidence::Medium,
            region: "AU".into(),
            fingerprint_key: "provided".into(),
            reveal: false,
            detectors: vec!["email".into()],
        };
        Report::build(
            Vec::new(),
            vec![".".into()],
            settings,
            "t0".into(),
            "t1".into(),
        )
    }

    /// A report whose path and field try to inject markup, formulas and terminal escapes.
    fn hostile_report() -> Report {
        use std::sync::Arc;
        let path: Arc<str> = Arc::from("=cmd|' /C calc'!A0<script>alert(1)</script>\x1b[2J.csv");
        let field: Arc<str> = Arc::from("<img src=x onerror=alert(2)>|[x](http://e)");
        let fp = Fingerprinter::new(b"hostile-test-key");
        let finding = |line: u64, kind: Kind, v: &str| crate::finding::Finding {
            path: path.clone(),
            line,
            column: 1,
            kind,
            detector: Arc::from(kind.as_str()),
            confidence: Confidence::High,
            field: Some(field.clone()),
            masked: "***".into(),
            fingerprint: fp.fingerprint(kind, v).into(),
            record: Some(line),
            explain: None,
            placeholder: false,
        };
        let mut input = InputReport::not_scanned(path.clone(), Status::Scanned);
        input.records = 2;
        input.findings = vec![
            finding(1, Kind::Email, "a@x.com"),
            finding(2, Kind::Email, "b@x.com"),
        ];
        let failed = InputReport::not_scanned(
            Arc::from("</td><script>x</script>"),
            Status::Error("bad <b>".into()),
        );
        let base = empty_report();
        Report::build(
            vec![input, failed],
            base.roots,
            base.settings,
            "t0".into(),
            "t1".into(),
        )
    }

    fn render(name: &str, r: &Report) -> String {
        let mut out = Vec::new();
        let ok = reporter(name, false).map(|rep| rep.write(r, &mut out));
        assert!(matches!(ok, Some(Ok(()))), "{name}");
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn hostile_paths_cannot_inject() {
        let r = hostile_report();
        let html = render("html", &r);
        assert_eq!(html.matches("<script").count(), 1, "only our own script");
        assert!(!html.contains("<img"));
        let md = render("markdown", &r);
        assert!(!md.contains("<script") && !md.contains("<img") && !md.contains("](http"));
        let text = render("text", &r);
        assert!(!text.contains('\x1b'));
        let csv = render("csv", &r);
        assert!(
            csv.lines()
                .skip(1)
                .all(|l| l.starts_with("\"'=") || l.starts_with("'="))
        );
        let sarif = render("sarif", &r);
        assert!(sarif.contains("%3Cscript%3E"));
    }

    #[test]
    fn registry_is_complete_and_sorted() {
        assert_eq!(FORMATS[0], "text");
        assert!(FORMATS[1..].windows(2).all(|w| w[0] < w[1]));
        for name in FORMATS {
            assert!(reporter(name, false).is_some(), "{name}");
        }
        assert!(reporter("yaml", false).is_none());
    }

    #[test]
    fn every_format_renders_an_empty_report() {
        let report = empty_report();
        for name in FORMATS {
            let mut out = Vec::new();
            let r = reporter(name, false).map(|r| r.write(&report, &mut out));
            assert!(matches!(r, Some(Ok(()))), "{name}");
        }
    }

    #[test]
    fn embedded_schema_is_json() {
        let v: Result<serde_json::Value, _> = serde_json::from_str(JSON_SCHEMA);
        assert!(v.is_ok_and(|v| v["properties"]["schema_version"]["const"] == SCHEMA_VERSION));
    }

    #[test]
    fn plurals_agree_with_their_count() {
        let cases = [
            (0, "0 people"),
            (1, "1 person"),
            (2, "2 people"),
            (21, "21 people"),
        ];
        for (n, want) in cases {
            assert_eq!(plural(n, "person", "people"), want);
        }
        assert_eq!(noun(1, "record", "records"), "record");
        assert_eq!(noun(0, "record", "records"), "records");
    }

    #[test]
    fn percentages_never_round_to_the_ends() {
        assert_eq!(percent(0.001), "<1%");
        assert_eq!(percent(0.999), ">99%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.912), "91%");
    }

    #[test]
    fn merge_refuses_what_would_make_the_sum_wrong() {
        use merge::{ReportMergeError, merge};
        assert_eq!(merge(Vec::new()).err(), Some(ReportMergeError::Empty));
        let a = empty_report();
        let mut b = empty_report();
        b.settings.region = "NZ".into();
        assert!(matches!(
            merge(vec![a.clone(), b]),
            Err(ReportMergeError::Settings { index: 1, .. })
        ));
        let mut c = empty_report();
        c.schema_version = 1;
        assert!(matches!(
            merge(vec![a.clone(), c]),
            Err(ReportMergeError::SchemaVersion { index: 1, .. })
        ));
        let mut d = empty_report();
        d.key_id = Some("00".into());
        assert_eq!(
            merge(vec![a.clone(), d]).err(),
            Some(ReportMergeError::KeyMismatch { index: 1 })
        );
        // The same root given to two partial scans is listed once.
        let ok = merge(vec![a.clone(), a]);
        assert!(ok.is_ok_and(|r| r.roots == ["."] && r.started == "t0"));
    }

    #[test]
    fn merge_needs_every_shard_once() {
        use crate::scan::shard::Shard;
        use merge::{ReportMergeError as E, merge};
        let shard = |index, count| {
            let mut r = empty_report();
            r.shard = Some(Shard { index, count });
            r
        };
        let merged = merge(vec![shard(2, 3), shard(3, 3), shard(1, 3)]);
        assert!(merged.is_ok_and(|r| r.shard.is_none() && r.roots == ["."]));
        for (reports, want) in [
            (
                vec![shard(1, 3), shard(3, 3)],
                E::ShardsMissing {
                    missing: vec![2],
                    count: 3,
                    got: 2,
                },
            ),
            (
                vec![shard(1, 3), shard(2, 3), shard(1, 3)],
                E::ShardDuplicate {
                    first: 0,
                    index: 2,
                    shard: "1/3".into(),
                },
            ),
            (
                vec![shard(1, 3), shard(2, 2)],
                E::ShardCount {
                    index: 1,
                    found: "2/2".into(),
                    expected: "1/3".into(),
                },
            ),
            (
                vec![shard(1, 2), shard(3, 2)],
                E::ShardInvalid {
                    index: 1,
                    shard: "3/2".into(),
                },
            ),
            (
                vec![empty_report(), shard(1, 1)],
                E::ShardMixed {
                    index: 1,
                    what: "is a shard (scan --shard)",
                    other: "is not a shard",
                },
            ),
            (
                vec![shard(1, 2), empty_report()],
                E::ShardMixed {
                    index: 1,
                    what: "is not a shard",
                    other: "is a shard (scan --shard)",
                },
            ),
        ] {
            let msg = want.to_string();
            assert_eq!(merge(reports).err(), Some(want), "{msg}");
        }
        // A bogus N lists a bounded number of missing shards.
        let e = merge(vec![shard(1, u32::MAX)]).err();
        let Some(E::ShardsMissing { missing, got, .. }) = &e else {
            panic!("{e:?}");
        };
        assert_eq!((missing.len(), *got), (20, 1));
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            msg.starts_with("missing 4294967294 of 4294967295 shards: 2, 3,")
                && msg.contains(", …;"),
            "{msg}"
        );
    }
}
