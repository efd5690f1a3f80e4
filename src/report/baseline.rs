//! Baselines: findings a team has looked at and accepted, so that a gate fails only on new ones.
//!
//! An entry is keyed by (path glob, field, kind, keyed fingerprint) — never by line or column.
//! That fixes the two known faults of position-based baselines (detect-secrets, gitleaks): moving
//! rows does not churn the file or re-raise old findings, and a *different* value appearing on a
//! previously accepted line is not silenced, because its fingerprint differs. The file holds no
//! raw values, no masked samples, no line numbers and no timestamps, and its entries are sorted
//! and de-duplicated, so re-creating it from an unchanged tree yields the same bytes.
//!
//! Fingerprints are only comparable under the same key, so a baseline records a *key check* (the
//! keyed fingerprint of a fixed label): a scan with a different key is refused instead of
//! silently reporting everything as new. Paths are stored relative to the baseline file's
//! directory where possible, and are globs: an entry can be widened by hand to cover, say,
//! `exports/customers-*.csv`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::finding::{Finding, Fingerprinter, Kind};
use crate::input::relative_to;

/// Version of the baseline file format.
pub const VERSION: u32 = 1;

const ABOUT: &str = "piiscan baseline: accepted findings keyed by path glob, field, kind and keyed \
                     fingerprint. No raw values, no line numbers. Re-create with `piiscan baseline create`.";

/// A baseline could not be read or used.
#[derive(Debug, Error)]
pub enum BaselineError {
    /// Reading failed.
    #[error("{file}: cannot read baseline: {source}")]
    Io {
        /// The file.
        file: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a baseline this version understands.
    #[error("{file}: not a piiscan baseline: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An entry's path glob does not compile.
    #[error("{file}: entry path {glob:?}: {message}")]
    BadGlob {
        /// The file.
        file: String,
        /// The glob.
        glob: String,
        /// The parser's message.
        message: String,
    },
    /// The baseline was made with another fingerprint key.
    #[error(
        "{file}: the baseline was created with a different fingerprint key; its fingerprints \
         cannot match this run's (use the key it was created with, or re-create it)"
    )]
    WrongKey {
        /// The file.
        file: String,
    },
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Glob over paths (relative to the baseline's directory when the file lies under it).
    pub path: String,
    /// Field the value sat in, if any.
    pub field: Option<String>,
    /// Kind of the value.
    pub kind: Kind,
    /// Keyed fingerprint of the value.
    pub fingerprint: String,
}

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// What this file is.
    pub about: String,
    /// [`VERSION`].
    pub version: u32,
    /// The key check: keyed fingerprint of a fixed label ([`key_check`]).
    pub key_check: String,
    /// Accepted findings, sorted, unique.
    pub entries: Vec<Entry>,
}

/// The key check for `fp`: the report's public key id ([`crate::report::key_id`]). Reveals
/// nothing about the key, but differs between keys.
pub fn key_check(fp: &Fingerprinter) -> String {
    crate::report::key_id(fp)
}

/// The path stored for a finding at `display`, for a baseline in `dir`.
fn stored_path(dir: &Path, display: &str) -> String {
    relative_to(dir, display).unwrap_or_else(|| display.to_string())
}

impl Baseline {
    /// A baseline accepting `findings`, to be written in directory `dir`.
    pub fn from_findings<'a>(
        findings: impl IntoIterator<Item = &'a Finding>,
        fp: &Fingerprinter,
        dir: &Path,
    ) -> Baseline {
        let entries: BTreeSet<Entry> = findings
            .into_iter()
            .map(|f| Entry {
                path: globset::escape(&stored_path(dir, &f.path)),
                field: f.field.as_deref().map(str::to_string),
                kind: f.kind,
                fingerprint: f.fingerprint.to_string(),
            })
            .collect();
        Baseline {
            about: ABOUT.to_string(),
            version: VERSION,
            key_check: key_check(fp),
            entries: entries.into_iter().collect(),
        }
    }

    /// The file's bytes: pretty JSON, one entry per few lines, trailing newline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, BaselineError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| BaselineError::Io {
            file: file.clone(),
            source,
        })?;
        let b: Baseline = serde_json::from_slice(&bytes).map_err(|e| BaselineError::Parse {
            file: file.clone(),
            message: e.to_string(),
        })?;
        if b.version != VERSION {
            return Err(BaselineError::Parse {
                file,
                message: format!("version {} (this piiscan reads {VERSION})", b.version),
            });
        }
        Ok(b)
    }
}

/// A baseline compiled for matching one run's findings.
#[derive(Debug)]
pub struct Matcher {
    dir: PathBuf,
    entries: Vec<Entry>,
    globs: Vec<GlobMatcher>,
    by_value: HashMap<(Kind, String), Vec<usize>>,
    used: Vec<bool>,
    /// Display path → stored form, computed once per input (it touches the filesystem).
    stored: HashMap<Arc<str>, String>,
}

impl Matcher {
    /// Compiles `baseline` (read from `file`) for a run fingerprinting with `fp`.
    pub fn new(
        baseline: Baseline,
        file: &Path,
        fp: &Fingerprinter,
    ) -> Result<Matcher, BaselineError> {
        let name = file.display().to_string();
        if baseline.key_check != key_check(fp) {
            return Err(BaselineError::WrongKey { file: name });
        }
        let mut globs = Vec::with_capacity(baseline.entries.len());
        let mut by_value: HashMap<(Kind, String), Vec<usize>> = HashMap::new();
        for (i, e) in baseline.entries.iter().enumerate() {
            let g = Glob::new(&e.path).map_err(|err| BaselineError::BadGlob {
                file: name.clone(),
                glob: e.path.clone(),
                message: err.to_string(),
            })?;
            globs.push(g.compile_matcher());
            by_value
                .entry((e.kind, e.fingerprint.clone()))
                .or_default()
                .push(i);
        }
        let dir = match file.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok(Matcher {
            dir,
            used: vec![false; baseline.entries.len()],
            stored: HashMap::new(),
            entries: baseline.entries,
            globs,
            by_value,
        })
    }

    /// Whether `f` is accepted by the baseline (and marks the entries it matched as in use).
    pub fn accepts(&mut self, f: &Finding) -> bool {
        let Some(idx) = self.by_value.get(&(f.kind, f.fingerprint.to_string())) else {
            return false;
        };
        let dir = &self.dir;
        let path = self
            .stored
            .entry(f.path.clone())
            .or_insert_with(|| stored_path(dir, &f.path));
        let mut hit = false;
        for &i in idx {
            if self.entries[i].field.as_deref() == f.field.as_deref()
                && (self.globs[i].is_match(&*path) || self.globs[i].is_match(&*f.path))
            {
                self.used[i] = true;
                hit = true;
            }
        }
        hit
    }

    /// Entries that matched no finding although the run looked where they point: their path glob
    /// matches one of `scanned` (paths read to the end), or — when `full` (the run covered the
    /// whole tree, not a diff) — no input at all (the file is gone).
    pub fn stale(&self, scanned: &[&str], all_inputs: &[&str], full: bool) -> Vec<&Entry> {
        let rel = |p: &str| stored_path(&self.dir, p);
        let scanned: Vec<String> = scanned.iter().map(|p| rel(p)).collect();
        let all: Vec<String> = all_inputs.iter().map(|p| rel(p)).collect();
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.used[*i])
            .filter(|(i, _)| {
                let g = &self.globs[*i];
                scanned.iter().any(|p| g.is_match(p))
                    || (full && !all.iter().any(|p| g.is_match(p)))
            })
            .map(|(_, e)| e)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Confidence;

    fn finding(path: &str, line: u64, field: Option<&str>, fp: &str) -> Finding {
        Finding {
            path: Arc::from(path),
            line,
            column: 1,
            kind: Kind::Email,
            detector: Arc::from("email"),
            confidence: Confidence::High,
            field: field.map(Arc::from),
            masked: "x***@e******.com".into(),
            fingerprint: fp.into(),
            record: None,
            explain: None,
            placeholder: false,
        }
    }

    #[test]
    fn stable_sorted_and_position_free() {
        let key = Fingerprinter::new(b"0123456789abcdef");
        let dir = Path::new("/nonexistent-baseline-dir");
        let a = [
            finding("/nonexistent-baseline-dir/a[1].csv", 3, Some("email"), "bb"),
            finding("/nonexistent-baseline-dir/a[1].csv", 9, Some("email"), "aa"),
        ];
        let b = [
            finding("/nonexistent-baseline-dir/a[1].csv", 1, Some("email"), "aa"),
            finding("/nonexistent-baseline-dir/a[1].csv", 7, Some("email"), "bb"),
            finding("/nonexistent-baseline-dir/a[1].csv", 8, Some("email"), "bb"),
        ];
        let ba = Baseline::from_findings(&a, &key, dir);
        let bb = Baseline::from_findings(&b, &key, dir);
        assert_eq!(ba.to_bytes(), bb.to_bytes());
        assert_eq!(ba.entries.len(), 2);
        assert_eq!(ba.entries[0].path, "a[[]1[]].csv");
        let text = String::from_utf8(ba.to_bytes()).unwrap();
        assert!(
            !text.contains("\"line\"") && !text.contains("\"masked\""),
            "{text}"
        );

        let mut m = Matcher::new(ba, &dir.join("b.json"), &key).unwrap();
        assert!(m.accepts(&b[0]));
        assert!(!m.accepts(&finding(
            "/nonexistent-baseline-dir/a[1].csv",
            1,
            Some("email"),
            "cc"
        )));
        assert!(!m.accepts(&finding(
            "/nonexistent-baseline-dir/a[1].csv",
            1,
            Some("other"),
            "aa"
        )));
        let scanned = ["/nonexistent-baseline-dir/a[1].csv"];
        assert_eq!(m.stale(&scanned, &scanned, true).len(), 1);
    }

    #[test]
    fn wrong_key_is_refused() {
        let b = Baseline::from_findings(
            &[],
            &Fingerprinter::new(b"key-one-0123456789"),
            Path::new("."),
        );
        let err = Matcher::new(
            b,
            Path::new("b.json"),
            &Fingerprinter::new(b"key-two-0123456789"),
        )
        .unwrap_err();
        assert!(matches!(err, BaselineError::WrongKey { .. }));
    }
}
