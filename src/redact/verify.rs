//! Verification: re-scan the copies with the same scanner, compare with the sources, and write
//! the receipt.
//!
//! Both sides are scanned by [`Scanner::scan_source`] — the code path of `piiscan scan` — under
//! the same display path (the path relative to SRC), so the numbers compare like for like and
//! a value the redaction missed is reported exactly as a scan would report it. Only inputs that
//! were written are compared; inputs a plan step left out of the copy count in "before" only
//! (their exposure is gone from the copy); the rest are listed as not redacted.
//!
//! A **residual** is a finding in a copy that the rules would have changed (its input, field
//! and kind get an action): the redaction did not remove something it was asked to. Findings
//! of kinds the rules keep are counted in "after" but are not residuals, nor are the
//! generalised values `generalise` itself writes in a typed column's form: `YYYY-01-01` dates
//! in date columns, `a.b.c.0/24` networks in `inet` columns (recognised by the fingerprints
//! the writer records for them; a raw value equal to one of them under a `generalise` rule is
//! therefore not reported either).
//!
//! **Typed SQL columns** are checked statically as well ([`sql_type_errors`]): every value a
//! dump's copy holds in a column its CREATE TABLE typed (`date`, `timestamp`, numbers,
//! `uuid`, `boolean`, `inet`, `json`, `varchar(n)`, arrays of these) must parse as that type,
//! and no NOT NULL column may hold NULL — else PostgreSQL (or MySQL in strict mode) would
//! refuse to load the copy. Values the source already held that way are not counted against
//! the copy (the comparison is per column: the copy may not hold more of them than the
//! source). The check runs on each dump's text as it is written, archive members included;
//! any such value fails verification, as a residual does. It is a static check of the forms
//! dumps use, not a load: `.ci/postgres-test.sh` loads redacted dumps into a real PostgreSQL.
//!
//! The [`Receipt`] holds digests, counts, rule descriptions and format names — never a value,
//! masked or not, and never a field name found in the data (JSON keys can be email addresses).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::plan::PlanOutcome;
use super::{Action, FileOutcome, FileStatus, Rules, TreeOutcome};
use crate::detect::{Engine, Scratch, builtin};
use crate::exposure::{Exposure, Weights};
use crate::finding::{Finding, Kind};
use crate::scan::unpack::Source;
use crate::scan::{Scanner, Status};

/// Version of the receipt format.
pub const RECEIPT_VERSION: u32 = 1;

/// Per-kind counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct KindCount {
    /// Values found.
    pub values: u64,
    /// Distinct values (keyed fingerprints).
    pub distinct: u64,
}

/// Exposure of one side (sources or copies).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Side {
    /// Inputs scanned.
    pub inputs: u64,
    /// Inputs that could not be scanned completely.
    pub errors: u64,
    /// Values found.
    pub values: u64,
    /// Distinct values.
    pub distinct: u64,
    /// Distinct people (see [`crate::exposure`]).
    pub people: u64,
    /// Records that are identity kits.
    pub identity_kit_records: u64,
    /// Per kind.
    pub by_kind: BTreeMap<Kind, KindCount>,
}

/// Something the rules should have removed but a copy still holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Residual {
    /// Path relative to SRC.
    pub path: String,
    /// Kind.
    pub kind: Kind,
    /// How many.
    pub count: u64,
    /// First lines where they sit (up to 10).
    pub lines: Vec<u64>,
}

/// Values in typed columns of a dump's copy that the type does not accept: the copy would
/// not load. Names the type and lines, never the column (a name taken from the data) or a
/// value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TypeError {
    /// Path relative to SRC (an archive member's display path).
    pub path: String,
    /// The column's type ([`SqlType::name`](super::sqltype::SqlType::name)).
    pub sql_type: String,
    /// How many more such values the copy holds than the source did, in one column.
    pub count: u64,
    /// First lines of the copy where such values sit (up to 10).
    pub lines: Vec<u64>,
}

/// Before/after exposure and residuals.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verification {
    /// The sources of the inputs written or left out of the copy by a plan step.
    pub before: Side,
    /// The copies.
    pub after: Side,
    /// What the copies still hold that the rules redact.
    pub residual: Vec<Residual>,
    /// Values in typed SQL columns of the copies that the type does not accept.
    pub type_errors: Vec<TypeError>,
}

impl Verification {
    /// No residual, no value a typed SQL column would refuse, and every copy scanned
    /// completely.
    pub fn passed(&self) -> bool {
        self.residual.is_empty() && self.type_errors.is_empty() && self.after.errors == 0
    }
}

/// The static type check of a dump's copy against its source (see the module docs): one
/// [`TypeError`] per column whose copy holds more values its type does not accept than the
/// source's. A dump that cannot be tokenised gives none (the writer would have refused it).
pub fn sql_type_errors(path: &str, source: &[u8], copy: &[u8]) -> Vec<TypeError> {
    let Ok(after) = super::sql::type_check(copy) else {
        return Vec::new();
    };
    if after.values().all(|c| c.bad == 0) {
        return Vec::new();
    }
    let before = super::sql::type_check(source).unwrap_or_default();
    let mut out: Vec<(String, TypeError, Vec<usize>)> = Vec::new();
    for (col, c) in after {
        let was = before.get(&col).map_or(0, |b| b.bad);
        if c.bad > was {
            out.push((
                col,
                TypeError {
                    path: path.to_string(),
                    sql_type: c.sql_type,
                    count: c.bad - was,
                    lines: Vec::new(),
                },
                c.first_bad,
            ));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    for (_, e, offsets) in &mut out {
        e.lines = line_numbers(copy, offsets);
    }
    out.into_iter().map(|(_, e, _)| e).collect()
}

/// 1-based line numbers of byte offsets of `text` (one pass over it).
fn line_numbers(text: &[u8], offsets: &mut [usize]) -> Vec<u64> {
    offsets.sort_unstable();
    let mut out = Vec::with_capacity(offsets.len());
    let (mut line, mut pos) = (1u64, 0usize);
    for &o in offsets.iter() {
        let o = o.min(text.len());
        line += memchr::memchr_iter(b'\n', &text[pos..o]).count() as u64;
        pos = o;
        out.push(line);
    }
    out
}

fn scan_file(
    scanner: &Scanner,
    path: &Path,
    rel: &str,
    scratch: &mut Scratch,
) -> (Vec<Finding>, u64, bool) {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(_) => return (Vec::new(), 0, false),
    };
    let reports = scanner.scan_source(Arc::from(rel), Source::File(&mut file), scratch);
    let mut ok = true;
    let mut records = 0;
    let mut findings = Vec::new();
    for r in reports {
        ok &= !matches!(r.status, Status::Error(_));
        records += r.records;
        findings.extend(r.findings);
    }
    (findings, records, ok)
}

fn side(inputs: &[(String, u64)], findings: &[Finding], errors: u64) -> Side {
    let mut by_kind: BTreeMap<Kind, (u64, BTreeSet<&str>)> = BTreeMap::new();
    for f in findings {
        let e = by_kind.entry(f.kind).or_default();
        e.0 += 1;
        e.1.insert(&f.fingerprint);
    }
    let exposure = Exposure::from_findings(
        inputs.iter().map(|(p, r)| (p.as_str(), *r)),
        findings,
        Weights::default(),
    );
    let by_kind: BTreeMap<Kind, KindCount> = by_kind
        .into_iter()
        .map(|(k, (v, d))| {
            (
                k,
                KindCount {
                    values: v,
                    distinct: d.len() as u64,
                },
            )
        })
        .collect();
    Side {
        inputs: inputs.len() as u64,
        errors,
        values: by_kind.values().map(|c| c.values).sum(),
        distinct: by_kind.values().map(|c| c.distinct).sum(),
        people: exposure.summary.people,
        identity_kit_records: exposure.summary.identity_kit_records,
        by_kind,
    }
}

/// Scans the source and the copy of every written input (see the module docs).
pub fn verify(scanner: &Scanner, outcome: &TreeOutcome, rules: &Rules) -> Verification {
    let root = if outcome.src.is_file() {
        outcome
            .src
            .parent()
            .map_or(outcome.src.clone(), Path::to_path_buf)
    } else {
        outcome.src.clone()
    };
    let mut scratch = Scratch::default();
    let (mut before_f, mut after_f) = (Vec::new(), Vec::new());
    let (mut before_in, mut after_in) = (Vec::new(), Vec::new());
    let (mut before_err, mut after_err) = (0, 0);
    for f in &outcome.files {
        let written = match f.status {
            FileStatus::Redacted => true,
            // Left out by a plan step: what it held counts before, nothing after.
            FileStatus::Omitted(_) => false,
            FileStatus::NotRedacted(_) => continue,
        };
        let (fs, recs, ok) = scan_file(scanner, &root.join(&f.path), &f.path, &mut scratch);
        before_f.extend(fs);
        before_in.push((f.path.clone(), recs));
        before_err += u64::from(!ok);
        if !written {
            continue;
        }
        let (fs, recs, ok) = scan_file(scanner, &outcome.dst.join(&f.path), &f.path, &mut scratch);
        after_f.extend(fs);
        after_in.push((f.path.clone(), recs));
        after_err += u64::from(!ok);
    }
    let own_dates = generalised_dates(scanner, &mut scratch);
    // Generalised values the SQL writer put in a column type's form (`a.b.c.0/24` in inet).
    let generated: HashSet<&str> = outcome
        .files
        .iter()
        .flat_map(|f| f.generated.iter().map(String::as_str))
        .collect();
    let mut residual: BTreeMap<(String, Kind), Residual> = BTreeMap::new();
    // A finding's field is its display name; its path is the file's, which a `--plan` step
    // names masked where it holds a value (see `Rules::decide_shown`).
    let mut shown: HashMap<Arc<str>, Arc<str>> = HashMap::new();
    for f in &after_f {
        let shown_path = shown
            .entry(f.path.clone())
            .or_insert_with(|| scanner.display_name(&f.path, &mut scratch))
            .clone();
        let field = f.field.as_deref();
        let Some(action) = rules.decide_shown(&f.path, field, (&shown_path, field), f.kind) else {
            continue;
        };
        if action == Action::Generalise
            && ((f.kind == Kind::DateOfBirth && own_dates.contains(&*f.fingerprint))
                || generated.contains(&*f.fingerprint))
        {
            continue;
        }
        let r = residual
            .entry((f.path.to_string(), f.kind))
            .or_insert_with(|| Residual {
                path: f.path.to_string(),
                kind: f.kind,
                count: 0,
                lines: Vec::new(),
            });
        r.count += 1;
        if r.lines.len() < 10 {
            r.lines.push(f.line);
        }
    }
    Verification {
        before: side(&before_in, &before_f, before_err),
        after: side(&after_in, &after_f, after_err),
        residual: residual.into_values().collect(),
        type_errors: outcome
            .files
            .iter()
            .flat_map(|f| f.type_errors.iter().cloned())
            .collect(),
    }
}

/// Fingerprints of the dates `generalise` writes into typed SQL and SQLite date columns
/// (`YYYY-01-01`, years 1900–2099), found by the scanner itself: such a value is still a date
/// to the scanner, but it is the redaction's output, not a residual. (A real date of birth on
/// 1 January under a `generalise` rule is therefore not reported as residual either.)
fn generalised_dates(scanner: &Scanner, scratch: &mut Scratch) -> HashSet<String> {
    let mut csv = String::from("date_of_birth\n");
    for y in 1900..2100 {
        csv.push_str(&format!("{y}-01-01\n"));
    }
    let mut reader = csv.as_bytes();
    scanner
        .scan_source(
            Arc::from("generalised-dates.csv"),
            Source::Stream(&mut reader),
            scratch,
        )
        .into_iter()
        .flat_map(|r| r.findings)
        .filter(|f| f.kind == Kind::DateOfBirth)
        .map(|f| f.fingerprint.to_string())
        .collect()
}

/// The ruleset version: SHA-256 of the crate version, every detector in use (id, kind, pattern
/// source, validator, context and header words, scoring settings) and the built-in word lists.
pub fn ruleset_version(engine: &Engine) -> String {
    let mut h = Sha256::new();
    let mut add = |label: &str, bytes: &[u8]| {
        for part in [label.as_bytes(), bytes] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
    };
    add("version", env!("CARGO_PKG_VERSION").as_bytes());
    for s in engine.specs() {
        add("id", s.id.as_bytes());
        add("kind", s.kind.as_str().as_bytes());
        add("regex", s.regex_src.as_bytes());
        add(
            "rest",
            format!(
                "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}|{}",
                s.validator.as_ref().map(|v| &v.0),
                s.trigger,
                s.context,
                s.negative_context,
                s.headers,
                s.keywords,
                s.require,
                s.base,
                s.window,
                s.priority
            )
            .as_bytes(),
        );
    }
    for (stem, text) in builtin::DICTS {
        add(stem, text.as_bytes());
    }
    hex::encode(h.finalize())
}

/// The machine-readable receipt (see the module docs).
#[derive(Debug, Serialize)]
pub struct Receipt<'a> {
    /// [`RECEIPT_VERSION`].
    pub receipt_version: u32,
    /// `piiscan`.
    pub tool: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// When the receipt was made (RFC 3339, UTC).
    pub created: String,
    /// [`ruleset_version`].
    pub ruleset: String,
    /// Public id of the fingerprint / token key.
    pub key_id: String,
    /// Canonical source root.
    pub source: &'a Path,
    /// Canonical output root.
    pub output: &'a Path,
    /// The rules applied.
    pub rules: &'a Rules,
    /// Per input: status, digests, actions applied.
    pub files: &'a [FileOutcome],
    /// Exposure of the sources of the inputs written.
    pub before: &'a Side,
    /// Exposure of the copies.
    pub after: &'a Side,
    /// What the copies still hold that the rules redact.
    pub residual: &'a [Residual],
    /// Values in typed SQL columns of the copies that the type does not accept.
    pub type_errors: &'a [TypeError],
    /// Inputs not redacted.
    pub not_redacted: u64,
    /// Inputs left out of the copy by a plan step.
    pub omitted: u64,
    /// With `--plan`: the steps asked for and what became of each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<&'a PlanOutcome>,
    /// No residuals, no value a typed SQL column refuses, every copy scanned, every input
    /// redacted (or left out by the plan) and every plan step asked for applied.
    pub verified: bool,
}

impl<'a> Receipt<'a> {
    /// A receipt for one run.
    pub fn new(
        outcome: &'a TreeOutcome,
        verification: &'a Verification,
        rules: &'a Rules,
        ruleset: String,
        key_id: String,
        created: String,
    ) -> Receipt<'a> {
        let not_redacted = outcome.not_redacted().count() as u64;
        Receipt {
            receipt_version: RECEIPT_VERSION,
            tool: "piiscan",
            version: env!("CARGO_PKG_VERSION"),
            created,
            ruleset,
            key_id,
            source: &outcome.src,
            output: &outcome.dst,
            rules,
            files: &outcome.files,
            before: &verification.before,
            after: &verification.after,
            residual: &verification.residual,
            type_errors: &verification.type_errors,
            not_redacted,
            omitted: outcome.omitted().count() as u64,
            plan: None,
            verified: verification.passed() && not_redacted == 0,
        }
    }

    /// Adds the plan's outcome: a plan not applied in full is not verified.
    pub fn with_plan(mut self, plan: Option<&'a PlanOutcome>) -> Receipt<'a> {
        self.plan = plan;
        self.verified &= plan.is_none_or(PlanOutcome::complete);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mask written into a `date` column is a type error of the copy, with its line; what the
    /// source already held that way is not counted against the copy; a type error fails
    /// verification.
    #[test]
    fn type_errors_are_what_the_copy_adds() {
        let source = "CREATE TABLE p (id int, dob date NOT NULL, odd date);
COPY p (id, dob, odd) FROM stdin;
1\t1985-03-12\tnot-a-date
2\t1986-04-13\t\\N
\\.
";
        let copy = "CREATE TABLE p (id int, dob date NOT NULL, odd date);
COPY p (id, dob, odd) FROM stdin;
1\t****-**-**\tnot-a-date
2\t\\N\t\\N
\\.
";
        let errors = sql_type_errors("db/p.sql", source.as_bytes(), copy.as_bytes());
        assert_eq!(
            errors,
            [TypeError {
                path: "db/p.sql".into(),
                sql_type: "date".into(),
                count: 2,
                lines: vec![3, 4],
            }]
        );
        assert!(sql_type_errors("p.sql", source.as_bytes(), source.as_bytes()).is_empty());
        let mut v = Verification::default();
        assert!(v.passed());
        v.type_errors = errors;
        assert!(!v.passed());
    }
}
