//! `--format sarif`: SARIF 2.1.0 for code-scanning UIs (GitHub, GitLab, VS Code viewers).
//!
//! One run; `tool.driver.rules` are the detectors in use (rule id = detector id, in settings
//! order, so `ruleIndex` is stable); one result per finding with its physical location
//! (artifact URI, start line and column) and `partialFingerprints` carrying the keyed value
//! fingerprint, so a UI tracks "the same value at the same place" across runs with the same key
//! without ever seeing the value. Confidence maps to level: high → `error`, medium → `warning`,
//! low → `note`. Columns are 1-based byte columns (equal to SARIF's default UTF-16 columns on
//! ASCII lines). Inputs that could not be scanned become tool execution notifications and make
//! `executionSuccessful` false. The output is validated against the official schema in
//! `tests/exposure.rs`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::{Report, Reporter};
use crate::finding::{Confidence, Finding, Kind};

/// The SARIF reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sarif;

/// Key of the value fingerprint in `partialFingerprints` (versioned as SARIF recommends).
pub const FINGERPRINT_KEY: &str = "piiscanValueFingerprint/v1";

const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A display path as a URI reference: unreserved characters, `/` and a few safe sub-delimiters
/// stay; every other byte is percent-encoded. Absolute paths become `file://` URIs; relative
/// ones stay relative (to the scan's working directory), which code-scanning UIs resolve
/// against the repository root.
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 7);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn level(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "error",
        Confidence::Medium => "warning",
        Confidence::Low => "note",
    }
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let field = f
        .field
        .as_deref()
        .map(|x| format!(" in field {x}"))
        .unwrap_or_default();
    let mut properties = json!({
        "kind": f.kind.as_str(),
        "confidence": f.confidence.as_str(),
        "masked": f.masked,
    });
    if let Some(x) = &f.field {
        properties["field"] = json!(&**x);
    }
    if let Some(r) = f.record {
        properties["record"] = json!(r);
    }
    json!({
        "ruleId": &*f.detector,
        "ruleIndex": rule_index,
        "level": level(f.confidence),
        "message": {
            "text": format!("{} ({} confidence){field}: {}", f.kind, f.confidence, f.masked)
        },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&f.path) },
                "region": { "startLine": f.line.max(1), "startColumn": f.column.max(1) }
            }
        }],
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint },
        "properties": properties
    })
}

/// Stands in for the results array in the rendered document (no JSON string a report can
/// contain equals it: paths and reasons are never this exact, NUL-bearing text).
const RESULTS_MARK: &str = "\u{0}piiscan-sarif-results\u{0}";

impl Reporter for Sarif {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // Rules: configured detectors first (stable indices), then any detector only seen in
        // findings (a merged or hand-built report).
        let mut ids: Vec<String> = report.settings.detectors.clone();
        let mut kind_of: BTreeMap<String, Kind> = BTreeMap::new();
        for f in report.findings.reported() {
            let f = f?;
            if !kind_of.contains_key(&*f.detector) {
                kind_of.insert(f.detector.to_string(), f.kind);
            }
        }
        for id in kind_of.keys() {
            if !ids.iter().any(|x| x == id) {
                ids.push(id.clone());
            }
        }
        let index: BTreeMap<&str, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let rules: Vec<Value> = ids
            .iter()
            .map(|id| {
                let mut r = json!({
                    "id": id,
                    "name": id,
                    "shortDescription": { "text": format!("piiscan detector {id}") },
                });
                if let Some(k) = kind_of.get(id.as_str()) {
                    r["shortDescription"]["text"] = json!(format!("{k} (detector {id})"));
                    r["properties"] = json!({ "kind": k.as_str() });
                }
                r
            })
            .collect();
        let notifications: Vec<Value> = report
            .errors
            .iter()
            .map(|e| {
                json!({
                    "level": "error",
                    "message": { "text": format!("could not scan: {}", e.reason) },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": { "uri": uri(&e.path) } }
                    }]
                })
            })
            .collect();
        let doc = json!({
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "piiscan",
                        "version": report.version,
                        "semanticVersion": report.version,
                        "rules": rules
                    }
                },
                "invocations": [{
                    "executionSuccessful": report.errors.is_empty(),
                    "toolExecutionNotifications": notifications
                }],
                "results": RESULTS_MARK,
                "properties": {
                    "distinctPeople": report.exposure.summary.people,
                    "identityKitRecords": report.exposure.summary.identity_kit_records,
                    "riskScore": report.exposure.summary.risk_score
                }
            }]
        });
        // Results are streamed from the findings (spooled, possibly millions) into the place
        // of a marker string in the rendered document, rather than built as one JSON value.
        let text = serde_json::to_string_pretty(&doc)?;
        let mark = serde_json::to_string(RESULTS_MARK)?;
        let Some(at) = text.find(&mark) else {
            return Err(io::Error::other("SARIF template lost its results marker"));
        };
        out.write_all(&text.as_bytes()[..at])?;
        out.write_all(b"[")?;
        for (i, f) in report.findings.reported().enumerate() {
            let f = f?;
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            let r = result(&f, index.get(&*f.detector).copied().unwrap_or(0));
            serde_json::to_writer(&mut *out, &r)?;
        }
        out.write_all(b"]")?;
        out.write_all(&text.as_bytes()[at + mark.len()..])?;
        out.write_all(b"\n")
    }
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(uri("dir/a b.csv"), "dir/a%20b.csv");
        assert_eq!(uri("a.zip!x/ü.txt"), "a.zip!x/%C3%BC.txt");
        assert_eq!(uri("50%#?"), "50%25%23%3F");
        assert_eq!(uri("/srv/a b"), "file:///srv/a%20b");
    }
}
