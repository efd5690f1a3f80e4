//! `--format text`: a summary for people. Per-file findings (counts per kind with a masked
//! sample) come first, then the exposure answer — headline (inputs, bytes, distinct people,
//! identity-kit records), top places, the ranked plan with its cumulative curve, the folders to
//! restrict or purge, per kind, combinations and overlaps — then skipped and failed inputs and
//! the totals line. Every list stops at [`Text::top`] entries (`--top N`): a share of 100,000
//! files prints the ten files, places and folders that matter, and says how many it left out
//! (the JSON and HTML reports carry them all). The answer
//! is printed last on purpose: on a terminal the end of the output is what stays on screen,
//! however many files were listed above it.
//!
//! With [`Text::list`] (`scan --list`, the default for a pre-commit run) the summary gives way to
//! one line per finding, ripgrep-style, for someone who has to fix lines rather than weigh a
//! risk score:
//!
//! ```text
//! path:line:col kind confidence masked [field]
//!     why: <--explain reasons> · fingerprint <keyed fingerprint>
//! ```
//!
//! read back from the spool one finding at a time (never held whole), and ending with how to
//! accept a finding (inline marker, allow-list, baseline).
//!
//! Paths, fields and masked samples are escaped for the terminal. Colour only when asked (the
//! binary decides from `--color`, the TTY and `NO_COLOR`).

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use super::{
    Report, Reporter, escape_for_terminal, human_bytes, noun, percent, plan_headline, plural,
};
use crate::finding::{Confidence, Kind};

/// Entries of each list the text report shows by default (`--top`).
pub const TOP: usize = 10;

/// The text reporter.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    /// Use ANSI colour.
    pub color: bool,
    /// One line per finding instead of the per-file summary and the exposure answer.
    pub list: bool,
    /// Most entries of each list (files, places, folders, combinations, overlaps).
    pub top: usize,
}

impl Default for Text {
    fn default() -> Self {
        Text {
            color: false,
            list: false,
            top: TOP,
        }
    }
}

/// "(top 10 of 35)" when a list was cut, else nothing.
fn cut(shown: usize, total: usize) -> String {
    if shown < total {
        format!(" (top {shown} of {total}; --top N for more, JSON and HTML list all)")
    } else {
        String::new()
    }
}

impl Text {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn place_name(path: &str, field: Option<&str>, kind: Kind) -> String {
    match field {
        Some(f) => format!(
            "{} › {} ({kind})",
            escape_for_terminal(path),
            escape_for_terminal(f)
        ),
        None => format!("{} ({kind})", escape_for_terminal(path)),
    }
}

/// A 20-cell bar for a share.
fn bar(share: f64) -> String {
    // Floor, so that only a complete removal draws a full bar.
    let full = (share.clamp(0.0, 1.0) * 20.0).floor() as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(20 - full))
}

impl Text {
    fn exposure(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let e = &report.exposure;
        let t = &report.totals;
        let s = &e.summary;
        writeln!(
            out,
            "{} {}, {}, {}",
            self.paint("1", "piiscan:"),
            plural(t.inputs, "input", "inputs"),
            human_bytes(t.bytes),
            plural(t.records, "record", "records")
        )?;
        writeln!(
            out,
            "  {} distinct {} exposed ({} linked by email/phone/ID, {})",
            self.paint("1;31", &s.people.to_string()),
            noun(s.people, "person", "people"),
            s.linked_people,
            plural(s.unlinked_people, "unlinked record", "unlinked records")
        )?;
        if let Some(top) = e.shared_values.first() {
            // Why the people count is what it is: values that would have merged strangers.
            writeln!(
                out,
                "  {} shared values not used to link people (placeholders, or beside more than {} other identifiers); most frequent {} in {} records",
                s.shared_values, e.weights.max_link_partners, top.fingerprint, top.records
            )?;
        }
        writeln!(
            out,
            "  {} identity-kit {} · {} with PII · risk score {:.0}",
            self.paint("1;31", &s.identity_kit_records.to_string()),
            noun(s.identity_kit_records, "record", "records"),
            plural(s.records_with_pii, "record", "records"),
            s.risk_score
        )?;
        writeln!(out)?;
        let top = e.top_places(self.top);
        if !top.is_empty() {
            let places: usize = e.inputs.iter().map(|i| i.places.len()).sum();
            writeln!(
                out,
                "{}{}",
                self.paint("1", "Top places by exposure"),
                cut(top.len(), places)
            )?;
            writeln!(
                out,
                "  {:>8}  {:>7}  {:>7}  place",
                "risk", "people", "values"
            )?;
            for (path, p) in top {
                writeln!(
                    out,
                    "  {:>8.0}  {:>7}  {:>7}  {}",
                    p.risk,
                    p.people,
                    p.values,
                    place_name(path, p.field.as_deref(), p.kind)
                )?;
            }
            writeln!(out)?;
        }
        let estimates = super::row_estimates(report);
        if !estimates.is_empty() {
            writeln!(
                out,
                "{}{}",
                self.paint(
                    "1",
                    "Live tables: rows exposed (ESTIMATES from a sample and the catalogue)"
                ),
                cut(estimates.len().min(self.top), estimates.len())
            )?;
            for r in estimates.iter().take(self.top) {
                let total = r
                    .sample
                    .catalogue_rows
                    .map_or_else(|| "?".to_string(), |n| n.to_string());
                writeln!(
                    out,
                    "  {} rows carry {} (estimate: {} of {} sampled rows × {} rows by {})",
                    super::approx_rows(r.estimate),
                    place_name(r.path, r.field, r.kind),
                    r.records,
                    r.sample.sampled_rows,
                    total,
                    r.sample.catalogue_source
                )?;
            }
            writeln!(out)?;
        }
        if !e.plan.is_empty() {
            writeln!(
                out,
                "{}",
                self.paint("1", "Redaction plan (greedy, best first)")
            )?;
            writeln!(out, "   #   removes  cumulative                    action")?;
            for step in &e.plan {
                writeln!(
                    out,
                    "  {:>2}  {:>8.0}  {:>5} {}  {}",
                    step.rank,
                    step.score,
                    percent(step.cumulative_share),
                    self.paint("32", &bar(step.cumulative_share)),
                    escape_for_terminal(&step.description)
                )?;
            }
            if let Some(h) = plan_headline(e) {
                writeln!(out, "  {}", self.paint("1", &h))?;
            }
            writeln!(out)?;
        }
        if !e.folder_plan.is_empty() {
            let shown = e.folder_plan.len().min(self.top);
            writeln!(
                out,
                "{}",
                self.paint(
                    "1",
                    "Folders to restrict or purge (greedy, best first; every folder's share in JSON and HTML)"
                )
            )?;
            writeln!(out, "   #   removes  cumulative                    folder")?;
            for step in &e.folder_plan[..shown] {
                writeln!(
                    out,
                    "  {:>2}  {:>8.0}  {:>5} {}  {} ({})",
                    step.rank,
                    step.score,
                    percent(step.cumulative_share),
                    self.paint("32", &bar(step.cumulative_share)),
                    escape_for_terminal(&step.path),
                    plural(step.files_with_pii, "file with PII", "files with PII")
                )?;
            }
            if let Some(last) = e.folder_plan[..shown].last() {
                writeln!(
                    out,
                    "  {}",
                    self.paint(
                        "1",
                        &format!(
                            "{} {} of the risk score.",
                            plural(last.rank.into(), "folder holds", "folders hold"),
                            percent(last.cumulative_share)
                        )
                    )
                )?;
            }
            writeln!(out)?;
        }
        if !e.kinds.is_empty() {
            writeln!(out, "{}", self.paint("1", "By kind"))?;
            writeln!(
                out,
                "  {:<16} {:>8} {:>8} {:>7}",
                "kind", "values", "people", "inputs"
            )?;
            for k in &e.kinds {
                writeln!(
                    out,
                    "  {:<16} {:>8} {:>8} {:>7}",
                    k.kind.as_str(),
                    k.values,
                    k.people,
                    k.inputs
                )?;
            }
            writeln!(out)?;
        }
        if !e.combinations.is_empty() {
            writeln!(
                out,
                "{}{}",
                self.paint("1", "Combinations per record"),
                cut(e.combinations.len().min(self.top), e.combinations.len())
            )?;
            for c in e.combinations.iter().take(self.top) {
                let kinds: Vec<&str> = c.kinds.iter().map(|k| k.as_str()).collect();
                let kit = if c.identity_kit {
                    self.paint("31", "  ← identity kit")
                } else {
                    String::new()
                };
                writeln!(out, "  {:>8}  {}{kit}", c.records, kinds.join(" + "))?;
            }
            writeln!(out)?;
        }
        if !e.overlaps.is_empty() {
            writeln!(
                out,
                "{}{}",
                self.paint("1", "Overlap between inputs"),
                cut(e.overlaps.len().min(self.top), e.overlaps.len())
            )?;
            for o in e.overlaps.iter().take(self.top) {
                writeln!(
                    out,
                    "  {:>5} of {} ({}) also in {}",
                    percent(o.share),
                    escape_for_terminal(&o.input),
                    plural(o.shared_people, "person", "people"),
                    escape_for_terminal(&o.other)
                )?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn per_file(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // More files with findings than `top`: only the riskiest `top` are listed, riskiest
        // first (the risk removed by deleting each alone); else all of them, in path order.
        let with_findings = report.inputs.iter().filter(|i| i.findings > 0).count();
        let chosen: Option<HashMap<&str, usize>> = (with_findings > self.top).then(|| {
            let mut by_risk: Vec<(&str, f64)> = report
                .exposure
                .inputs
                .iter()
                .map(|i| (i.path.as_str(), i.risk))
                .collect();
            by_risk.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            by_risk
                .into_iter()
                .take(self.top)
                .enumerate()
                .map(|(rank, (p, _))| (p, rank))
                .collect()
        });
        if report.findings_included != crate::scan::spool::Included::All {
            // The report does not carry its findings (`--findings`, or a merge of such
            // reports): the per-input counts still tell what each file holds.
            return self.counted_files(report, chosen.as_ref(), with_findings, out);
        }
        let mut held: Vec<Option<FileSummary>> = Vec::new();
        if let Some(c) = &chosen {
            held.resize_with(c.len(), || None);
        }
        // Findings arrive sorted by path (and read back from the spool one at a time): keep
        // one input's per-kind summary, print (or hold) it when the path changes.
        let mut current: Option<FileSummary> = None;
        let mut done = |s: FileSummary, out: &mut dyn Write| -> io::Result<()> {
            match &chosen {
                None => self.file_block(report, &s.0, &s.1, s.2, out),
                Some(c) => {
                    if let Some(&rank) = c.get(&*s.0) {
                        held[rank] = Some(s);
                    }
                    Ok(())
                }
            }
        };
        for f in report.findings.iter() {
            let f = f?;
            if current.as_ref().is_some_and(|(p, _, _)| *p != f.path)
                && let Some(s) = current.take()
            {
                done(s, out)?;
            }
            if chosen.as_ref().is_some_and(|c| !c.contains_key(&*f.path)) {
                continue;
            }
            let (_, kinds, n) = current.get_or_insert_with(|| (f.path.clone(), BTreeMap::new(), 0));
            *n += 1;
            let k = kinds.entry(f.kind).or_insert_with(|| KindSummary {
                count: 0,
                best: f.confidence,
                masked: f.masked.to_string(),
                line: f.line,
                field: f.field.clone(),
            });
            k.count += 1;
            k.best = k.best.max(f.confidence);
        }
        if let Some(s) = current {
            done(s, out)?;
        }
        if chosen.is_some() {
            self.most_risk_heading(with_findings, out)?;
            for (p, kinds, n) in held.into_iter().flatten() {
                self.file_block(report, &p, &kinds, n, out)?;
            }
        }
        Ok(())
    }

    /// The heading of a per-file listing cut to the riskiest `top` files.
    fn most_risk_heading(&self, with_findings: usize, out: &mut dyn Write) -> io::Result<()> {
        let cut = cut(self.top.min(with_findings), with_findings);
        writeln!(
            out,
            "{}",
            self.paint("1", &format!("Files with the most risk{cut}"))
        )?;
        writeln!(out)
    }

    /// The per-file listing from the inputs' counts, for a report without its findings.
    fn counted_files(
        &self,
        report: &Report,
        chosen: Option<&HashMap<&str, usize>>,
        with_findings: usize,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let mut inputs: Vec<_> = report
            .inputs
            .iter()
            .filter(|i| i.findings > 0 && chosen.is_none_or(|c| c.contains_key(i.path.as_str())))
            .collect();
        if let Some(c) = chosen {
            inputs.sort_by_key(|i| c.get(i.path.as_str()).copied().unwrap_or(usize::MAX));
            self.most_risk_heading(with_findings, out)?;
        }
        for i in inputs {
            writeln!(
                out,
                "{}  ({}, {}, {})",
                self.paint("1", &escape_for_terminal(&i.path)),
                i.format.as_deref().unwrap_or("?"),
                plural(i.records, "record", "records"),
                plural(i.findings, "finding", "findings")
            )?;
            for (kind, n) in &i.by_kind {
                writeln!(out, "  {:<16} {:>6}", kind.as_str(), n)?;
            }
            writeln!(out)?;
        }
        Ok(())
    }

    fn file_block(
        &self,
        report: &Report,
        path: &str,
        kinds: &BTreeMap<Kind, KindSummary>,
        findings: u64,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        // Inputs are sorted by path (a linear search here would be quadratic in 100k files).
        let input = report
            .inputs
            .binary_search_by(|i| i.path.as_str().cmp(path))
            .ok()
            .map(|at| &report.inputs[at]);
        writeln!(
            out,
            "{}  ({}, {}, {})",
            self.paint("1", &escape_for_terminal(path)),
            input.and_then(|i| i.format.as_deref()).unwrap_or("?"),
            plural(input.map_or(0, |i| i.records), "record", "records"),
            plural(findings, "finding", "findings")
        )?;
        for (kind, k) in kinds {
            let field = k
                .field
                .as_deref()
                .map(|f| format!(", field {}", escape_for_terminal(f)))
                .unwrap_or_default();
            let conf = match k.best {
                Confidence::High => self.paint("31", k.best.as_str()),
                Confidence::Medium => self.paint("33", k.best.as_str()),
                Confidence::Low => k.best.as_str().to_string(),
            };
            writeln!(
                out,
                "  {:<16} {:>6}  {:<6}  e.g. {} (line {}{})",
                kind.as_str(),
                k.count,
                conf,
                escape_for_terminal(&k.masked),
                k.line,
                field
            )?;
        }
        writeln!(out)
    }
}

/// One input's per-kind summary and finding count, for the per-file listing.
type FileSummary = (std::sync::Arc<str>, BTreeMap<Kind, KindSummary>, u64);

/// One kind within one input, for the per-file listing: the first finding is the example.
struct KindSummary {
    count: u64,
    best: Confidence,
    masked: String,
    line: u64,
    field: Option<std::sync::Arc<str>>,
}

/// How to accept a finding, printed after a listing (a committer blocked by the hook needs the
/// way out as much as the lines).
const ACCEPT_HINT: &[&str] = &[
    "To accept a finding instead of removing it:",
    "  on its line:  add a comment containing piiscan:allow",
    "  by value:     piiscan.toml [allow]: values (regex), fingerprints (shown by --explain), paths (glob)",
    "  all of them:  piiscan baseline create (with a stable PIISCAN_FINGERPRINT_KEY), then scan",
    "                with --baseline .piiscan-baseline.json (or baseline = \"…\" in piiscan.toml)",
];

impl Text {
    /// One line per finding, ripgrep-style: `path:line:col kind confidence masked [field]`,
    /// and the `--explain` reasons with the keyed fingerprint indented below. Findings are read
    /// back from the spool one at a time.
    fn listing(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        for f in report.findings.iter() {
            let f = f?;
            let conf = match f.confidence {
                Confidence::High => self.paint("31", f.confidence.as_str()),
                Confidence::Medium => self.paint("33", f.confidence.as_str()),
                Confidence::Low => f.confidence.as_str().to_string(),
            };
            let field = f
                .field
                .as_deref()
                .map(|x| format!(" [{}]", escape_for_terminal(x)))
                .unwrap_or_default();
            writeln!(
                out,
                "{}:{}:{} {} {} {}{}",
                self.paint("35", &escape_for_terminal(&f.path)),
                self.paint("32", &f.line.to_string()),
                f.column,
                self.paint("1", f.kind.as_str()),
                conf,
                escape_for_terminal(&f.masked),
                field
            )?;
            if let Some(why) = &f.explain {
                writeln!(
                    out,
                    "    {} {} · fingerprint {}",
                    self.paint("2", "why:"),
                    escape_for_terminal(why),
                    f.fingerprint
                )?;
            }
        }
        if report.totals.findings > 0 {
            writeln!(out)?;
        }
        Ok(())
    }
}

impl Reporter for Text {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let t = &report.totals;
        if self.list {
            self.listing(report, out)?;
        } else {
            self.per_file(report, out)?;
            if t.findings > 0 {
                self.exposure(report, out)?;
            }
        }
        if !report.skipped.is_empty() {
            writeln!(
                out,
                "{}",
                self.paint("2", "Skipped (not scanned, by policy):")
            )?;
            for s in &report.skipped {
                writeln!(
                    out,
                    "  {} — {}",
                    escape_for_terminal(&s.path),
                    escape_for_terminal(&s.reason)
                )?;
            }
            writeln!(out)?;
        }
        if !report.errors.is_empty() {
            writeln!(out, "{}", self.paint("31", "Errors (scan incomplete):"))?;
            for s in &report.errors {
                writeln!(
                    out,
                    "  {} — {}",
                    escape_for_terminal(&s.path),
                    escape_for_terminal(&s.reason)
                )?;
            }
            writeln!(out)?;
        }
        let kinds: Vec<String> = t.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(
            out,
            "{} ({} scanned, {} skipped, {}), {}, {}: {}{}{}",
            plural(t.inputs, "input", "inputs"),
            t.scanned,
            t.skipped,
            plural(t.errors, "error", "errors"),
            human_bytes(t.bytes),
            plural(t.records, "record", "records"),
            plural(t.findings, "finding", "findings"),
            if kinds.is_empty() { "" } else { " — " },
            kinds.join(", ")
        )?;
        if self.list && t.findings > 0 {
            writeln!(out)?;
            for line in ACCEPT_HINT {
                writeln!(out, "{}", self.paint("2", line))?;
            }
        }
        Ok(())
    }
}
