//! `piiscan diff OLD.json NEW.json`: how exposure changed between two JSON reports.
//!
//! A *place* is (input path, field); for each place and kind the diff compares the distinct
//! values (keyed fingerprints), records and findings of the two reports and classes the pair as
//! new, resolved, grown or shrunk. Exposure *grew* — exit 1 — when a place/kind is new or holds
//! more distinct values than before. Values are compared by fingerprint only, so both reports
//! must have been made with the same provided key (equal `key_id`); otherwise the diff falls
//! back to counting findings and says so. An input that could not be scanned in NEW is "unknown", never
//! "resolved": not looking is not fixing.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::cli::DiffArgs;
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use piiscan::finding::Kind;
use piiscan::report::escape_for_terminal;

#[derive(Deserialize)]
struct RSettings {
    fingerprint_key: String,
}

#[derive(Deserialize)]
struct RFinding {
    path: String,
    field: Option<String>,
    kind: Kind,
    fingerprint: String,
    #[serde(default)]
    record: Option<u64>,
}

#[derive(Deserialize)]
struct RInput {
    path: String,
    status: String,
}

#[derive(Deserialize)]
struct RPlace {
    field: Option<String>,
    kind: Kind,
    people: u64,
}

#[derive(Deserialize)]
struct RInputExposure {
    path: String,
    #[serde(default)]
    places: Vec<RPlace>,
}

#[derive(Deserialize)]
struct RSummary {
    people: u64,
}

/// The exposure section (report schema 2), if present: distinct people per place.
#[derive(Deserialize)]
struct RExposure {
    summary: RSummary,
    #[serde(default)]
    inputs: Vec<RInputExposure>,
}

/// The parts of a JSON report the diff needs (other keys are ignored, so reports from newer
/// versions with more keys still compare).
#[derive(Deserialize)]
struct RReport {
    settings: RSettings,
    findings: Vec<RFinding>,
    #[serde(default)]
    inputs: Vec<RInput>,
    #[serde(default)]
    key_id: Option<String>,
    #[serde(default)]
    exposure: Option<RExposure>,
}

#[derive(Default)]
struct Stats {
    findings: u64,
    values: BTreeSet<String>,
    records: BTreeSet<u64>,
    people: Option<u64>,
}

type Key = (String, Option<String>, Kind);

fn load(path: &Path) -> Result<(RReport, BTreeMap<Key, Stats>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let report: RReport = serde_json::from_slice(&bytes).with_context(|| {
        format!(
            "{}: not a piiscan JSON report (make one with `piiscan scan --format json`)",
            path.display()
        )
    })?;
    let mut places: BTreeMap<Key, Stats> = BTreeMap::new();
    for f in &report.findings {
        let s = places
            .entry((f.path.clone(), f.field.clone(), f.kind))
            .or_default();
        s.findings += 1;
        s.values.insert(f.fingerprint.clone());
        if let Some(r) = f.record {
            s.records.insert(r);
        }
    }
    if let Some(e) = &report.exposure {
        for i in &e.inputs {
            for p in &i.places {
                if let Some(s) = places.get_mut(&(i.path.clone(), p.field.clone(), p.kind)) {
                    s.people = Some(p.people);
                }
            }
        }
    }
    Ok((report, places))
}

/// One place and kind whose exposure changed.
#[derive(Debug, Serialize)]
struct Row {
    status: &'static str,
    path: String,
    field: Option<String>,
    kind: Kind,
    old_values: u64,
    new_values: u64,
    values_added: u64,
    values_removed: u64,
    old_records: u64,
    new_records: u64,
    old_findings: u64,
    new_findings: u64,
    /// Distinct people exposed through the place (from the reports' exposure sections).
    old_people: Option<u64>,
    new_people: Option<u64>,
}

/// The whole diff, as `--format json` prints it.
#[derive(Debug, Serialize)]
struct Diff {
    grew: bool,
    compared_by: &'static str,
    new: u64,
    grown: u64,
    resolved: u64,
    shrunk: u64,
    unknown: u64,
    distinct_values_added: BTreeMap<Kind, u64>,
    /// Distinct people exposed in the whole report, old and new (exposure sections).
    people: Option<(u64, u64)>,
    places: Vec<Row>,
}

fn build(old: &(RReport, BTreeMap<Key, Stats>), new: &(RReport, BTreeMap<Key, Stats>)) -> Diff {
    let by_fp = old.0.settings.fingerprint_key == "provided"
        && new.0.settings.fingerprint_key == "provided"
        && old.0.key_id == new.0.key_id;
    let errored: BTreeSet<&str> = new
        .0
        .inputs
        .iter()
        .filter(|i| i.status == "error")
        .map(|i| i.path.as_str())
        .collect();
    let empty = Stats::default();
    let keys: BTreeSet<&Key> = old.1.keys().chain(new.1.keys()).collect();
    let mut d = Diff {
        grew: false,
        compared_by: if by_fp {
            "fingerprint"
        } else {
            "finding count"
        },
        new: 0,
        grown: 0,
        resolved: 0,
        shrunk: 0,
        unknown: 0,
        distinct_values_added: BTreeMap::new(),
        people: match (&old.0.exposure, &new.0.exposure) {
            (Some(o), Some(n)) => Some((o.summary.people, n.summary.people)),
            _ => None,
        },
        places: Vec::new(),
    };
    for key in keys {
        let o = old.1.get(key).unwrap_or(&empty);
        let n = new.1.get(key).unwrap_or(&empty);
        let added = n.values.difference(&o.values).count() as u64;
        let removed = o.values.difference(&n.values).count() as u64;
        let (ov, nv) = if by_fp {
            (o.values.len() as u64, n.values.len() as u64)
        } else {
            (o.findings, n.findings)
        };
        let status = if o.findings == 0 {
            "new"
        } else if n.findings == 0 && errored.contains(key.0.as_str()) {
            "unknown"
        } else if n.findings == 0 {
            "resolved"
        } else if nv > ov {
            "grown"
        } else if nv < ov {
            "shrunk"
        } else {
            continue;
        };
        match status {
            "new" => d.new += 1,
            "grown" => d.grown += 1,
            "resolved" => d.resolved += 1,
            "shrunk" => d.shrunk += 1,
            _ => d.unknown += 1,
        }
        d.places.push(Row {
            status,
            path: key.0.clone(),
            field: key.1.clone(),
            kind: key.2,
            old_values: ov,
            new_values: nv,
            values_added: if by_fp { added } else { 0 },
            values_removed: if by_fp { removed } else { 0 },
            old_records: o.records.len() as u64,
            new_records: n.records.len() as u64,
            old_findings: o.findings,
            new_findings: n.findings,
            old_people: o.people.or((o.findings == 0).then_some(0)),
            new_people: n.people.or((n.findings == 0).then_some(0)),
        });
    }
    if by_fp {
        let all = |m: &BTreeMap<Key, Stats>| -> BTreeSet<(Kind, String)> {
            m.iter()
                .flat_map(|(k, s)| s.values.iter().map(|v| (k.2, v.clone())))
                .collect()
        };
        let (o, n) = (all(&old.1), all(&new.1));
        for (kind, _) in n.difference(&o) {
            *d.distinct_values_added.entry(*kind).or_insert(0) += 1;
        }
    }
    d.grew = d.new > 0 || d.grown > 0;
    d
}

fn write_text(d: &Diff, out: &mut dyn Write) -> std::io::Result<()> {
    let unit = if d.compared_by == "fingerprint" {
        "values"
    } else {
        "findings"
    };
    for r in &d.places {
        let place = format!(
            "{} [{}]",
            escape_for_terminal(&r.path),
            escape_for_terminal(r.field.as_deref().unwrap_or("-"))
        );
        let change = match r.status {
            "new" | "resolved" | "unknown" => {
                format!("{} → {} {unit}", r.old_values, r.new_values)
            }
            _ if d.compared_by == "fingerprint" => format!(
                "{} → {} {unit} (+{} added, −{} gone)",
                r.old_values, r.new_values, r.values_added, r.values_removed
            ),
            _ => format!("{} → {} {unit}", r.old_values, r.new_values),
        };
        let people = match (r.old_people, r.new_people) {
            (Some(o), Some(n)) => format!("; people {o} → {n}"),
            _ => String::new(),
        };
        writeln!(
            out,
            "{:<9} {place}  {}: {change}; records {} → {}{people}",
            r.status.to_uppercase(),
            r.kind,
            r.old_records,
            r.new_records
        )?;
    }
    let added: u64 = d.distinct_values_added.values().sum();
    let by_kind: Vec<String> = d
        .distinct_values_added
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if let Some((o, n)) = d.people {
        writeln!(out, "distinct people exposed: {o} → {n}")?;
    }
    writeln!(
        out,
        "{}: {} new, {} grown, {} shrunk, {} resolved, {} unknown (not scanned in NEW); \
         distinct values added: {added}{}",
        if d.grew {
            "exposure grew"
        } else {
            "exposure did not grow"
        },
        d.new,
        d.grown,
        d.shrunk,
        d.resolved,
        d.unknown,
        if by_kind.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_kind.join(", "))
        }
    )
}

/// `piiscan diff`.
pub fn run(args: &DiffArgs) -> Result<i32> {
    let old = load(&args.old)?;
    let new = load(&args.new)?;
    let d = build(&old, &new);
    if d.compared_by != "fingerprint" {
        eprintln!(
            "piiscan: the reports were not made with one stable fingerprint key (a random key, \
             or two different keys): values cannot be linked across them, so places are \
             compared by finding counts"
        );
    }
    // A closed pipe (`piiscan diff … | head`) is a normal end: the exit code stays the diff's.
    let mut out = super::out::stdout();
    if args.format == "json" {
        serde_json::to_writer_pretty(&mut out, &d)?;
        writeln!(out)?;
    } else {
        write_text(&d, &mut out)?;
    }
    out.flush()?;
    Ok(if d.grew { EXIT_FINDINGS } else { EXIT_CLEAN })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(
        findings: &[(&str, &str, &str)],
        errored: &[&str],
    ) -> (RReport, BTreeMap<Key, Stats>) {
        let findings: Vec<serde_json::Value> = findings
            .iter()
            .map(|(path, kind, fp)| {
                serde_json::json!({"path": path, "field": null, "kind": kind, "fingerprint": fp})
            })
            .collect();
        let inputs: Vec<serde_json::Value> = errored
            .iter()
            .map(|p| serde_json::json!({"path": p, "status": "error"}))
            .collect();
        let doc = serde_json::json!({
            "settings": {"fingerprint_key": "provided"},
            "key_id": "k",
            "findings": findings,
            "inputs": inputs,
        });
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.json");
        std::fs::write(&p, doc.to_string()).unwrap();
        load(&p).unwrap()
    }

    #[test]
    fn classes_and_growth() {
        let old = report(
            &[
                ("a", "email", "1"),
                ("b", "phone", "2"),
                ("c", "email", "3"),
                ("d", "email", "4"),
            ],
            &[],
        );
        let new = report(
            &[("a", "email", "1"), ("a", "email", "5"), ("e", "iban", "6")],
            &["c"],
        );
        let d = build(&old, &new);
        let status: Vec<(&str, &str)> = d
            .places
            .iter()
            .map(|r| (r.path.as_str(), r.status))
            .collect();
        assert_eq!(
            status,
            vec![
                ("a", "grown"),
                ("b", "resolved"),
                ("c", "unknown"),
                ("d", "resolved"),
                ("e", "new")
            ]
        );
        assert!(d.grew);
        assert_eq!(d.distinct_values_added[&Kind::Email], 1);
        assert_eq!(d.distinct_values_added[&Kind::Iban], 1);
        // Same-size rotation of values is not growth, but the added value is counted.
        let rotated = report(&[("a", "email", "9")], &[]);
        let d = build(&report(&[("a", "email", "1")], &[]), &rotated);
        assert!(!d.grew);
        assert_eq!(d.distinct_values_added[&Kind::Email], 1);
    }
}
