//! `--format text`: a summary for people — per file, counts per kind with a masked sample, then
//! skipped and failed inputs, then totals. Paths are escaped for the terminal.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::{Report, Reporter, escape_for_terminal};
use crate::finding::{Confidence, Finding, Kind};

/// The text reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Text {
    /// Use ANSI colour.
    pub color: bool,
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

fn human_bytes(n: u64) -> String {
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

impl Reporter for Text {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let t = &report.totals;
        let mut by_path: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for f in &report.findings {
            by_path.entry(&f.path).or_default().push(f);
        }
        for input in &report.inputs {
            let Some(fs) = by_path.get(input.path.as_str()) else {
                continue;
            };
            writeln!(
                out,
                "{}  ({}, {} records, {} findings)",
                self.paint("1", &escape_for_terminal(&input.path)),
                input.format.as_deref().unwrap_or("?"),
                input.records,
                fs.len()
            )?;
            let mut kinds: BTreeMap<Kind, Vec<&Finding>> = BTreeMap::new();
            for f in fs {
                kinds.entry(f.kind).or_default().push(f);
            }
            for (kind, list) in kinds {
                let best = list
                    .iter()
                    .map(|f| f.confidence)
                    .max()
                    .unwrap_or(Confidence::Low);
                let sample = list[0];
                let field = sample
                    .field
                    .as_deref()
                    .map(|f| format!(", field {}", escape_for_terminal(f)))
                    .unwrap_or_default();
                let conf = match best {
                    Confidence::High => self.paint("31", best.as_str()),
                    Confidence::Medium => self.paint("33", best.as_str()),
                    Confidence::Low => best.as_str().to_string(),
                };
                writeln!(
                    out,
                    "  {:<16} {:>6}  {:<6}  e.g. {} (line {}{})",
                    kind.as_str(),
                    list.len(),
                    conf,
                    escape_for_terminal(&sample.masked),
                    sample.line,
                    field
                )?;
            }
            writeln!(out)?;
        }
        if !report.skipped.is_empty() {
            writeln!(
                out,
                "{}",
                self.paint("2", "Skipped (not scanned, by policy):")
            )?;
            for s in &report.skipped {
                writeln!(out, "  {} — {}", escape_for_terminal(&s.path), s.reason)?;
            }
            writeln!(out)?;
        }
        if !report.errors.is_empty() {
            writeln!(out, "{}", self.paint("31", "Errors (scan incomplete):"))?;
            for s in &report.errors {
                writeln!(out, "  {} — {}", escape_for_terminal(&s.path), s.reason)?;
            }
            writeln!(out)?;
        }
        let kinds: Vec<String> = t.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
        writeln!(
            out,
            "{} inputs ({} scanned, {} skipped, {} errors), {}, {} records: {} findings{}{}",
            t.inputs,
            t.scanned,
            t.skipped,
            t.errors,
            human_bytes(t.bytes),
            t.records,
            t.findings,
            if kinds.is_empty() { "" } else { " — " },
            kinds.join(", ")
        )?;
        Ok(())
    }
}
