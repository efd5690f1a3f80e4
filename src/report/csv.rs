//! `--format csv`: one row per (input, field, kind) place, for spreadsheets and BI tools.
//!
//! Columns: `path, field, kind, values, distinct_values, records, people, confidence_low,
//! confidence_medium, confidence_high, risk`. Inputs without findings have no rows. A cell that
//! starts with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` so that a crafted file name is
//! not run as a spreadsheet formula (CSV injection); `-` alone (stdin) is left as is.

use std::io::{self, Write};

use super::{Report, Reporter};

/// The CSV reporter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Csv;

/// The header row.
pub const HEADER: [&str; 11] = [
    "path",
    "field",
    "kind",
    "values",
    "distinct_values",
    "records",
    "people",
    "confidence_low",
    "confidence_medium",
    "confidence_high",
    "risk",
];

/// Neutralises spreadsheet formulas (see module docs).
fn cell(s: &str) -> String {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'@' | b'\t' | b'\r') => format!("'{s}"),
        Some(b'-') if s != "-" => format!("'{s}"),
        _ => s.to_string(),
    }
}

impl Reporter for Csv {
    fn write(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(HEADER)?;
        for input in &report.exposure.inputs {
            for p in &input.places {
                w.write_record([
                    cell(&input.path),
                    p.field.as_deref().map(cell).unwrap_or_default(),
                    p.kind.as_str().to_string(),
                    p.values.to_string(),
                    p.distinct_values.to_string(),
                    p.records.to_string(),
                    p.people.to_string(),
                    p.confidence.low.to_string(),
                    p.confidence.medium.to_string(),
                    p.confidence.high.to_string(),
                    format!("{:.1}", p.risk),
                ])?;
            }
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("-"), "-");
        assert_eq!(cell("data/a.csv"), "data/a.csv");
    }
}
