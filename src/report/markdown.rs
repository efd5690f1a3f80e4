//! `--format markdown`: a compact exposure summary for tickets and pull-request comments —
//! headline, the ranked plan with its cumulative share, top places, kinds, combinations,
//! overlaps, and inputs that could not be scanned. No individual findings: a ticket is the
//! wrong place for even masked values.
//!
//! Every path, field and reason goes through [`md`], which escapes Markdown and HTML syntax so
//! that a crafted file name cannot inject links, images or markup into the rendered comment.

use std::io::{self, Write};

use super::{Report, Reporter, human_bytes, noun, percent, plan_headline, plural};

/// Places and rows shown per table.
const TOP: usize = 10;

/// The Markdown reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Markdown;

/// Escapes text for a Markdown table cell: punctuation that Markdown or HTML give meaning to is
/// backslash-escaped or entity-encoded; control characters (and newlines) become `\u{..}`.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|'
            | '~' | '"' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out
}

impl Reporter for Markdown {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let e = &report.exposure;
        let s = &e.summary;
        let t = &report.totals;
        writeln!(out, "## piiscan exposure report\n")?;
        writeln!(
            out,
            "**{}** distinct {} exposed · **{}** identity-kit {} · {}, {}, {} · risk score {:.0}\n",
            s.people,
            noun(s.people, "person", "people"),
            s.identity_kit_records,
            noun(s.identity_kit_records, "record", "records"),
            plural(t.inputs, "input", "inputs"),
            human_bytes(t.bytes),
            plural(t.records, "record", "records"),
            s.risk_score
        )?;
        if t.errors > 0 {
            writeln!(
                out,
                "> **Incomplete:** {} could not be scanned (listed below).\n",
                plural(t.errors, "input", "inputs")
            )?;
        }
        if !e.plan.is_empty() {
            writeln!(out, "### Redaction plan\n")?;
            if let Some(h) = plan_headline(e) {
                writeln!(out, "{h}\n")?;
            }
            writeln!(out, "| # | action | removes | cumulative |")?;
            writeln!(out, "|--:|---|--:|--:|")?;
            for step in &e.plan {
                writeln!(
                    out,
                    "| {} | {} | {:.0} | {} |",
                    step.rank,
                    md(&step.description),
                    step.score,
                    percent(step.cumulative_share)
                )?;
            }
            writeln!(out)?;
        }
        let top = e.top_places(TOP);
        if !top.is_empty() {
            writeln!(out, "### Top places by exposure\n")?;
            writeln!(out, "| input | field | kind | people | values | risk |")?;
            writeln!(out, "|---|---|---|--:|--:|--:|")?;
            for (path, p) in top {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {:.0} |",
                    md(path),
                    p.field.as_deref().map(md).unwrap_or_else(|| "—".into()),
                    p.kind,
                    p.people,
                    p.values,
                    p.risk
                )?;
            }
            writeln!(out)?;
        }
        if !e.folders.is_empty() {
            writeln!(out, "### Folders to restrict or purge\n")?;
            writeln!(
                out,
                "| folder | files with PII | people | values | share of risk |"
            )?;
            writeln!(out, "|---|--:|--:|--:|--:|")?;
            for f in e.folders.iter().take(TOP) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    md(&f.path),
                    f.files_with_pii,
                    f.people,
                    f.values,
                    percent(f.risk_share)
                )?;
            }
            if e.folders.len() > TOP {
                writeln!(
                    out,
                    "\n{} more folders in the JSON and HTML reports.",
                    e.folders.len() - TOP
                )?;
            }
            writeln!(out)?;
        }
        if !e.kinds.is_empty() {
            writeln!(out, "### By kind\n")?;
            writeln!(out, "| kind | values | people | inputs |")?;
            writeln!(out, "|---|--:|--:|--:|")?;
            for k in &e.kinds {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    k.kind, k.values, k.people, k.inputs
                )?;
            }
            writeln!(out)?;
        }
        if !e.combinations.is_empty() {
            writeln!(out, "### Combinations per record\n")?;
            writeln!(out, "| kinds | records | identity kit |")?;
            writeln!(out, "|---|--:|:-:|")?;
            for c in e.combinations.iter().take(TOP) {
                let kinds: Vec<&str> = c.kinds.iter().map(|k| k.as_str()).collect();
                let kit = if c.identity_kit { "⚠ yes" } else { "" };
                writeln!(out, "| {} | {} | {kit} |", kinds.join(" + "), c.records)?;
            }
            writeln!(out)?;
        }
        if !e.overlaps.is_empty() {
            writeln!(out, "### Overlap between inputs\n")?;
            writeln!(out, "| input | also in | shared people | share |")?;
            writeln!(out, "|---|---|--:|--:|")?;
            for o in e.overlaps.iter().take(TOP) {
                writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    md(&o.input),
                    md(&o.other),
                    o.shared_people,
                    percent(o.share)
                )?;
            }
            writeln!(out)?;
        }
        if !report.errors.is_empty() || !report.skipped.is_empty() {
            writeln!(out, "### Not scanned\n")?;
            writeln!(out, "| input | status | reason |")?;
            writeln!(out, "|---|---|---|")?;
            for (status, list) in [("error", &report.errors), ("skipped", &report.skipped)] {
                for i in list {
                    writeln!(out, "| {} | {status} | {} |", md(&i.path), md(&i.reason))?;
                }
            }
            writeln!(out)?;
        }
        writeln!(
            out,
            "<sub>piiscan {} · {} · masked values and keyed fingerprints only</sub>",
            md(&report.version),
            plural(t.findings, "finding", "findings")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn markup_is_escaped() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("![x](http://e)"), "\\!\\[x\\]\\(http://e\\)");
        assert_eq!(md("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(md("a\nb"), "a\\nb");
    }
}
